"""The one HTML error path for domain errors, and full-page redirects for htmx requests."""

import time

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render, resolve_url

from .exceptions import DomainError


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError) or request.path.startswith("/api/"):
            return None
        template = "_error_fragment.html" if getattr(request, "htmx", False) else "error.html"
        return render(request, template, {"message": exception.message}, status=exception.status_code)


class HtmxLoginRedirectMiddleware:
    """A session that timed out while a panel was open: send the whole page to the login form.

    Without this, htmx follows the redirect and draws the login page inside the panel.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "htmx", False) and response.status_code in (301, 302):
            login_url = resolve_url(settings.LOGIN_URL)
            if response.get("Location", "").startswith(login_url):
                redirect = HttpResponse(status=204)
                redirect["HX-Redirect"] = response["Location"]
                return redirect
        return response


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
