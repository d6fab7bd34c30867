"""403, 404 and 500 are the site's own pages, in the reader's language, saying why, with a way back."""

import pytest
from django.test import Client
from django.urls import reverse

from crm_site import errors

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def test_a_teller_opening_the_branch_dashboard_is_told_why_in_chinese_with_the_navigation(client_for, teller):
    response = client_for(teller).get(reverse("scoring:branch-dashboard"), **ZH)
    assert response.status_code == 403
    html = response.content.decode()
    assert "柜员无权查看网点看板，请联系网点经理。" in html
    assert 'class="mainnav"' in html
    assert 'data-testid="error-page"' in html
    assert f'href="{reverse("teller:home")}"' in html


def test_the_403_page_speaks_english_to_an_english_reader(client_for, teller):
    response = client_for(teller).get(reverse("scoring:branch-dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Teller may not open the branch dashboard. Ask your branch manager." in response.content.decode()


def test_the_way_back_is_the_page_the_reader_came_from_on_this_site(client_for, teller):
    response = client_for(teller).get(reverse("campaigns:list"), HTTP_REFERER="http://testserver/search/")
    assert response.status_code == 403
    assert 'href="/search/"' in response.content.decode()
    other = client_for(teller).get(reverse("campaigns:list"), HTTP_REFERER="https://elsewhere.example/x")
    assert "elsewhere.example" not in other.content.decode()


def test_a_refused_htmx_request_puts_the_reason_in_the_error_area(client_for, teller):
    response = client_for(teller).get(reverse("scoring:branch-dashboard"), HTTP_HX_REQUEST="true", **ZH)
    assert response.status_code == 403
    assert response["HX-Retarget"] == "#htmx-error"
    assert response["HX-Reswap"] == "innerHTML"
    html = response.content.decode()
    assert "<html" not in html
    assert "柜员无权查看网点看板" in html


def test_an_unknown_customer_gets_the_sites_404_page(client_for, teller, settings):
    for debug in (False, True):  # the same page whether DEBUG is on or not
        settings.DEBUG = debug
        response = client_for(teller).get(reverse("teller:customer", kwargs={"customer_no": "C999999999"}), **ZH)
        assert response.status_code == 404
        html = response.content.decode()
        assert 'data-testid="error-page"' in html
        assert "找不到该页面" in html
        assert 'class="mainnav"' in html


def test_an_unknown_address_gets_the_sites_404_page(client_for, teller):
    response = client_for(teller).get("/no-such-page/", **ZH)
    assert response.status_code == 404
    assert 'data-testid="error-page"' in response.content.decode()


def test_a_failing_page_gets_the_sites_500_page(client_for, teller, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr("teller.views.selectors.recently_served", broken)
    client = client_for(teller)
    client.raise_request_exception = False
    response = client.get(reverse("teller:home"), **ZH)
    assert response.status_code == 500
    html = response.content.decode()
    assert "出错了" in html
    assert 'class="mainnav"' in html


def test_the_500_page_falls_back_to_plain_html_when_the_layout_cannot_be_drawn(rf, monkeypatch):
    calls = []

    def layout_fails(*args, **kwargs):
        calls.append(1)
        raise RuntimeError("database down")

    monkeypatch.setattr(errors, "error_response", layout_fails)
    response = errors.server_error(rf.get("/"))
    assert calls and response.status_code == 500
    assert b"<h1>" in response.content


def test_the_api_keeps_its_json_answers(client_for, teller):
    response = client_for(teller).get("/api/v1/scores/branches/")
    assert response.status_code in (403, 404)
    assert response["Content-Type"].startswith("application/json")


def test_an_anonymous_visitor_is_still_sent_to_log_in(client):
    assert Client().get(reverse("scoring:branch-dashboard")).status_code == 302
