"""Roles are Django groups with the permissions of DESIGN §8, created by data migrations."""

import pytest
from django.contrib.auth.models import Group

from branches import services
from branches.models import Role, StaffProfile
from branches.roles import ROLE_GROUPS

pytestmark = pytest.mark.django_db

# Each DESIGN §8 row, as the permissions that carry it.
SEE_CUSTOMERS = ["customers.view_customer", "accounts.view_account", "accounts.view_card",
                 "transactions.view_transaction"]
SERVE_CUSTOMERS = ["customers.add_interaction", "customers.add_consentrecord", "customers.change_customer_contact",
                   "customers.reveal_customer_pii"]
ADMINISTER = ["customers.change_customer_identity", "customers.merge_customers", "auth.add_user",
              "auth.change_user", "branches.add_staffprofile", "branches.change_staffprofile"]
FEEDS = ["transactions.add_ingestbatch", "transactions.view_ingestbatch", "transactions.view_rejectedrow"]
OVERSIGHT = ["customers.view_customeraccesslog", "customers.view_historicalcustomer",
             "branches.view_branch_dashboard"]

ROLE_PERMISSIONS = {
    "teller": (SEE_CUSTOMERS + SERVE_CUSTOMERS, ADMINISTER + FEEDS + OVERSIGHT),
    "manager": (SEE_CUSTOMERS + SERVE_CUSTOMERS + FEEDS + OVERSIGHT, ADMINISTER),
    "admin_user": (SEE_CUSTOMERS + SERVE_CUSTOMERS + FEEDS + OVERSIGHT + ADMINISTER, []),
    "channel_system": (["transactions.add_ingestbatch", "transactions.view_ingestbatch"],
                       SEE_CUSTOMERS + SERVE_CUSTOMERS + ADMINISTER + OVERSIGHT + ["transactions.view_rejectedrow"]),
}
CASES = [(persona, perm, True) for persona, (allowed, _) in ROLE_PERMISSIONS.items() for perm in allowed] + [
    (persona, perm, False) for persona, (_, denied) in ROLE_PERMISSIONS.items() for perm in denied]


def test_the_role_groups_exist_after_the_migrations():
    assert set(Group.objects.filter(name__in=ROLE_GROUPS).values_list("name", flat=True)) == {
        "teller", "manager", "admin", "kiosk", "channel_system"}


@pytest.mark.parametrize(("persona", "perm", "allowed"), CASES, ids=[f"{p}-{perm}-{a}" for p, perm, a in CASES])
def test_each_persona_has_exactly_the_permissions_of_its_role(request, persona, perm, allowed):
    user = request.getfixturevalue(persona)
    assert user.has_perm(perm) is allowed


def test_a_channel_system_can_ingest_and_read_exchange_rates_and_nothing_else(channel_system):
    assert channel_system.get_all_permissions() == {"transactions.add_ingestbatch", "transactions.view_ingestbatch",
                                                    "accounts.view_fxrate"}
    assert not channel_system.has_usable_password()
    assert not channel_system.is_staff


def test_a_teller_can_change_nothing_but_contact_details_interactions_and_consent(teller):
    writes = {p for p in teller.get_all_permissions() if not p.split(".")[1].startswith("view_")}
    assert writes == {"customers.change_customer_contact", "customers.reveal_customer_pii",
                      "customers.add_interaction", "customers.add_consentrecord",
                      "campaigns.record_offer_outcome",  # DESIGN §8: the teller records offer outcomes
                      "counter.call_ticket"}  # and calls tickets at a counter


@pytest.mark.parametrize(("role", "is_staff"), [(Role.TELLER, False), (Role.MANAGER, True), (Role.ADMIN, True)])
def test_staff_create_puts_the_user_in_the_role_group_and_ties_the_branch(branch, role, is_staff):
    user = services.staff_create(username="wang.fang", password="a-long-password-1", branch=branch, role=role)
    assert list(user.groups.values_list("name", flat=True)) == [role]
    profile = StaffProfile.objects.get(user=user)
    assert (profile.branch, profile.role) == (branch, role)
    assert user.is_staff is is_staff  # only managers and admins may open the admin site
    assert user.check_password("a-long-password-1")


def test_staff_create_refuses_an_unknown_role(branch):
    with pytest.raises(ValueError, match="unknown role"):
        services.staff_create(username="x", password="a-long-password-1", branch=branch, role="channel_system")


def test_changing_a_role_swaps_the_group_and_the_admin_access(teller):
    services.staff_set_role(user=teller, role=Role.MANAGER)
    teller.refresh_from_db()
    assert list(teller.groups.values_list("name", flat=True)) == ["manager"]
    assert teller.is_staff
    assert teller.staff_profile.role == Role.MANAGER
