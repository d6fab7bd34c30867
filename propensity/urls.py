from django.urls import path

from . import views

app_name = "propensity"

urlpatterns = [
    path("models/", views.model_list, name="model-list"),
    path("models/<str:product_code>/", views.model_card, name="model-card"),
    path("customers/<customer_no:customer_no>/offers/<str:product_code>/outcome/", views.offer_outcome,
         name="offer-outcome"),
]
