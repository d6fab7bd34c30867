"""The merge service on this floor's own rows; tests/test_customer_merge.py covers every floor's."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db.models import F, UniqueConstraint
from django.db.models.functions import Lower

from crm_site.exceptions import Conflict, NotAllowed
from customers import access, merge
from customers.exceptions import CustomerInvalid
from customers.models import (
    AccessVia,
    ConsentRecord,
    ConsentSource,
    Customer,
    CustomerAccessLog,
    CustomerMerge,
    CustomerStatus,
    Interaction,
)
from customers.tests.factories import CustomerFactory, resident_id

pytestmark = pytest.mark.django_db

BORN = dt.date(1980, 3, 4)


@pytest.fixture
def pair(branch):
    survivor = CustomerFactory(home_branch=branch, full_name="张伟", date_of_birth=BORN, mobile="13800000001",
                               email="")
    merged = CustomerFactory(home_branch=branch, full_name="张伟", date_of_birth=BORN, mobile="13900000002",
                             email="zw@example.com", id_number="")
    return survivor, merged


def _counts(customer):
    return {"consents": ConsentRecord.objects.filter(customer=customer).count(),
            "interactions": Interaction.objects.filter(customer=customer).count(),
            "access": CustomerAccessLog.objects.filter(customer=customer).count()}


def test_every_relation_pointing_at_customers_has_a_merge_policy():
    """A new foreign key to Customer that the generic mover cannot handle fails here, not in a merge."""
    plans = merge.merge_plan()
    assert [plan.label for plan in plans if plan.strategy is merge.Strategy.UNHANDLED] == []
    by_label = {plan.label: plan.strategy for plan in plans}
    expected = {
        "customers.consentrecord.customer": merge.Strategy.MOVE,
        "customers.interaction.customer": merge.Strategy.MOVE,
        "customers.customeraccesslog.customer": merge.Strategy.KEEP,  # append-only: stays on the tombstone
        "customers.customer.merged_into": merge.Strategy.MOVE,
        "customers.historicalcustomer.merged_into": merge.Strategy.KEEP,
        "customers.customermerge.merged": merge.Strategy.KEEP,
        "accounts.account.customer": merge.Strategy.MOVE,
        "accounts.card.customer": merge.Strategy.MOVE,
        "transactions.transaction.customer": merge.Strategy.MOVE,
    }
    assert {label: by_label.get(label) for label in expected} == expected


def test_a_relation_with_a_uniqueness_rule_the_mover_cannot_read_stops_the_merge(monkeypatch, pair, admin_user):
    rule = UniqueConstraint(Lower("text"), F("customer"), name="one_text_per_customer")
    monkeypatch.setattr(Interaction._meta, "constraints", [rule])
    assert "customers.interaction.customer" in [p.label for p in merge.merge_plan()
                                                if p.strategy is merge.Strategy.UNHANDLED]
    survivor, merged = pair
    with pytest.raises(RuntimeError, match=r"customers\.interaction\.customer"):
        merge.customers_merge(survivor=survivor, merged=merged, merged_by=admin_user)
    assert Customer.objects.get(pk=merged.pk).merged_into_id is None


def test_merge_moves_this_floors_rows_and_leaves_a_tombstone(pair, admin_user, teller):
    survivor, merged = pair
    for n in range(2):
        Interaction.objects.create(customer=merged, staff=teller, text=f"note {n}")
    ConsentRecord.objects.create(customer=merged, channel="SMS", granted=False, source=ConsentSource.COUNTER)
    for _ in range(3):
        CustomerAccessLog.objects.create(customer=merged, user=teller, via=AccessVia.PAGE)
    Interaction.objects.create(customer=survivor, staff=teller, text="survivor's own")
    before = {"survivor": _counts(survivor), "merged": _counts(merged)}

    record = merge.customers_merge(survivor=survivor, merged=merged, merged_by=admin_user)

    # the access record is append-only: who opened the merged profile stays on its tombstone
    assert _counts(merged) == {"consents": 0, "interactions": 0, "access": 3}
    moved = ("consents", "interactions")
    assert {key: _counts(survivor)[key] for key in moved} == {
        key: before["survivor"][key] + before["merged"][key] for key in moved}
    assert _counts(survivor)["access"] == before["survivor"]["access"]
    assert record.moved == {"customers.interaction.customer": 2, "customers.consentrecord.customer": 1}
    assert (record.survivor, record.merged, record.merged_by) == (survivor, merged, admin_user)
    merged.refresh_from_db()
    assert (merged.merged_into, merged.status) == (survivor, CustomerStatus.MERGED)
    assert merged.merged_at is not None
    assert merged.history.first().history_change_reason == "merge"
    assert survivor.history.first().history_change_reason == "merge"
    assert survivor.history.first().history_user == admin_user


def test_the_chosen_values_of_the_merged_profile_move_to_the_survivor(branch, admin_user):
    number = resident_id(BORN, sequence=777)
    survivor = CustomerFactory(home_branch=branch, date_of_birth=BORN, id_number="", mobile="13800000001", email="")
    merged = CustomerFactory(home_branch=branch, date_of_birth=BORN, id_number=number, mobile="13900000002",
                             email="zw@example.com")

    record = merge.customers_merge(survivor=survivor, merged=merged, merged_by=admin_user,
                                   field_choices={"mobile": "merged", "id_document": "merged", "email": "survivor"})

    survivor.refresh_from_db()
    assert survivor.mobile == "+8613900000002"
    assert survivor.id_number == number
    assert survivor.email == ""
    assert record.field_choices == {"id_document": "merged", "mobile": "merged", "email": "survivor"}
    newest = survivor.history.first()
    assert (newest.history_change_reason, newest.mobile, newest.history_user) == ("merge", "+8613900000002",
                                                                                   admin_user)


def test_tombstones_of_the_merged_profile_point_to_the_new_survivor(branch, admin_user):
    first, second, third = (CustomerFactory(home_branch=branch, date_of_birth=BORN, id_number="") for _ in range(3))
    merge.customers_merge(survivor=second, merged=first, merged_by=admin_user)
    merge.customers_merge(survivor=third, merged=second, merged_by=admin_user)
    assert Customer.objects.get(pk=first.pk).merged_into_id == third.pk
    assert Customer.objects.get(pk=second.pk).merged_into_id == third.pk


def test_a_merge_of_two_different_valid_id_numbers_is_refused_and_writes_nothing(branch, admin_user, teller):
    survivor = CustomerFactory(home_branch=branch, date_of_birth=BORN, id_number=resident_id(BORN, sequence=1))
    merged = CustomerFactory(home_branch=branch, date_of_birth=BORN, id_number=resident_id(BORN, sequence=2))
    Interaction.objects.create(customer=merged, staff=teller, text="note")
    history_rows = Customer.history.count()

    with pytest.raises(Conflict, match="two different ID numbers"):
        merge.customers_merge(survivor=survivor, merged=merged, merged_by=admin_user,
                              field_choices={"mobile": "merged"})

    assert Interaction.objects.get().customer_id == merged.pk
    assert Customer.objects.get(pk=merged.pk).merged_into_id is None
    assert Customer.objects.get(pk=survivor.pk).mobile == survivor.mobile
    assert Customer.history.count() == history_rows
    assert not CustomerMerge.objects.exists()


def test_the_same_id_number_on_both_profiles_is_no_conflict(branch, admin_user):
    number = resident_id(BORN, sequence=5)
    survivor = CustomerFactory(home_branch=branch, date_of_birth=BORN, id_number=number)
    merged = CustomerFactory(home_branch=branch, date_of_birth=BORN, id_number=number.lower())
    merge.customers_merge(survivor=survivor, merged=merged, merged_by=admin_user)
    assert Customer.objects.get(pk=merged.pk).merged_into_id == survivor.pk


@pytest.mark.parametrize("case", ["itself", "tombstone_survivor", "tombstone_merged"])
def test_merging_a_customer_with_itself_or_with_a_tombstone_is_refused(branch, admin_user, case):
    a, b, c = (CustomerFactory(home_branch=branch, id_number="") for _ in range(3))
    merge.customers_merge(survivor=c, merged=b, merged_by=admin_user)
    survivor, merged = {"itself": (a, a), "tombstone_survivor": (b, a), "tombstone_merged": (a, b)}[case]
    with pytest.raises((CustomerInvalid, Conflict)):
        merge.customers_merge(survivor=survivor, merged=merged, merged_by=admin_user)
    assert CustomerMerge.objects.count() == 1


def test_only_those_who_may_merge_can(pair, manager):
    survivor, merged = pair
    with pytest.raises(NotAllowed):
        merge.customers_merge(survivor=survivor, merged=merged, merged_by=manager)
    assert Customer.objects.get(pk=merged.pk).merged_into_id is None


def test_an_unknown_merge_choice_is_refused(pair, admin_user):
    survivor, merged = pair
    with pytest.raises(CustomerInvalid, match="customer_no"):
        merge.customers_merge(survivor=survivor, merged=merged, merged_by=admin_user,
                              field_choices={"customer_no": "merged"})


def test_a_choice_that_breaks_a_profile_rule_undoes_the_whole_merge(branch, admin_user, teller):
    survivor = CustomerFactory(home_branch=branch, date_of_birth=BORN, id_number="")
    merged = CustomerFactory(home_branch=branch, date_of_birth=dt.date(1990, 1, 1))  # its ID says 1990-01-01
    Interaction.objects.create(customer=merged, staff=teller, text="note")
    with pytest.raises(ValidationError):  # the survivor keeps its birth date, which the ID contradicts
        merge.customers_merge(survivor=survivor, merged=merged, merged_by=admin_user,
                              field_choices={"id_document": "merged"})
    assert Interaction.objects.get().customer_id == merged.pk
    assert Customer.objects.get(pk=survivor.pk).id_number == ""


def test_the_form_proposes_the_survivors_values_unless_only_the_merged_one_has_one(pair):
    survivor, merged = pair
    Customer.objects.filter(pk=merged.pk).update(do_not_contact=True)
    merged.refresh_from_db()
    choices = merge.merge_choices_default(survivor=survivor, merged=merged)
    assert choices["mobile"] == "survivor"
    assert choices["email"] == "merged"  # the survivor has none
    assert choices["do_not_contact"] == "merged"  # "do not contact" wins
    assert "full_name" not in choices  # the same on both


def test_a_dismissed_pair_is_recorded_once_in_id_order(pair, admin_user):
    survivor, merged = pair
    first = merge.duplicate_dismiss(customer=merged, other=survivor, dismissed_by=admin_user)
    again = merge.duplicate_dismiss(customer=survivor, other=merged, dismissed_by=admin_user)
    assert first.pk == again.pk
    assert (first.customer_a_id, first.customer_b_id) == tuple(sorted((survivor.pk, merged.pk)))


def test_the_survivors_access_record_shows_who_opened_the_merged_profile(pair, admin_user, teller):
    survivor, merged = pair
    before = CustomerAccessLog.objects.create(customer=merged, user=teller, via=AccessVia.API)
    own = CustomerAccessLog.objects.create(customer=survivor, user=teller, via=AccessVia.PAGE)
    merge.customers_merge(survivor=survivor, merged=merged, merged_by=admin_user)
    rows = access.access_log_for_user(user=admin_user, customer=survivor)
    assert set(rows) == {before, own}
    assert CustomerAccessLog.objects.get(pk=before.pk).customer_id == merged.pk  # not rewritten
