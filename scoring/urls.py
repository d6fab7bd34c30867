from django.urls import path

from . import views

app_name = "scoring"

urlpatterns = [
    path("branch/", views.branch_dashboard, name="branch-dashboard"),
    path("branch/alerts/<str:code>/", views.alert_customers, name="alert-customers"),
]
