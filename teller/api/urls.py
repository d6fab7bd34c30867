from django.urls import path

from . import views

app_name = "teller-api"

urlpatterns = [
    path("<str:customer_no>/", views.Customer360View.as_view(), name="customer-360"),
]
