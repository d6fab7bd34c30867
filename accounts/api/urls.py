from django.urls import path

from . import views

app_name = "accounts-api"

urlpatterns = [
    path("", views.FxRateListView.as_view(), name="fx-rate-list"),
]
