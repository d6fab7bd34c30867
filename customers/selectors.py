"""Reads of customer profiles."""

from __future__ import annotations

from django.db.models import Max
from django.http import Http404

from .exceptions import CustomerMerged
from .models import AccessAction, ConsentRecord, ContactChannel, Customer, CustomerAccessLog, Interaction


def customer_get(*, customer_no: str, user) -> Customer:
    """The profile a member of staff asked for; 404 when it does not exist or they may not see it.

    A merged profile's number raises CustomerMerged naming the survivor: pages and the API redirect
    a read there, and refuse a write (409). The survivor's number costs a query only for a tombstone.
    """
    if not user.has_perm("customers.view_customer"):
        raise Http404
    try:
        customer = Customer.objects.select_related("home_branch", "relationship_manager").get(customer_no=customer_no)
    except Customer.DoesNotExist as exc:
        raise Http404 from exc
    if customer.merged_into_id is not None:
        survivor_no = Customer.objects.filter(pk=customer.merged_into_id).values_list("customer_no", flat=True).get()
        raise CustomerMerged(customer_no=customer.customer_no, survivor_no=survivor_no)
    return customer


def consents_current(*, customer: Customer) -> list[dict]:
    """Per channel, in the usual order: its label and the newest consent record (None: never asked)."""
    newest = (ConsentRecord.objects.filter(customer=customer).order_by("channel", "-at", "-id")
              .distinct("channel").select_related("recorded_by"))
    by_channel = {record.channel: record for record in newest}
    return [{"channel": code, "label": label, "record": by_channel.get(code)} for code, label in ContactChannel.choices]


def consent_history(*, customer: Customer, limit: int = 50) -> list[ConsentRecord]:
    return list(ConsentRecord.objects.filter(customer=customer).select_related("recorded_by")[:limit])


def interactions_for_customer(*, customer: Customer, limit: int = 50) -> list[Interaction]:
    return list(Interaction.objects.filter(customer=customer).select_related("staff")[:limit])


def recently_served(*, user, limit: int = 10) -> list[dict]:
    """The customers this member of staff opened most recently, newest first, one line each."""
    rows = (CustomerAccessLog.objects.filter(user=user, action=AccessAction.VIEW)
            .values("customer_id").annotate(last=Max("at")).order_by("-last")[:limit])
    last_seen = {row["customer_id"]: row["last"] for row in rows}
    customers = Customer.objects.filter(pk__in=last_seen).select_related("home_branch")
    return sorted(({"customer": c, "at": last_seen[c.pk]} for c in customers), key=lambda r: r["at"], reverse=True)
