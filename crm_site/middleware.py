"""The one HTML error path for domain errors, and full-page redirects for htmx requests."""

import time
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

from . import errors
from .exceptions import DomainError


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if request.path.startswith("/api/"):
            return None
        # the site's pages whether DEBUG is on or not (DEBUG would otherwise answer 404 with its own page)
        if isinstance(exception, PermissionDenied):
            return errors.permission_denied(request, exception)
        if isinstance(exception, Http404):
            return errors.page_not_found(request, exception)
        if not isinstance(exception, DomainError):
            return None
        template = "_error_fragment.html" if getattr(request, "htmx", False) else "error.html"
        return render(request, template, {"message": exception.message}, status=exception.status_code)


class HtmxLoginRedirectMiddleware:
    """A session that ended: send the whole page to the login form, and bring the teller back to that page.

    - htmx requests get HX-Redirect; without it htmx follows the redirect and draws the login page inside
      the panel.
    - The way back (`next`) is the page the teller was on, not the URL that was called: a form posted after
      the session ended would otherwise bring the teller, once logged in, to a POST-only URL (405), and an
      htmx fragment URL would show a bare fragment. The page's script keeps what was typed (drafts.js).
    - `expired=1` tells the login form to say why it is shown, when the browser still had a session.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code not in (301, 302):
            return response
        login_url = resolve_url(settings.LOGIN_URL)
        location = response.get("Location", "")
        if not location.startswith(login_url):
            return response
        htmx = getattr(request, "htmx", False)
        if htmx or request.method not in ("GET", "HEAD"):
            location = self._login_url(request, login_url)
        elif self._session_ended(request):
            location = f"{location}{'&' if '?' in location else '?'}expired=1"
        if htmx:
            redirect = HttpResponse(status=204)
            redirect["HX-Redirect"] = location
            return redirect
        response["Location"] = location
        return response

    @staticmethod
    def _session_ended(request) -> bool:
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        return not signed_in and settings.SESSION_COOKIE_NAME in request.COOKIES

    def _login_url(self, request, login_url: str) -> str:
        page = request.headers.get("HX-Current-URL") or request.headers.get("Referer") or ""
        parts = urlsplit(page)
        same_site = parts.netloc in ("", request.get_host())
        next_path = urlunsplit(("", "", parts.path, parts.query, "")) if page and same_site else ""
        if not next_path or not url_has_allowed_host_and_scheme(next_path, allowed_hosts={request.get_host()}):
            next_path = resolve_url(settings.LOGIN_REDIRECT_URL)
        query = {"next": next_path}
        if self._session_ended(request):
            query["expired"] = "1"
        return f"{login_url}?{urlencode(query)}"


class SessionIdleRefreshMiddleware:
    """Restart a signed-in session's idle timer on activity, writing the session at most once a minute.

    SESSION_SAVE_EVERY_REQUEST would rewrite the session row on every request, the live search's
    included; this keeps the idle timeout (give or take SESSION_REFRESH_SECONDS) for a fraction of
    the writes.
    """

    KEY = "_refreshed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            if now - request.session.get(self.KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
                request.session[self.KEY] = now  # modified: SessionMiddleware saves it with a new expiry
        return response
