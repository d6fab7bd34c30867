"""Merging a duplicate profile into the one that survives (DESIGN §4, §8: admins only).

The rows that belong to a customer live on every floor (accounts, cards, transactions, scores,
campaign recipients, ...), and this floor may not import them. So the merge moves them
generically: it walks every relation that points at Customer (`Customer._meta`), and moves each
one's rows with one UPDATE. Rows that would break a uniqueness rule on the survivor (the same
campaign twice, a one-to-one) stay with the merged record and are counted as kept; rows derived
from the others (scores) are deleted, and a refresh of the survivor's is asked for (by task name:
the scoring floor is above this one).

The merged profile is not deleted: it stays as a tombstone (status MERGED, `merged_into` the
survivor), so its customer number still leads to the right profile, and its history stays its own.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from celery import current_app
from django.contrib.auth.models import AbstractBaseUser
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.models import HistoricalChanges

from crm_site.exceptions import Conflict, NotAllowed

from .exceptions import CustomerInvalid
from .models import Customer, CustomerMerge, CustomerStatus, DuplicateDismissal
from .services import customer_update

logger = logging.getLogger(__name__)

CHANGE_REASON = "merge"
SURVIVOR, MERGED = "survivor", "merged"

# What the admin chooses between, field by field. The ID document's three fields go together: a number
# without its type (or with another document's expiry) would be a document nobody holds.
MERGE_FIELDS: dict[str, tuple[str, ...]] = {
    "full_name": ("full_name",),
    "gender": ("gender",),
    "date_of_birth": ("date_of_birth",),
    "id_document": ("id_type", "id_number", "id_expiry"),
    "mobile": ("mobile",),
    "email": ("email",),
    "address": ("address",),
    "city": ("city",),
    "preferred_name": ("preferred_name",),
    "salutation": ("salutation",),
    "preferred_language": ("preferred_language",),
    "preferred_contact_channel": ("preferred_contact_channel",),
    "preferred_contact_time": ("preferred_contact_time",),
    "service_notes": ("service_notes",),
    "do_not_contact": ("do_not_contact",),
    "kyc": ("kyc_status", "kyc_review_date"),
    "risk_rating": ("risk_rating",),
    "home_branch": ("home_branch",),
    "relationship_manager": ("relationship_manager",),
    "segment": ("segment",),
    "status": ("status",),
    "occupation": ("occupation",),
    "employer": ("employer",),
    "income_band": ("income_band",),
}
# a group is "empty" on a profile when these are (an ID type without a number is no document)
EMPTY_WHEN = {"id_document": ("id_number",), "kyc": ("kyc_review_date",)}
MERGE_FIELD_LABELS = {"id_document": gettext_lazy("ID document (type, number, expiry)"),
                      "kyc": gettext_lazy("KYC status and review date")}


class Strategy(enum.Enum):
    MOVE = "move"  # every row moves to the survivor (those a uniqueness rule forbids stay with the tombstone)
    DELETE = "delete"  # derived from the other rows: the merged record's are deleted, the survivor's recomputed
    KEEP = "keep"  # about the profiles themselves (merge records, dismissals, history): stays as it is
    UNHANDLED = "unhandled"  # a uniqueness rule the generic mover cannot read: add a policy below


# Relations whose rows stay where they are, by "app_label.model.field". The access record is append-only (a
# trigger refuses any UPDATE): who looked at the merged profile stays on its tombstone, and the survivor's
# record reads both (customers.access).
KEEP_RELATIONS = frozenset({
    "customers.customeraccesslog.customer",
    "customers.customermerge.survivor", "customers.customermerge.merged",
    "customers.duplicatedismissal.customer_a", "customers.duplicatedismissal.customer_b",
})
# Models computed from the other rows (by label); the merged record's rows are deleted.
DERIVED_MODELS = frozenset({"scoring.customerscore"})


@dataclass(frozen=True)
class UniqueRule:
    others: tuple[str, ...]  # the other fields of the rule; () means one row per customer
    condition: Q | None = None


@dataclass(frozen=True)
class RelationPlan:
    model: type[models.Model]
    field: models.ForeignKey
    strategy: Strategy
    unique_rules: tuple[UniqueRule, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.model._meta.label_lower}.{self.field.name}"


def _unique_rules(model: type[models.Model], field: models.Field) -> tuple[UniqueRule, ...] | None:
    """The uniqueness rules a change of `field` could break; None if one cannot be read generically."""
    rules = []
    if field.unique:
        rules.append(UniqueRule(()))
    for together in model._meta.unique_together:
        if field.name in together:
            rules.append(UniqueRule(tuple(name for name in together if name != field.name)))
    for constraint in model._meta.constraints:
        if not isinstance(constraint, models.UniqueConstraint):
            continue
        if constraint.expressions:
            return None
        if field.name in constraint.fields:
            rules.append(UniqueRule(tuple(name for name in constraint.fields if name != field.name),
                                    constraint.condition))
    return tuple(rules)


def merge_plan() -> list[RelationPlan]:
    """How the merge treats each relation pointing at Customer, hidden ones (related_name "+") included."""
    plans = []
    for relation in Customer._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete) or relation.many_to_many:
            continue  # forward fields; a many-to-many is moved through its join table's own foreign key
        model, field = relation.related_model, relation.field
        label = f"{model._meta.label_lower}.{field.name}"
        if label in KEEP_RELATIONS or issubclass(model, HistoricalChanges):
            plans.append(RelationPlan(model, field, Strategy.KEEP))
        elif model._meta.label_lower in DERIVED_MODELS:
            plans.append(RelationPlan(model, field, Strategy.DELETE))
        else:
            rules = _unique_rules(model, field)
            strategy = Strategy.UNHANDLED if rules is None or field.primary_key else Strategy.MOVE
            plans.append(RelationPlan(model, field, strategy, rules or ()))
    return plans


def _move(plan: RelationPlan, *, survivor: Customer, merged: Customer) -> tuple[int, int]:
    """Move the merged record's rows of one relation in one UPDATE; returns (moved, kept)."""
    manager = plan.model._base_manager
    rows = manager.filter(**{plan.field.name: merged})
    blocked = Q(pk__in=[])
    for rule in plan.unique_rules:
        taken = manager.filter(**{plan.field.name: survivor}, **{name: OuterRef(name) for name in rule.others})
        if rule.condition is not None:
            taken = taken.filter(rule.condition)
            blocked |= Q(Exists(taken)) & rule.condition
        else:
            blocked |= Q(Exists(taken))
    kept = rows.filter(blocked).count() if plan.unique_rules else 0
    moved = (rows.exclude(blocked) if plan.unique_rules else rows).update(**{plan.field.name: survivor})
    return moved, kept


def merge_choices_default(*, survivor: Customer, merged: Customer) -> dict[str, str]:
    """Which value the form proposes per differing field: the survivor's, unless only the merged one has one.

    `do_not_contact` proposes "do not contact" when either profile asked for it.
    """
    choices = {}
    for key in merge_fields_differing(survivor=survivor, merged=merged):
        if key == "do_not_contact":
            choices[key] = MERGED if merged.do_not_contact else SURVIVOR
            continue
        empty_here = all(getattr(survivor, name) in ("", None) for name in EMPTY_WHEN.get(key, MERGE_FIELDS[key]))
        choices[key] = MERGED if empty_here else SURVIVOR
    return choices


def merge_fields_differing(*, survivor: Customer, merged: Customer) -> list[str]:
    return [key for key, names in MERGE_FIELDS.items()
            if any(getattr(survivor, name) != getattr(merged, name) for name in names)]


def _identity_conflict(a: Customer, b: Customer) -> bool:
    return bool(a.id_number_hmac and b.id_number_hmac and a.id_number_hmac != b.id_number_hmac)


def merge_check(*, survivor: Customer, merged: Customer) -> None:
    """Refuse what cannot be merged, with the reason (nothing is written)."""
    if survivor.pk == merged.pk:
        raise CustomerInvalid(_("A customer cannot be merged with itself."))
    for customer in (survivor, merged):
        if customer.merged_into_id is not None:
            raise Conflict(_("Customer %(no)s was already merged into another profile.")
                           % {"no": customer.customer_no})
    if _identity_conflict(survivor, merged):
        raise Conflict(_("Customers %(a)s and %(b)s hold two different ID numbers: they are two people, or one "
                         "of the numbers is wrong. Correct the wrong one first; merging would lose an identity.")
                       % {"a": survivor.customer_no, "b": merged.customer_no})


@transaction.atomic
def customers_merge(*, survivor: Customer, merged: Customer, merged_by: AbstractBaseUser,
                    field_choices: Mapping[str, str] | None = None) -> CustomerMerge:
    """Merge `merged` into `survivor`, all or nothing.

    field_choices maps a MERGE_FIELDS key to "survivor" or "merged" (whose value the survivor keeps;
    absent keys keep the survivor's). Every row pointing at the merged profile moves to the survivor;
    the merged profile becomes a tombstone pointing to it. Both profiles get a history entry "merge".
    """
    if not merged_by.has_perm("customers.merge_customers"):
        raise NotAllowed(_("You may not merge customers."))
    field_choices = dict(field_choices or {})
    bad = sorted(key for key, choice in field_choices.items() if key not in MERGE_FIELDS or choice not in
                 (SURVIVOR, MERGED))
    if bad:
        raise CustomerInvalid(_("Unknown merge choices: %(fields)s.") % {"fields": ", ".join(bad)})
    if survivor.pk == merged.pk:
        raise CustomerInvalid(_("A customer cannot be merged with itself."))
    # lock both (in id order, so two merges of the same pair cannot deadlock) and work on fresh rows
    locked = {c.pk: c for c in Customer.objects.select_for_update().filter(pk__in=[survivor.pk, merged.pk])
              .order_by("pk")}
    survivor, merged = locked[survivor.pk], locked[merged.pk]
    merge_check(survivor=survivor, merged=merged)

    differing = merge_fields_differing(survivor=survivor, merged=merged)
    recorded = {key: field_choices.get(key, SURVIVOR) for key in differing}
    taken: dict[str, Any] = {name: getattr(merged, name) for key, choice in recorded.items() if choice == MERGED
                             for name in MERGE_FIELDS[key]}
    if taken:
        customer_update(customer=survivor, changed_by=merged_by, data=taken, change_reason=CHANGE_REASON)
    else:
        _history_touch(survivor, merged_by)

    moved, kept, deleted = {}, {}, {}
    plans = merge_plan()
    unhandled = [plan.label for plan in plans if plan.strategy is Strategy.UNHANDLED]
    if unhandled:
        raise RuntimeError(f"the merge has no policy for {unhandled}: add one in customers.merge")
    for plan in plans:
        if plan.strategy is Strategy.MOVE:
            moved[plan.label], kept[plan.label] = _move(plan, survivor=survivor, merged=merged)
        elif plan.strategy is Strategy.DELETE:
            deleted[plan.label], _by_model = plan.model._base_manager.filter(**{plan.field.name: merged}).delete()

    merged.merged_into, merged.merged_at, merged.status = survivor, timezone.now(), CustomerStatus.MERGED
    merged._history_user, merged._change_reason = merged_by, CHANGE_REASON
    merged.save(update_fields=["merged_into", "merged_at", "status", "updated_at"])
    survivor_id = survivor.pk
    transaction.on_commit(lambda: scores_refresh_request(customer_id=survivor_id))
    return CustomerMerge.objects.create(
        survivor=survivor, merged=merged, merged_by=merged_by, at=merged.merged_at, field_choices=recorded,
        moved={label: n for label, n in moved.items() if n}, kept={label: n for label, n in kept.items() if n},
        deleted={label: n for label, n in deleted.items() if n},
    )


def scores_refresh_request(*, customer_id: int) -> bool:
    """The survivor now holds the merged profile's accounts and transactions: ask for its scores again.

    A broker outage is logged, not raised (the merge is committed); the nightly refresh catches up.
    """
    try:
        current_app.send_task("scoring.refresh_customers", kwargs={"customer_ids": [customer_id], "batch_id": None})
    except Exception:
        logger.warning("score refresh after merging into customer %s could not be queued", customer_id,
                       exc_info=True)
        return False
    return True


def _history_touch(customer: Customer, user: AbstractBaseUser) -> None:
    """A history entry "merge" on the survivor even when it kept all its own values: the merge is on its record."""
    customer._history_user, customer._change_reason = user, CHANGE_REASON
    customer.save(update_fields=["updated_at"])


def merge_preview(*, survivor: Customer, merged: Customer) -> list[dict]:
    """What of the merged profile would move (for the confirmation page): per relation its name and row count."""
    preview = []
    for plan in merge_plan():
        if plan.strategy is Strategy.MOVE:
            rows = plan.model._base_manager.filter(**{plan.field.name: merged}).count()
            if rows:
                preview.append({"label": plan.label, "name": str(plan.model._meta.verbose_name_plural), "rows": rows})
    return preview


@transaction.atomic
def duplicate_dismiss(*, customer: Customer, other: Customer, dismissed_by: AbstractBaseUser) -> DuplicateDismissal:
    """Record that two profiles listed as likely duplicates are two different people."""
    if not dismissed_by.has_perm("customers.merge_customers"):
        raise NotAllowed(_("You may not review duplicates."))
    if customer.pk == other.pk:
        raise CustomerInvalid(_("A customer cannot be a duplicate of itself."))
    a, b = sorted((customer, other), key=lambda c: c.pk)
    dismissal, _created = DuplicateDismissal.objects.get_or_create(customer_a=a, customer_b=b,
                                                                   defaults={"dismissed_by": dismissed_by})
    return dismissal
