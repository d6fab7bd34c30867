# Branch CRM. `make run` for the app with demo data, `make test` for the checks.
# Both use DATABASE_URL / REDIS_URL when set, else a private PostgreSQL and Redis under .data/.
VENV ?= .venv
PY := $(VENV)/bin/python
SYSTEM_PYTHON ?= python3
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
# run as a script, not with -m: importing the crm_site package (its Celery app) would set
# DJANGO_SETTINGS_MODULE (to the production default) in the environment every child inherits, pytest included
WITH_SERVICES := $(PY) crm_site/embedded.py exec --
# where the embedded servers, uploads and demo logins live (CRM_DATA_DIR, as in the settings)
DATA_DIR ?= $(or $(CRM_DATA_DIR),.data)
# how many demo customers `make run` creates on first start (an empty database only)
DEMO_CUSTOMERS ?= 5000

.PHONY: install system-deps run test test-fast lint audit messages bench backup restore stop-embedded clean-data

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(SYSTEM_PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

# Debian packages the browser tests (Chromium, a CJK font) and the catalogues (gettext) need: installed
# with apt when missing and we may (root, or sudo without a password); otherwise stop with the command
SYSTEM_PACKAGES := chromium fonts-wqy-microhei gettext
system-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing="$$missing fonts-wqy-microhei"; \
	command -v msgfmt >/dev/null 2>&1 || missing="$$missing gettext"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo"; else \
	  echo "missing system packages:$$missing. Run: sudo apt-get install -y$$missing" >&2; exit 1; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
	  echo "missing system packages:$$missing (Debian/Ubuntu names); install them, then run make again" >&2; exit 1; fi; \
	echo "installing$$missing"; \
	$$sudo apt-get update -q && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -q $$missing

# web (crm_site.wsgi) and Celery default to the production settings: `make run` is development, and says so
run: export DJANGO_SETTINGS_MODULE = crm_site.settings.dev
run: install
	$(WITH_SERVICES) sh -c '$(PY) manage.py migrate --noinput \
	  && $(PY) manage.py seed_demo --if-empty --customers $(DEMO_CUSTOMERS) \
	  && echo && echo "Branch CRM: http://127.0.0.1:$${WEB_PORT:-8000}/  (Ctrl-C stops web, worker, beat and the embedded services)" \
	  && echo "Demo logins (also in $(DATA_DIR)/demo-logins.txt):" && cat $(DATA_DIR)/demo-logins.txt && echo \
	  && exec honcho start'

test: install system-deps
	$(VENV)/bin/ruff check .
	$(WITH_SERVICES) sh -c '$(PY) manage.py makemigrations --check --dry-run && $(VENV)/bin/pytest $(PYTEST_ARGS)'

# the quick loop: no browser tests
test-fast: install
	$(WITH_SERVICES) $(VENV)/bin/pytest -m "not browser" $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .

# known vulnerabilities of the pinned requirements (pip-audit). Needs the package index's vulnerability data
# (PyPI's JSON API; AUDIT_ARGS="--vulnerability-service osv" for OSV) reachable: --strict fails when a
# package cannot be looked up, so an offline machine fails rather than passes.
audit: install
	$(VENV)/bin/pip-audit --strict --no-deps --disable-pip -r requirements.txt -r requirements-dev.txt $(AUDIT_ARGS)

messages: install system-deps
	$(WITH_SERVICES) sh -c 'cd $(CURDIR) && $(PY) manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=.data && $(PY) manage.py compilemessages --ignore=.venv'

bench: install
	$(WITH_SERVICES) $(PY) bench/run.py $(BENCH_ARGS)

# a pg_dump archive of the database (the embedded one by default) under $(DATA_DIR)/backups/; keep the
# PII_* keys apart from it: without them the ID numbers in it cannot be read (docs/operations.md)
BACKUP_DIR ?= $(DATA_DIR)/backups
backup: install
	$(WITH_SERVICES) sh -c '$(PY) crm_site/backup.py dump "$(BACKUP_DIR)/branch_crm-$$(date +%Y%m%d-%H%M%S).dump"'

# make restore FILE=…: replaces the database's contents with the archive's (stop make run first)
restore: install
	@test -n "$(FILE)" || { echo "usage: make restore FILE=path/to/archive.dump (stop make run first)" >&2; exit 2; }
	$(WITH_SERVICES) $(PY) crm_site/backup.py restore "$(FILE)"

stop-embedded:
	$(PY) -m crm_site.embedded stop

clean-data: stop-embedded
	rm -rf .data
