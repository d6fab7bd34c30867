"""Signing in: the password, then (for those who need it) the one-time code; enrolling a phone; the lockout."""

from __future__ import annotations

import time

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login

from . import mfa
from .forms import LoginForm

User = get_user_model()

PENDING = "mfa_pending"  # the session of someone whose password was right and whose code is still due
PENDING_SECONDS = 300


def locked_out(request, original_response=None, credentials=None):
    """django-axes calls this when a username has failed to log in too often."""
    request.session.pop(PENDING, None)
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)


class StaffLoginView(auth_views.LoginView):
    """The password step. Staff who need a second factor are not signed in yet: the code comes next.

    Signing in (and django-axes' reset of failed attempts) happens only after the code, so failed codes
    add up with failed passwords towards the lockout.
    """

    redirect_authenticated_user = True
    authentication_form = LoginForm

    def form_valid(self, form):
        user = form.get_user()
        needs_code = mfa.mfa_enrolled(user)
        if not needs_code:
            return super().form_valid(form)  # enrolment, if the role requires it, follows (TwoFactorMiddleware)
        self.request.session[PENDING] = {"user": user.pk, "backend": user.backend, "at": int(time.time()),
                                         "next": self.get_success_url()}
        return HttpResponseRedirect(reverse("login-verify"))


def _pending_user(request):
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None, None
    return User.objects.filter(pk=pending["user"], is_active=True).first(), pending


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def login_verify(request):
    """The code step: a code from the phone app, or one of the recovery codes."""
    user, pending = _pending_user(request)
    if user is None:
        return redirect("login")
    credentials = {"username": user.get_username()}
    if AxesProxyHandler.is_locked(request, credentials):
        return locked_out(request)
    error = ""
    status = 200
    if request.method == "POST":
        device = mfa.mfa_verify(user=user, token=request.POST.get("code", ""))
        if device is not None:
            request.session.pop(PENDING, None)
            auth_login(request, user, backend=pending["backend"])
            otp_login(request, device)
            return HttpResponseRedirect(pending["next"])
        # counts towards the lockout like a wrong password (axes locks the username at the limit)
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        error = _("That code is not right, or it was already used. Try the current code from your app.")
        status = 400
    return render(request, "registration/login_verify.html", {"error": error, "username": user.get_username()},
                  status=status)


@login_required
@sensitive_post_parameters("code")
@never_cache
def two_factor(request):
    """Enrol a phone app (secret, otpauth URI and QR code; confirmed by its first code), and new recovery codes."""
    user = request.user
    enrolled = mfa.mfa_enrolled(user)
    context = {"enrolled": enrolled, "required": mfa.mfa_required(user), "error": ""}
    status = 200
    if request.method == "POST" and request.POST.get("action") == "recovery" and enrolled:
        if not user.is_verified():
            return redirect("logout")
        context["recovery_codes"] = mfa.recovery_codes_replace(user=user)
    elif request.method == "POST" and not enrolled:
        device = mfa.totp_device_pending(user=user)
        codes = mfa.totp_confirm(user=user, device=device, token=request.POST.get("code", ""))
        if codes is None:
            context["error"] = _("That code is not right. Enter the six digits your app shows now.")
            status = 400
        else:
            request.session[mfa.SESSION_ENROLLED] = True
            otp_login(request, device)
            context.update(enrolled=True, recovery_codes=codes)
    if not context["enrolled"]:
        device = mfa.totp_device_pending(user=user)
        context.update(secret=mfa.totp_secret(device), otpauth_uri=device.config_url,
                       qr_code=mfa.totp_qr_data_uri(device))
    response = render(request, "registration/two_factor.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


def admin_login(request):
    """/admin/login/: the admin signs in through the site's login (password, then the code)."""
    if request.method == "GET" and request.user.is_authenticated:
        return admin.site.login(request)  # signed in without the admin: the admin says so
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        next_url = reverse("admin:index")
    return HttpResponseRedirect(resolve_url(settings.LOGIN_URL) + "?" + urlencode({"next": next_url}))

