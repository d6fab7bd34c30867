from django.urls import path

from . import views

app_name = "propensity-api"

urlpatterns = [
    path("models/", views.ModelListView.as_view(), name="models"),
    path("models/<str:product_code>/", views.ModelCardView.as_view(), name="model-card"),
    path("customers/<customer_no:customer_no>/offers/<str:product_code>/outcome/", views.OfferOutcomeView.as_view(),
         name="offer-outcome"),
    path("campaigns/<int:campaign_id>/prediction/", views.CampaignPredictionView.as_view(), name="campaign-prediction"),
]
