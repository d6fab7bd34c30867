"""Reads of the access record: who opened which profile, narrowed to what the reader may see (DESIGN §8).

Who reads what: admins (and superusers) every row; a branch manager the rows about the customers
whose home branch is the manager's branch, whoever opened them; tellers and channel systems
nothing. The same rule narrows the profile history (customers.history).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.selectors import is_bank_admin, staff_profile_get
from crm_site.csv_export import csv_lines
from crm_site.display import person_name_text, user_display_name
from crm_site.exceptions import NotAllowed

from .models import AccessAction, Customer, CustomerAccessLog

UNUSUAL_DAYS = 7


def record_scope(*, user, permission: str = "customers.view_customeraccesslog") -> int | None:
    """The branch whose customers' records this user may read; None for every branch.

    NotAllowed for those who may read none (no permission, or a manager without a branch).
    """
    if not user.is_authenticated or not user.has_perm(permission):
        raise NotAllowed(_("You may not read the access record."))
    if is_bank_admin(user):
        return None
    profile = staff_profile_get(user=user)
    if profile is None:
        raise NotAllowed(_("You may not read the access record."))
    return profile.branch_id


def customers_in_scope(*, user, permission: str) -> QuerySet[Customer]:
    branch_id = record_scope(user=user, permission=permission)
    customers = Customer.objects.all()
    return customers if branch_id is None else customers.filter(home_branch_id=branch_id)


def access_log_for_user(*, user, date_from: dt.date | None = None, date_to: dt.date | None = None,
                        customer: Customer | None = None, staff_id: int | None = None, via: str = "",
                        action: str = "") -> QuerySet[CustomerAccessLog]:
    """The access rows this user may read, newest first, filtered; dates are days in TIME_ZONE, inclusive."""
    branch_id = record_scope(user=user)
    rows = CustomerAccessLog.objects.select_related("customer", "customer__home_branch", "user",
                                                    "user__staff_profile__branch")
    if branch_id is not None:
        rows = rows.filter(customer__home_branch_id=branch_id)
    if date_from:
        rows = rows.filter(at__gte=_start_of(date_from))
    if date_to:
        rows = rows.filter(at__lt=_start_of(date_to + dt.timedelta(days=1)))
    if customer is not None:  # its own rows and those of the profiles merged into it, kept on their tombstones
        rows = rows.filter(Q(customer=customer) | Q(customer__merged_into=customer))
    if staff_id is not None:
        rows = rows.filter(user_id=staff_id)
    if via:
        rows = rows.filter(via=via)
    if action:
        rows = rows.filter(action=action)
    return rows.order_by("-at", "-id")


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def unusual_access(*, user, threshold: int | None = None, days: int = UNUSUAL_DAYS) -> list[dict]:
    """Staff who opened more than `threshold` profiles of other branches' customers on one day, recently.

    One row per staff member and day: {user_id, username, name, branch, day, profiles}, the busiest first.
    Staff without a branch (superusers, channel systems) are not judged by this rule.
    """
    threshold = settings.ACCESS_UNUSUAL_OTHER_BRANCH_PER_DAY if threshold is None else threshold
    since = _start_of(timezone.localdate() - dt.timedelta(days=days - 1))
    rows = access_log_for_user(user=user).select_related(None).filter(
        at__gte=since, action=AccessAction.VIEW, user__staff_profile__isnull=False,
    ).exclude(customer__home_branch_id=F("user__staff_profile__branch_id"))
    busy = (rows.annotate(day=TruncDate("at")).values("user_id", "day")
            .annotate(profiles=Count("customer_id", distinct=True)).filter(profiles__gt=threshold)
            .order_by("-profiles", "-day")
            .values("user_id", "day", "profiles", "user__username", "user__first_name", "user__last_name",
                    "user__staff_profile__branch__name"))
    return [{"user_id": row["user_id"], "username": row["user__username"],
             "name": person_name_text(first_name=row["user__first_name"], last_name=row["user__last_name"])
             or row["user__username"],
             "branch": row["user__staff_profile__branch__name"], "day": row["day"], "profiles": row["profiles"]}
            for row in busy[:50]]


# --- CSV ----------------------------------------------------------------------------------------

CSV_COLUMNS = ("at", "staff", "staff_name", "staff_branch", "customer_no", "customer_name", "customer_branch",
               "id_number", "via", "action", "field", "reason", "ip_address")


def access_log_csv_lines(rows: QuerySet[CustomerAccessLog]) -> Iterator[str]:
    """The rows as CSV lines (a BOM first, for Excel), customer identifiers masked, formulas escaped."""

    def values():
        for row in rows.iterator(chunk_size=2000):
            staff = row.user
            profile = getattr(staff, "staff_profile", None)
            yield (timezone.localtime(row.at).isoformat(timespec="seconds"), staff.username,
                   user_display_name(staff), profile.branch.code if profile else "", row.customer.customer_no,
                   row.customer.full_name, row.customer.home_branch.code, row.customer.masked_id_number,
                   row.via, row.action, row.field, row.reason, row.ip_address or "")

    return csv_lines(CSV_COLUMNS, values())
