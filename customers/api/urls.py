from django.urls import path

from . import views

app_name = "customers-api"

urlpatterns = [
    path("<customer_no:customer_no>/interactions/", views.InteractionCreateView.as_view(), name="interaction-create"),
    path("<customer_no:customer_no>/consents/", views.ConsentCreateView.as_view(), name="consent-create"),
    path("<customer_no:customer_no>/contact/", views.ContactUpdateView.as_view(), name="contact-update"),
    path("<customer_no:customer_no>/reveal-id/", views.RevealIdView.as_view(), name="reveal-id"),
]
