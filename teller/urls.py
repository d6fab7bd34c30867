from django.urls import path

from . import views

app_name = "teller"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.customer_search, name="search"),
    path("customers/<customer_no:customer_no>/", views.customer_detail, name="customer"),
    path("customers/<customer_no:customer_no>/transactions/", views.customer_transactions, name="transactions"),
    path("customers/<customer_no:customer_no>/interactions/", views.interaction_add, name="interaction-add"),
    path("customers/<customer_no:customer_no>/consents/", views.consent_update, name="consent-update"),
    path("customers/<customer_no:customer_no>/contact/", views.contact_update, name="contact-update"),
    path("customers/<customer_no:customer_no>/contact/form/", views.contact_form, name="contact-form"),
    path("customers/<customer_no:customer_no>/reveal-id/", views.reveal_id, name="reveal-id"),
]
