from django.urls import path

from . import views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_create, name="create"),
    path("audience-count/", views.audience_count, name="audience-count"),
    path("message-sample/", views.message_sample, name="message-sample"),
    path("builder-preview/", views.builder_preview, name="builder-preview"),
    path("<int:campaign_id>/", views.campaign_detail, name="detail"),
    path("<int:campaign_id>/edit/", views.campaign_edit, name="edit"),
    path("<int:campaign_id>/preview/", views.campaign_preview, name="preview"),
    path("<int:campaign_id>/progress/", views.campaign_progress, name="progress"),
    path("<int:campaign_id>/results/", views.campaign_results, name="results"),
    path("<int:campaign_id>/results/recompute/", views.results_recompute, name="results-recompute"),
    path("<int:campaign_id>/results/status/", views.results_status, name="results-status"),
    path("<int:campaign_id>/calls/", views.call_list, name="call-list"),
    path("<int:campaign_id>/calls/csv/", views.call_list_csv, name="call-list-csv"),
    path("<int:campaign_id>/calls/<int:recipient_id>/outcome/", views.call_outcome, name="call-outcome"),
    path("offers/<int:recipient_id>/outcome/", views.offer_outcome, name="offer-outcome"),
    # launch: GET shows the counts to confirm, POST (with that confirmation) launches
    path("<int:campaign_id>/launch/", views.campaign_launch, name="launch"),
    # the other steps of a campaign's life (POST): campaigns:submit, :return, :approve, :cancel
    *(path(f"<int:campaign_id>/{action}/", views.campaign_action, {"action": action}, name=action)
      for action in ("submit", "return", "approve", "cancel")),
]
