from django.urls import path

from . import views

app_name = "transactions"

urlpatterns = [
    path("batches/", views.batch_list, name="batch-list"),
    path("batches/upload/", views.batch_upload, name="batch-upload"),
    path("batches/<int:batch_id>/", views.batch_detail, name="batch-detail"),
    path("batches/<int:batch_id>/progress/", views.batch_progress, name="batch-progress"),
    path("batches/<int:batch_id>/rejected.csv", views.batch_rejected_csv, name="batch-rejected-csv"),
    path("batches/<int:batch_id>/replay/", views.batch_replay, name="batch-replay"),
]
