"""Two-factor sign-in, enforced on every request (pages, the admin, the API under a session)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from . import mfa


class TwoFactorMiddleware:
    """A signed-in user who needs a code (their role requires it, or they enrolled) and whose session was not
    confirmed with one: without a device, only the enrolment page (and logging out) until they enrol; with one,
    the session is ended, since the login's code step is the only way in (a password-only login elsewhere,
    a device reset and enrolled again). Runs after django-otp's OTPMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified() and self._needs_code(request, user):
            if mfa.mfa_enrolled(user):
                logout(request)
                return redirect_to_login(request.get_full_path())
            if not self._open_before_enrolment(request.path):
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": _("Set up two-factor sign-in first.")}, status=403)
                if request.headers.get("HX-Request"):
                    # a part of a page (the counter bar of the enrolment page itself): nothing to swap in, rather
                    # than the enrolment page drawn inside the part
                    return HttpResponse(status=204)
                return redirect("two-factor")
        return self.get_response(request)

    @staticmethod
    def _needs_code(request, user) -> bool:
        if mfa.mfa_required(user):
            return True
        enrolled = request.session.get(mfa.SESSION_ENROLLED)
        if enrolled is None:
            enrolled = request.session[mfa.SESSION_ENROLLED] = mfa.mfa_enrolled(user)
        return enrolled

    @staticmethod
    def _open_before_enrolment(path: str) -> bool:
        open_paths = {reverse("two-factor"), reverse("logout"), reverse("set_language")}
        return path in open_paths or path.startswith("/" + settings.STATIC_URL.lstrip("/"))
