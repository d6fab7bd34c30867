"""The one HTML error path for domain errors, bad input refused before any view, and full-page
redirects for htmx requests."""

import time
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from . import errors
from .bounds import NUL, body_too_large_message, has_nul, nul_message, view_body_limit
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


def is_api(request) -> bool:
    return request.path.startswith("/api/")


def error_response(request, message: str, status: int, *, field: str | None = None) -> HttpResponse:
    """A 4xx with its message: JSON for the API (keyed by the field, as DRF's validation errors, when there is
    one), the error page (or an htmx fragment) for pages."""
    if is_api(request):
        return JsonResponse({field: [message]} if field else {"detail": message}, status=status)
    template = "_error_fragment.html" if getattr(request, "htmx", False) else "error.html"
    return render(request, template, {"message": message}, status=status)


def body_limit(view_func) -> int:
    """The most bytes a request body may have for this view: the setting its class names in
    `max_body_setting` (a view taking large bodies), else settings.DATA_UPLOAD_MAX_MEMORY_SIZE."""
    view_class = getattr(view_func, "cls", None) or getattr(view_func, "view_class", None)
    return view_body_limit(view_class)


class BadInputMiddleware:
    """Refuse, before any view runs, input no view can store: a 400 or 413 with a message, nothing written.

    - NUL in the query string or a form field: 400 (PostgreSQL refuses NUL in text, so it would fail at
      the write, a 500 half-way through the request); in a URL part: 404; JSON bodies: crm_site.parsers.
    - A body over the view's limit (`body_limit`): 413, in JSON for the API, instead of Django's bare
      HTML 400 for RequestDataTooBig. File parts of an upload don't count: they stream to disk.
    """

    FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if self._nul_field({**dict(enumerate(view_args)), **view_kwargs}) is not None:
            # a customer number, code or name with a NUL can't exist: what the address names is not found
            return error_response(request, _("Not found: the address contains a NUL character."), 404)
        field = self._nul_field(request.GET)
        if field is not None:
            return error_response(request, nul_message(), 400, field=field)
        limit = body_limit(view_func)
        if request.content_type != "multipart/form-data" and self._content_length(request) > limit:
            return error_response(request, body_too_large_message(limit), 413)
        # the API takes JSON only (crm_site.parsers refuses NUL there); reading a form body here would turn
        # DRF's 415 for it into an empty body
        if request.content_type in self.FORM_TYPES and request.method == "POST" and not is_api(request):
            try:
                field = self._nul_field(request.POST)
            except RequestDataTooBig:
                return error_response(request, body_too_large_message(limit), 413)
            except (MultiPartParserError, SuspiciousOperation):
                return error_response(request, _("The form data could not be read."), 400)
            if field is not None:
                return error_response(request, nul_message(), 400, field=field)
        return None

    @staticmethod
    def _content_length(request) -> int:
        try:
            return int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return 0

    @staticmethod
    def _nul_field(data) -> str | int | None:
        """The first name (of a query string, form or URL) whose name or a value holds a NUL."""
        values = data.lists() if hasattr(data, "lists") else ((key, [value]) for key, value in data.items())
        for key, items in values:
            if has_nul(key) or any(has_nul(item) for item in items):
                return key.replace(NUL, "") if isinstance(key, str) else key
        return None


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
        # the login form itself (and its second step, /login/verify/) is not a session that ended
        if urlsplit(location).path != login_url or request.path.startswith(login_url):
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
        # a signed-in session only: an API call with a token carries none, and must not start one (a row per call)
        if user is not None and user.is_authenticated and request.session.session_key:
            now = int(time.time())
            if now - request.session.get(self.KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
                request.session[self.KEY] = now  # modified: SessionMiddleware saves it with a new expiry
        return response
