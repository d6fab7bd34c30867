"""A profile's history as people read it: who, when, through what, and each field's old → new value.

Every entry point writes history through customers.services with its own change reason ("admin",
"teller page", "API", "import", "merge"), so this one reader serves all of them. Values are masked
as everywhere else: the ID number shows its last 4 (the history never decrypts it: a change is seen
through the look-up HMAC), mobile and email are masked for everyone but admins.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branches.models import Branch
from crm_site import pii
from crm_site.display import user_display_name
from crm_site.exceptions import NotAllowed

from .access import record_scope
from .models import Customer

PER_PAGE = 25
# shown as one "ID number" change, masked; the derived and bookkeeping columns are not shown
HIDDEN = frozenset({"id", "id_number", "id_number_hmac", "id_number_last4", "created_at", "merged_at"})
KIND = {"+": gettext_lazy("created"), "~": gettext_lazy("changed"), "-": gettext_lazy("deleted")}


@dataclass
class Change:
    field: str
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    at: dt.datetime
    user: str
    user_id: int | None
    via: str
    kind: str
    changes: list[Change] = field(default_factory=list)


def _diff_fields():
    return [f for f in Customer.history.model.tracked_fields if f.name not in HIDDEN]


def _changed(new, old) -> list[str]:
    names = [f.name for f in _diff_fields() if getattr(new, f.attname) != getattr(old, f.attname)]
    if new.id_number_hmac != old.id_number_hmac:
        names.insert(names.index("id_expiry") if "id_expiry" in names else len(names), "id_number")
    return names


class _Formatter:
    """Turns stored values into what the reader may see, resolving the page's foreign keys in one query each."""

    def __init__(self, records, *, reveal_contact: bool):
        self.reveal_contact = reveal_contact
        self.fields = {f.name: f for f in Customer.history.model.tracked_fields}
        branch_ids = {r.home_branch_id for r in records}
        user_ids = {r.relationship_manager_id for r in records} - {None}
        customer_ids = {r.merged_into_id for r in records} - {None}
        self.branches = {b.pk: str(b) for b in Branch.objects.filter(pk__in=branch_ids)}
        self.users = {u.pk: user_display_name(u)
                      for u in get_user_model().objects.filter(pk__in=user_ids)}
        self.customers = dict(Customer.objects.filter(pk__in=customer_ids).values_list("pk", "customer_no"))

    def label(self, name: str) -> str:
        if name == "id_number":
            return str(Customer._meta.get_field("id_number").verbose_name)
        return str(self.fields[name].verbose_name)

    def value(self, record, name: str) -> str:
        if name == "id_number":
            return pii.mask_id_number(record.id_number_last4) or "—"
        model_field = self.fields[name]
        value = getattr(record, model_field.attname)
        if value in (None, ""):
            return "—"
        if name == "mobile" and not self.reveal_contact:
            return pii.mask_mobile(value)
        if name == "email" and not self.reveal_contact:
            return pii.mask_email(value)
        lookups = {"home_branch": self.branches, "relationship_manager": self.users, "merged_into": self.customers}
        if name in lookups:
            return lookups[name].get(value, str(value))
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        if isinstance(value, dt.datetime):
            return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
        if isinstance(value, dt.date):
            return value.isoformat()
        return str(value)


def customer_history(*, customer: Customer, user, page: int | str | None = 1, per_page: int = PER_PAGE) -> Page:
    """A page of the profile's history, newest first, each entry with its field-by-field changes.

    Admins read every profile's; a branch manager those of their branch's customers (NotAllowed otherwise).
    """
    branch_id = record_scope(user=user, permission="customers.view_historicalcustomer")
    if branch_id is not None and customer.home_branch_id != branch_id:
        raise NotAllowed(_("You may read the history of your own branch's customers only."))
    records = (customer.history.defer("id_number").select_related("history_user")
               .order_by("-history_date", "-history_id"))
    page_obj = Paginator(records, per_page).get_page(page)
    start = page_obj.start_index() - 1 if page_obj.paginator.count else 0
    window = list(records[start:start + per_page + 1])  # the page and the entry before its oldest one
    formatter = _Formatter(window, reveal_contact=user.has_perm("customers.change_customer"))
    entries = []
    for new, old in zip(window[:per_page], [*window[1:], None], strict=False):
        entry = HistoryEntry(at=new.history_date, user=_user_name(new.history_user), user_id=new.history_user_id,
                             via=entry_point_label(new.history_change_reason), kind=str(KIND.get(new.history_type, "")))
        if old is not None and new.history_type == "~":
            entry.changes = [Change(name, formatter.label(name), formatter.value(old, name),
                                    formatter.value(new, name)) for name in _changed(new, old)]
        entries.append(entry)
    page_obj.object_list = entries
    return page_obj


# the entry point a change came through, as the services record it (change_reason): never a raw code on screen
ENTRY_POINTS = {"teller page": gettext_lazy("Teller page"), "API": gettext_lazy("API"),
                "admin": gettext_lazy("Administration"), "merge": gettext_lazy("Merge of duplicates"),
                "import": gettext_lazy("File import"), "demo data": gettext_lazy("Demo data")}


def entry_point_label(reason: str | None) -> str:
    return str(ENTRY_POINTS.get(reason, reason)) if reason else "—"


def _user_name(user) -> str:
    if user is None:
        return _("the system")
    return user_display_name(user)
