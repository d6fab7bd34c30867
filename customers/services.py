"""Writes to customer profiles: every entry point (admin, forms, API, imports) comes through here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm_site.exceptions import NotAllowed

from . import identity
from .exceptions import CustomerInvalid
from .models import (
    AccessAction,
    ConsentRecord,
    ContactChannel,
    Customer,
    IdType,
    Interaction,
    InteractionChannel,
    InteractionKind,
)

IDENTITY_FIELDS = frozenset({"full_name", "gender", "date_of_birth", "id_type", "id_number", "id_expiry"})
EARLIEST_BIRTH_YEAR = 1900


def customer_clean(*, data: dict[str, Any]) -> dict[str, Any]:
    """Normalise and validate the fields given; raise ValidationError keyed by field with every problem."""
    cleaned = dict(data)
    errors: dict[str, list] = {}
    if "mobile" in cleaned:
        try:
            cleaned["mobile"] = identity.normalise_mobile(cleaned["mobile"] or "")
        except ValidationError as exc:
            errors.setdefault("mobile", []).extend(exc.messages)
    if "full_name" in cleaned:
        cleaned["full_name"] = (cleaned["full_name"] or "").strip()
        if not cleaned["full_name"]:
            errors.setdefault("full_name", []).append(_("A name is required."))
    if cleaned.get("id_number"):
        id_type = cleaned.get("id_type", IdType.RESIDENT_ID)
        number = identity.normalise_id_number(cleaned["id_number"])
        if id_type == IdType.RESIDENT_ID:
            try:
                number = identity.validate_resident_id(number, cleaned.get("date_of_birth"))
            except ValidationError as exc:
                errors.setdefault("id_number", []).extend(exc.messages)
            if cleaned.get("date_of_birth") is None and "id_number" not in errors:
                cleaned["date_of_birth"] = identity.resident_id_birth_date(number)
        cleaned["id_number"] = number
    dob = cleaned.get("date_of_birth")
    if isinstance(dob, dt.date) and dob > dt.date.today():
        errors.setdefault("date_of_birth", []).append(_("The date of birth is in the future."))
    elif isinstance(dob, dt.date) and dob.year < EARLIEST_BIRTH_YEAR:
        errors.setdefault("date_of_birth", []).append(
            _("A date of birth before %(year)s is not plausible.") % {"year": EARLIEST_BIRTH_YEAR})
    expiry = cleaned.get("id_expiry")
    if isinstance(dob, dt.date) and isinstance(expiry, dt.date) and expiry <= dob:
        errors.setdefault("id_expiry", []).append(_("The ID document expires before its holder was born."))
    if errors:
        raise ValidationError(errors)
    return cleaned


def _apply(customer: Customer, cleaned: dict[str, Any]) -> list[str]:
    changed = []
    for field, value in cleaned.items():
        if field == "id_number":
            if value != (customer.id_number or ""):
                customer.set_id_number(value)
                changed += ["id_number", "id_number_hmac", "id_number_last4"]
            continue
        if getattr(customer, field) != value:
            setattr(customer, field, value)
            changed.append(field)
    if "full_name" in changed:
        customer.name_pinyin, customer.name_initials = identity.name_search_keys(customer.full_name)
        changed += ["name_pinyin", "name_initials"]
    return changed


@transaction.atomic
def customer_create(*, customer_no: str, full_name: str, home_branch, changed_by: AbstractBaseUser | None = None,
                    change_reason: str = "", **fields: Any) -> Customer:
    cleaned = customer_clean(data={"full_name": full_name, **fields})
    customer = Customer(customer_no=customer_no, home_branch=home_branch)
    _apply(customer, cleaned)
    customer._history_user = changed_by
    customer._change_reason = change_reason
    customer.full_clean(exclude=["id_number_hmac"])
    customer.save()
    return customer


@transaction.atomic
def customer_update(*, customer: Customer, changed_by: AbstractBaseUser | None, data: dict[str, Any],
                    change_reason: str = "") -> list[str]:
    """Change the given fields, keeping history (who, when, what). Returns the fields that changed.

    The row is re-read under a lock: the caller's instance may be stale (another tab, another teller),
    and both the comparison and the history row (a copy of the whole instance) must start from what is
    stored now, or the history would show changes nobody made. The caller's instance is refreshed.
    """
    current = Customer.objects.select_for_update().get(pk=customer.pk)
    if {"id_type", "id_number", "date_of_birth"} & data.keys():
        # the ID number is checked by its type and against the birth date: the stored ones unless changed too
        data = {"id_type": current.id_type, "id_number": current.id_number,
                "date_of_birth": current.date_of_birth, **data}
    cleaned = customer_clean(data=data)
    changed = _apply(current, cleaned)
    if changed:
        current._history_user = changed_by
        current._change_reason = change_reason
        current.full_clean(exclude=["id_number_hmac"])
        current.save(update_fields=[*changed, "updated_at"])
    customer.refresh_from_db()
    return changed


def customer_access_record(*, customer: Customer, user: AbstractBaseUser, via: str, ip_address: str | None = None,
                           action: str = AccessAction.VIEW, field: str = "", reason: str = "") -> int:
    """Put one look at a profile on record (append-only); returns the rows written (0 or 1).

    A reveal must say why, and is always a row of its own; a view already on record for this staff member,
    customer and entry point within ACCESS_LOG_DEDUP_MINUTES writes nothing.
    """
    if action == AccessAction.REVEAL and not reason.strip():
        raise CustomerInvalid(_("Say why you need to see this field in full."), field="reason")
    return customers_access_record(customer_ids=[customer.pk], user=user, via=via, ip_address=ip_address,
                                   action=action, field=field, reason=reason)


_ACCESS_INSERT = """
INSERT INTO customers_customeraccesslog (customer_id, user_id, at, via, action, field, reason, ip_address)
SELECT listed.id, %(user)s, %(now)s, %(via)s, %(action)s, %(field)s, %(reason)s, %(ip)s
FROM unnest(%(customers)s::bigint[]) AS listed(id)
WHERE NOT %(dedup)s OR NOT EXISTS (
    SELECT 1 FROM customers_customeraccesslog seen
    WHERE seen.user_id = %(user)s AND seen.customer_id = listed.id AND seen.via = %(via)s
      AND seen.action = %(action)s AND seen.at > %(since)s)
"""


def customers_access_record(*, customer_ids: Iterable[int], user: AbstractBaseUser, via: str,
                            ip_address: str | None = None, action: str = AccessAction.VIEW, field: str = "",
                            reason: str = "") -> int:
    """One access row per customer (one profile, or a list shown or exported), in one statement; returns the rows
    written. Views are de-duplicated per staff member, customer and entry point within ACCESS_LOG_DEDUP_MINUTES
    (the access_by_user index serves the check); reveals, which carry a reason, never are."""
    ids = sorted(set(customer_ids))
    if not ids:
        return 0
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(_ACCESS_INSERT, {
            "user": user.pk, "now": now, "via": via, "action": action, "field": field,
            "reason": reason.strip()[:255], "ip": ip_address or None, "customers": ids,
            "dedup": action == AccessAction.VIEW,
            "since": now - dt.timedelta(minutes=settings.ACCESS_LOG_DEDUP_MINUTES),
        })
        return cursor.rowcount


CONTACT_FIELDS = frozenset({
    "mobile", "email", "address", "city", "preferred_name", "salutation", "preferred_language",
    "preferred_contact_channel", "preferred_contact_time", "service_notes",
})


def customer_update_contact(*, customer: Customer, changed_by: AbstractBaseUser, data: dict[str, Any],
                            change_reason: str = "teller page") -> list[str]:
    """What any member of staff may change at the counter: contact details and service preferences.

    change_reason names the entry point in the profile's history ("teller page", "API").
    """
    if not changed_by.has_perm("customers.change_customer_contact"):
        raise NotAllowed(_("You may not change this customer's contact details."))
    refused = set(data) - CONTACT_FIELDS
    if refused:
        raise NotAllowed(_("Only an administrator may change: %(fields)s.") % {"fields": ", ".join(sorted(refused))})
    return customer_update(customer=customer, changed_by=changed_by, data=data, change_reason=change_reason)


@transaction.atomic
def interaction_add(*, customer: Customer, staff: AbstractBaseUser, kind: str, channel: str,
                    text: str) -> Interaction:
    text = (text or "").strip()
    if not text:
        raise CustomerInvalid(_("Write something in the note."), field="text")
    if kind not in InteractionKind.values:
        raise CustomerInvalid(_("Unknown kind of interaction."), field="kind")
    if channel not in InteractionChannel.values:
        raise CustomerInvalid(_("Unknown channel."), field="channel")
    return Interaction.objects.create(customer=customer, staff=staff, kind=kind, channel=channel, text=text[:4000])


@transaction.atomic
def consent_record(*, customer: Customer, channel: str, granted: bool, source: str,
                   recorded_by: AbstractBaseUser | None) -> ConsentRecord:
    """A new consent record for one channel; the newest per channel is the customer's current answer."""
    if channel not in ContactChannel.values:
        raise CustomerInvalid(_("Unknown channel."), field="channel")
    return ConsentRecord.objects.create(customer=customer, channel=channel, granted=granted, source=source,
                                        recorded_by=recorded_by)


def customers_rotate_pii(*, chunk_size: int = 1000) -> int:
    """Re-encrypt every stored ID number (profiles and their history) under the newest PII key.

    Run after putting a new key first in PII_ENCRYPTION_KEYS. Works on the raw ciphertext, so
    the field never decrypts and re-encrypts it twice and no plaintext reaches a log. Each chunk
    is locked, rewritten and committed on its own; tokens already under the newest key are left
    alone, so an interrupted run can simply be started again. Returns the rows re-encrypted.
    """
    from cryptography.fernet import Fernet, InvalidToken
    from django.conf import settings
    from django.db import connection

    from crm_site import pii

    pii.fernet()  # ImproperlyConfigured if there are no keys at all
    newest = Fernet(settings.PII_ENCRYPTION_KEYS[0].encode())

    def under_newest_key(token: str) -> bool:
        try:
            newest.decrypt(token.encode())
        except InvalidToken:
            return False
        return True

    rotated = 0
    for model in (Customer, Customer.history.model):
        table = connection.ops.quote_name(model._meta.db_table)
        pk = connection.ops.quote_name(model._meta.pk.column)
        column = connection.ops.quote_name(model._meta.get_field("id_number").column)
        # Identifiers come from the model's own metadata, quoted; every value is a parameter.
        select = (f"SELECT {pk}, {column} FROM {table} WHERE {pk} > %s AND {column} <> '' "  # noqa: S608 - quoted model names
                  f"ORDER BY {pk} LIMIT %s FOR UPDATE")
        last_pk = 0
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(select, [last_pk, chunk_size])
                rows = cursor.fetchall()
                if not rows:
                    break
                last_pk = rows[-1][0]
                changes = []
                for row_pk, token in rows:
                    if under_newest_key(token):
                        continue
                    try:
                        changes.append((row_pk, pii.rotate(token)))
                    except InvalidToken as exc:
                        raise ValueError(f"{model._meta.label} {row_pk}: the ID number cannot be decrypted with "
                                         "any configured key") from exc
                if changes:
                    values = ", ".join(["(%s, %s)"] * len(changes))
                    cursor.execute(
                        f"UPDATE {table} SET {column} = v.token FROM (VALUES {values}) AS v(row_pk, token) "  # noqa: S608 - quoted model names
                        f"WHERE {table}.{pk} = v.row_pk",
                        [value for change in changes for value in change])
                    rotated += len(changes)
    return rotated
