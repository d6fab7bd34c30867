"""Two-factor sign-in (issue 11 §3): enrolment, the code step on the site and for /admin/, recovery codes, an
admin's reset of a lost device, and the lockout counting failed codes."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from branches import mfa
from branches.checks import mfa_required_roles_check
from conftest import PASSWORD
from tests.test_production_settings import production_env, run_python

pytestmark = pytest.mark.django_db


@pytest.fixture
def mfa_for_admins_and_managers(settings):
    settings.MFA_REQUIRED_ROLES = ["admin", "manager"]


def current_code(device: TOTPDevice) -> str:
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


def enrolled(user) -> tuple[TOTPDevice, list[str]]:
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return device, mfa.recovery_codes_replace(user=user)


def a_while_later(device: TOTPDevice) -> None:
    """django-otp throttles a device for a second or more after a wrong code: as if the person took that time."""
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - dt.timedelta(minutes=1))


def log_in(client, username, password=PASSWORD):
    return client.post("/login/", {"username": username, "password": password})


def test_anyone_may_enrol_with_the_secret_the_link_or_the_qr_code_and_gets_recovery_codes(client, teller):
    client.force_login(teller)
    page = client.get("/account/two-factor/")
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=teller, confirmed=False)
    html = page.content.decode()
    assert "otpauth://totp/" in html and 'src="data:image/svg+xml;base64,' in html
    assert page.context["secret"].replace(" ", "") in device.config_url

    assert client.post("/account/two-factor/", {"code": "000000"}).status_code == 400
    a_while_later(device)
    done = client.post("/account/two-factor/", {"code": current_code(device)})
    assert done.status_code == 200
    assert len(done.context["recovery_codes"]) == mfa.RECOVERY_CODES
    assert TOTPDevice.objects.get(user=teller).confirmed
    assert client.get("/").status_code == 200  # this session was confirmed by the code


def test_a_manager_signs_in_with_password_then_code_and_only_then_reaches_the_site_and_the_admin(
        client, manager, mfa_for_admins_and_managers):
    device, _codes = enrolled(manager)
    response = log_in(client, "manager")
    assert response.status_code == 302 and response["Location"] == "/login/verify/"
    assert client.get("/admin/").status_code == 302  # not signed in yet
    assert "_auth_user_id" not in client.session

    assert client.post("/login/verify/", {"code": "123456"}).status_code == 400
    a_while_later(device)
    signed_in = client.post("/login/verify/", {"code": current_code(device)})
    assert signed_in.status_code == 302
    assert client.get("/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_the_admin_login_is_the_sites_login_with_its_code_step(client):
    response = client.get("/admin/login/?next=/admin/customers/customer/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=%2Fadmin%2Fcustomers%2Fcustomer%2F"


def test_a_role_that_requires_it_must_enrol_before_anything_else(client, manager, mfa_for_admins_and_managers):
    assert log_in(client, "manager").status_code == 302
    assert client.get("/").url == "/account/two-factor/"
    assert client.get("/admin/").url == "/account/two-factor/"
    assert client.get("/api/v1/campaigns/").status_code == 403
    assert client.get("/account/two-factor/").status_code == 200


def test_a_session_signed_in_without_the_code_is_ended_for_an_enrolled_user(client, manager,
                                                                            mfa_for_admins_and_managers):
    enrolled(manager)
    client.force_login(manager)  # as a password-only login elsewhere would
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert "_auth_user_id" not in client.session


def test_tellers_sign_in_with_a_password_alone_when_their_role_does_not_require_a_code(
        client, teller, mfa_for_admins_and_managers):
    assert log_in(client, "teller")["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_recovery_code_signs_in_once(client, manager, mfa_for_admins_and_managers):
    _device, codes = enrolled(manager)
    log_in(client, "manager")
    assert client.post("/login/verify/", {"code": codes[0].upper()}).status_code == 302
    client.post("/logout/")
    log_in(client, "manager")
    assert client.post("/login/verify/", {"code": codes[0]}).status_code == 400
    assert StaticDevice.objects.get(user=manager).token_set.count() == mfa.RECOVERY_CODES - 1


def test_failed_codes_count_towards_the_lockout_and_a_right_password_does_not_reset_them(
        client, manager, mfa_for_admins_and_managers):
    device, _codes = enrolled(manager)
    limit = settings.AXES_FAILURE_LIMIT
    log_in(client, "manager")
    for _ in range(limit - 1):
        assert client.post("/login/verify/", {"code": "999999"}).status_code == 400
    log_in(client, "manager")  # the password again: not a sign-in, so the failures stay
    locked = client.post("/login/verify/", {"code": "999999"})
    assert locked.status_code == 429
    assert log_in(client, "manager").status_code == 429
    assert client.post("/login/verify/", {"code": current_code(device)}).status_code == 302  # back to the login
    assert "_auth_user_id" not in client.session


def test_an_admin_resets_a_lost_device_on_record_and_the_user_enrols_again(client_for, admin_user, manager):
    enrolled(manager)
    response = client_for(admin_user).post("/admin/auth/user/", {
        "action": "reset_two_factor", "_selected_action": [manager.pk]})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=manager).exists()
    assert not StaticDevice.objects.filter(user=manager).exists()
    entry = LogEntry.objects.get(object_id=str(manager.pk))
    assert entry.user == admin_user and "two-factor" in entry.change_message


def test_an_admin_cannot_reset_their_own_device(client_for, admin_user):
    enrolled(admin_user)
    client = client_for(admin_user)
    session = client.session
    session["otp_device_id"] = TOTPDevice.objects.get(user=admin_user).persistent_id
    session.save()
    client.post("/admin/auth/user/", {"action": "reset_two_factor", "_selected_action": [admin_user.pk]})
    assert TOTPDevice.objects.filter(user=admin_user).exists()
    assert not LogEntry.objects.exists()


def test_a_manager_cannot_reset_devices(client_for, manager, teller):
    enrolled(teller)
    response = client_for(manager).post("/admin/auth/user/", {
        "action": "reset_two_factor", "_selected_action": [teller.pk]})
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=teller).exists()


@pytest.mark.slow
def test_production_requires_a_code_of_admins_and_managers_by_default():
    out = run_python("import django; django.setup(); from django.conf import settings; "
                     "print(','.join(settings.MFA_REQUIRED_ROLES))", production_env(MFA_REQUIRED_ROLES=None))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "admin,manager"


def test_a_misspelt_role_in_the_setting_fails_the_system_check(settings):
    settings.MFA_REQUIRED_ROLES = ["admins", "manager"]
    errors = mfa_required_roles_check(None)
    assert [e.id for e in errors] == ["branches.E001"] and "admins" in errors[0].msg
    settings.MFA_REQUIRED_ROLES = ["admin", "manager"]
    assert mfa_required_roles_check(None) == []


def test_development_and_tests_require_no_code_by_default():
    assert settings.MFA_REQUIRED_ROLES == []


def test_a_part_of_a_page_asked_for_before_enrolment_is_empty_not_the_enrolment_page(
        client, manager, mfa_for_admins_and_managers):
    log_in(client, "manager")
    response = client.get("/counter/bar/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response.content == b""
    assert client.get("/counter/bar/").status_code == 302  # a whole page still goes to the enrolment
