# Branch CRM: one image for web (gunicorn), the Celery worker, Celery beat and one-off
# management commands. Secrets are not in the image: they come from the environment at run
# time (docker-compose.yml: env_file .env).

# --- build: dependencies, compiled translations, collected static files --------------------
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH=/opt/venv/bin:$PATH

# gettext's msgfmt compiles the .po catalogues; only this stage needs it
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

RUN python -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
RUN pip install -r /tmp/requirements.txt

WORKDIR /app
COPY . .

# Importing the production settings requires every secret to be set. These throwaway values
# exist only for this one command: nothing here connects to a database or Redis, and a
# variable set on a RUN line is not part of the image's environment.
RUN export DJANGO_SETTINGS_MODULE=crm_site.settings.production \
        SECRET_KEY=build-only-not-a-secret \
        PII_ENCRYPTION_KEYS=build-only-not-a-key \
        PII_HMAC_KEY=build-only-not-a-key \
        ALLOWED_HOSTS=localhost \
        DATABASE_URL=postgres://build@127.0.0.1:1/build \
        REDIS_URL=redis://127.0.0.1:1/0 \
    && if find . -name '*.po' -not -path './.venv/*' | grep -q .; then \
           python manage.py compilemessages --ignore=.venv; \
       fi \
    && python manage.py collectstatic --noinput

# --- runtime --------------------------------------------------------------------------------
FROM python:3.11-slim

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_SETTINGS_MODULE=crm_site.settings.production \
    MEDIA_ROOT=/var/lib/crm/media \
    CELERY_BEAT_SCHEDULE_FILE=/var/lib/crm/celerybeat-schedule

# The processes run as an unprivileged user that cannot write the code; it writes only
# /var/lib/crm (uploaded feeds in media/, which compose mounts as a shared volume).
RUN groupadd --system --gid 10001 crm \
    && useradd --system --uid 10001 --gid crm --home-dir /var/lib/crm --shell /usr/sbin/nologin crm \
    && mkdir -p /var/lib/crm/media \
    && chown -R crm:crm /var/lib/crm

COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app
USER crm

EXPOSE 8000

# Web by default; docker-compose.yml runs the worker, beat and migrations from the same image. The access-log
# format has the path without its query string and no Referer, so no identifier reaches a log line (the same
# format as in the Procfile and docker-compose.yml).
CMD ["sh", "-c", "exec gunicorn crm_site.wsgi --bind 0.0.0.0:${WEB_PORT:-8000} --workers ${WEB_WORKERS:-2} --access-logfile - --access-logformat '%(h)s %(t)s \"%(m)s %(U)s\" %(s)s %(b)s %(L)s' --graceful-timeout 30"]
