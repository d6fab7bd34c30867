from django.urls import path

from . import views

app_name = "customers"

urlpatterns = [
    path("", views.access_list, name="access-list"),
    path("export.csv", views.access_csv, name="access-csv"),
    path("customers/<customer_no:customer_no>/", views.access_for_customer, name="access-customer"),
    path("customers/<customer_no:customer_no>/history/", views.customer_history, name="history"),
    path("staff/<int:user_id>/", views.access_for_staff, name="access-staff"),
]
