from django.urls import path

from . import views

app_name = "transactions-api"

urlpatterns = [
    path("batches/", views.BatchListCreateView.as_view(), name="batch-list"),
    path("batches/<int:batch_id>/", views.BatchDetailView.as_view(), name="batch-detail"),
]
