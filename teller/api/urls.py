from django.urls import path

from . import views

app_name = "teller-api"

urlpatterns = [
    path("", views.CustomerSearchView.as_view(), name="search"),
    path("search/", views.CustomerSearchPostView.as_view(), name="search-post"),
    path("<customer_no:customer_no>/", views.Customer360View.as_view(), name="customer-360"),
]
