import os

from celery import Celery

# production unless told otherwise: `make run`, manage.py and pytest name the dev or test settings
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_site.settings.production")

app = Celery("crm_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["crm_site"], related_name="health")  # the worker heartbeat of /healthz
