"""Two-factor sign-in (django-otp): a TOTP app on the staff member's phone, recovery codes for a lost one.

Roles named in MFA_REQUIRED_ROLES must confirm a one-time code after their password (on the site's login
and so for /admin/, which signs in there); anyone else may enrol and is then asked too. A staff member who
lost their phone uses a recovery code once, or asks an admin to reset the device (logged), then enrols again.
"""

from __future__ import annotations

import base64
import io
import logging
import re

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from crm_site.exceptions import NotAllowed

from .selectors import is_bank_admin, staff_profile_get

logger = logging.getLogger(__name__)

RECOVERY_CODES = 10
DEVICE_NAME = "phone"
RECOVERY_DEVICE_NAME = "recovery codes"
TOTP_CODE = re.compile(r"^\d{6}$")
SESSION_ENROLLED = "mfa_enrolled"  # whether the signed-in user had a device when this session began


def mfa_required(user: AbstractBaseUser) -> bool:
    """Whether the user's role must confirm a one-time code (MFA_REQUIRED_ROLES; a superuser counts as admin)."""
    required = set(settings.MFA_REQUIRED_ROLES)
    if not required or not user.is_authenticated:
        return False
    if user.is_superuser and "admin" in required:
        return True
    profile = staff_profile_get(user=user)
    return profile is not None and profile.role in required


def mfa_enrolled(user: AbstractBaseUser) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def session_note_enrolment(sender, request, user, **kwargs) -> None:
    """On sign-in: whether this user has a device, kept in the session for TwoFactorMiddleware."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_ENROLLED] = mfa_enrolled(user)


def totp_device_pending(*, user: AbstractBaseUser) -> TOTPDevice:
    """The device being enrolled: a new secret until its first code confirms it (one per user)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def totp_secret(device: TOTPDevice) -> str:
    """The secret as the authenticator apps take it when typed in (base32, in groups of four)."""
    secret = base64.b32encode(device.bin_key).decode()
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def totp_qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth URI as a QR code, an SVG data URI (the page's content policy allows data: images)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@transaction.atomic
def totp_confirm(*, user: AbstractBaseUser, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the pending device with its first code: then it is the user's only one, with fresh recovery
    codes (returned, to be shown once). None when the code is wrong."""
    if device.user_id != user.pk or device.confirmed or not device.verify_token(_digits(token)):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    logger.info("two-factor device enrolled for user %s", user.pk)
    return recovery_codes_replace(user=user)


@transaction.atomic
def recovery_codes_replace(*, user: AbstractBaseUser) -> list[str]:
    """New recovery codes (each works once); the old ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def mfa_verify(*, user: AbstractBaseUser, token: str) -> Device | None:
    """The device that accepts this code: six digits go to the phone's TOTP, anything else is tried as a
    recovery code (used up by the match). None when nothing accepts it."""
    token = (token or "").strip()
    if not token or len(token) > 32:
        return None
    digits = _digits(token)
    with transaction.atomic():
        if TOTP_CODE.match(digits):
            devices = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
            token = digits
        else:
            devices = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True)
            token = token.lower().replace(" ", "").replace("-", "")
        for device in devices:
            if device.verify_token(token):
                return device
    return None


@transaction.atomic
def mfa_reset(*, user: AbstractBaseUser, reset_by: AbstractBaseUser) -> int:
    """A lost phone: an admin removes the user's devices and recovery codes; the user enrols again at their
    next sign-in (if their role requires it). Another admin must do it for an admin's own account."""
    if not is_bank_admin(reset_by):
        raise NotAllowed(_("Only an admin may reset a two-factor device."))
    if reset_by.pk == user.pk:
        raise NotAllowed(_("Another admin must reset your own two-factor device."))
    deleted = TOTPDevice.objects.filter(user=user).delete()[0] + StaticDevice.objects.filter(user=user).delete()[0]
    logger.warning("two-factor devices of user %s reset by user %s", user.pk, reset_by.pk)
    return deleted


def _digits(token: str) -> str:
    return (token or "").replace(" ", "").strip()
