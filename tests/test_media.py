"""Uploaded feeds are never served over HTTP, DEBUG or not: they hold customers' transactions."""

import importlib

import pytest
from django.test import override_settings
from django.urls import Resolver404, clear_url_caches, resolve

import crm_site.urls

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def urls_under_debug(request, settings, tmp_path):
    """The URLconf as it is built with DEBUG off and on (it is built once, at import)."""
    settings.MEDIA_ROOT = tmp_path
    with override_settings(DEBUG=request.param):
        clear_url_caches()
        importlib.reload(crm_site.urls)
        yield tmp_path
    clear_url_caches()
    importlib.reload(crm_site.urls)


@pytest.fixture
def feed(urls_under_debug, settings):
    path = urls_under_debug / "ingest" / "2026" / "feed.csv"
    path.parent.mkdir(parents=True)
    path.write_text("external_id,channel,account_no\nT1,POS,6222020000000000001\n", encoding="utf-8")
    return f"/{settings.MEDIA_URL.strip('/')}/ingest/2026/feed.csv"


def test_no_url_pattern_reaches_uploaded_files(feed):
    with pytest.raises(Resolver404):
        resolve(feed)


def test_an_uploaded_feed_is_not_served_to_anonymous_users(client, feed):
    response = client.get(feed)
    assert response.status_code == 404
    assert b"6222020000000000001" not in response.content


def test_nor_to_staff(client_for, admin_user, feed):
    response = client_for(admin_user).get(feed)
    assert response.status_code == 404
    assert b"6222020000000000001" not in response.content
