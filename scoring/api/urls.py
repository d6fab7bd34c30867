from django.urls import path

from . import views

app_name = "scoring-api"

urlpatterns = [
    path("branches/", views.BranchSummaryListView.as_view(), name="branch-list"),
    path("branches/<str:code>/", views.BranchDashboardView.as_view(), name="branch-dashboard"),
    path("branches/<str:code>/alerts/<str:kind>/", views.BranchAlertCustomersView.as_view(),
         name="branch-alert-customers"),
    path("runs/", views.ScoreRunListView.as_view(), name="run-list"),
]
