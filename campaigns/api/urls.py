from django.urls import path

from . import views

app_name = "campaigns-api"

urlpatterns = [
    path("", views.CampaignListCreateView.as_view(), name="campaign-list"),
    path("preview/", views.PreviewView.as_view(), name="preview"),
    path("audience-count/", views.AudienceCountView.as_view(), name="audience-count"),
    path("recipients/<int:recipient_id>/outcome/", views.OutcomeView.as_view(), name="recipient-outcome"),
    path("<int:campaign_id>/", views.CampaignDetailView.as_view(), name="campaign-detail"),
    path("<int:campaign_id>/submit/", views.CampaignSubmitView.as_view(), name="campaign-submit"),
    path("<int:campaign_id>/return/", views.CampaignReturnView.as_view(), name="campaign-return"),
    path("<int:campaign_id>/approve/", views.CampaignApproveView.as_view(), name="campaign-approve"),
    path("<int:campaign_id>/launch/", views.CampaignLaunchView.as_view(), name="campaign-launch"),
    path("<int:campaign_id>/cancel/", views.CampaignCancelView.as_view(), name="campaign-cancel"),
    path("<int:campaign_id>/results/", views.ResultsView.as_view(), name="campaign-results"),
    path("<int:campaign_id>/recipients/", views.RecipientsView.as_view(), name="campaign-recipients"),
    path("<int:campaign_id>/call-list.csv", views.CallListView.as_view(), name="campaign-call-list"),
]
