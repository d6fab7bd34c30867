from django.urls import path

from . import public_views

app_name = "campaigns-public"

urlpatterns = [
    path("<str:token>/", public_views.unsubscribe, name="unsubscribe"),
]
