from django.urls import path

from . import views

app_name = "auth-api"

urlpatterns = [
    path("token/rotate/", views.ApiTokenRotateView.as_view(), name="token-rotate"),
]
