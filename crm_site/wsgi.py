import os

from django.core.wsgi import get_wsgi_application

# production unless told otherwise: `make run`, manage.py and pytest name the dev or test settings
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_site.settings.production")
application = get_wsgi_application()
