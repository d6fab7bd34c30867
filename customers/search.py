"""The one-box customer search: whatever the teller has, the right customer first.

One function serves the teller's page, the API and the admin. Identifiers (mobile, ID
number, card number, account number, customer number) are matched exactly, ID and card
numbers through their HMAC, never by decrypting. Names are matched in characters or pinyin
(full, with or without spaces, or initials), exactly, by prefix, contained, or by trigram
similarity for typos. Accounts and cards are reached through the ORM's reverse relations,
so this module imports nothing from the floors above.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import TrigramSimilarity
from django.core.exceptions import ValidationError
from django.db.models import Case, Func, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Reverse

from crm_site import pii

from . import identity
from .models import Customer

MAX_RESULTS = 20
SIMILARITY_THRESHOLD = 0.3
_HAN = re.compile(r"[\u3400-\u9fff]")
_SEPARATORS = pii.IDENTIFIER_SEPARATORS
_ID_NUMBER = pii.ID_NUMBER_SHAPE
_CUSTOMER_NO = pii.CUSTOMER_NO_SHAPE
looks_like_identifier = pii.looks_like_identifier
query_for_display = pii.query_for_display


@dataclass(frozen=True)
class SearchResult:
    customers: list[Customer]
    exact_identifier: bool  # the query was an identifier that matched: open the profile directly


def searchable_customers() -> QuerySet:
    """Every profile but the tombstones of merged duplicates (their numbers redirect to the survivor)."""
    return Customer.objects.filter(merged_into__isnull=True)


def _luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def identifier_conditions(query: str) -> list[Q]:
    """The exact-identifier conditions a query could stand for (each served by one index); [] if none."""
    compact = _SEPARATORS.sub("", query).upper()
    if not compact:
        return []
    if _CUSTOMER_NO.match(compact):
        return [Q(customer_no=compact)]
    conditions = []
    plus = compact.startswith("+")
    digits = compact.lstrip("+")
    if _ID_NUMBER.match(digits):
        conditions.append(Q(id_number_hmac=pii.lookup_hmac(digits)))
    if digits.isdigit():
        if plus or len(digits) in (11, 13) or digits.startswith("86"):
            with contextlib.suppress(ValidationError):  # not a phone number after all
                conditions.append(Q(mobile=identity.normalise_mobile(("+" if plus else "") + digits)))
        if 13 <= len(digits) <= 19 and _luhn_valid(digits):
            conditions.append(Q(cards__pan_hmac=pii.lookup_hmac(digits)))
        if len(digits) >= 6:
            conditions += [Q(accounts__account_no=digits), Q(customer_no=digits)]
    return conditions


@dataclass(frozen=True)
class _NameConditions:
    exact: Q
    prefix: Q  # starts with, ends with or contains: all rank as "prefix" below exact
    similar: Q | None  # trigram similarity, for typos; None for queries too short to judge
    similarity: Func | None
    annotations: dict = field(default_factory=dict)


def _name_conditions(query: str) -> _NameConditions | None:
    """How a query matches names; None when it has nothing to match a name by."""
    if _HAN.search(query):
        name = re.sub(r"\s+", "", query)
        if len(name) < 2:  # one character (a surname) matches a large share of all customers
            return _NameConditions(Q(full_name=name), Q(pk__in=[]), None, None)
        if len(name) == 2:
            # too short for trigrams: starts with / ends with ("娜娜" in 欧阳娜娜) through btree indexes
            return _NameConditions(
                exact=Q(full_name=name),
                prefix=Q(full_name__startswith=name) | Q(reversed_name__startswith=name[::-1]),
                similar=None, similarity=None, annotations={"reversed_name": Reverse("full_name")},
            )
        return _NameConditions(
            exact=Q(full_name=name),
            prefix=Q(full_name__startswith=name) | Q(full_name__contains=name),
            similar=Q(full_name__trigram_similar=name),
            similarity=TrigramSimilarity("full_name", name),
        )
    value = re.sub(r"[^a-z0-9]", "", query.lower())
    if len(value) < 2:
        return None
    prefix = Q(name_pinyin__startswith=value) | Q(name_initials__startswith=value)
    if len(value) >= 3:
        prefix |= Q(name_pinyin__contains=value)
    return _NameConditions(
        exact=Q(name_pinyin=value) | Q(name_initials=value),
        prefix=prefix,
        similar=Q(name_pinyin__trigram_similar=value) if len(value) >= 3 else None,
        similarity=TrigramSimilarity("name_pinyin", value),
    )


def _name_matches(base: QuerySet, query: str, own: Case, limit: int) -> list[Customer]:
    """Exact and prefix matches first; similar names (typos) only fill what is left of the page.

    Computing similarity for every prefix match of a common surname is what made a search slow,
    and a similar name never outranks an exact or prefix match of the same branch.
    """
    conditions = _name_conditions(query)
    if conditions is None:
        return []
    ranked = base.select_related("home_branch").annotate(**conditions.annotations).annotate(
        own_branch=own,
        exact_name=Case(When(conditions.exact, then=Value(1)), default=Value(0), output_field=IntegerField()),
    )
    found = list(
        ranked.filter(conditions.exact | conditions.prefix)
        .order_by("-exact_name", "-own_branch", "customer_no")[:limit]
    )
    for customer in found:
        customer.similarity = 1.0
    if len(found) < limit and conditions.similar is not None:
        similar = list(
            ranked.filter(conditions.similar).exclude(pk__in=[c.pk for c in found])
            .annotate(similarity=conditions.similarity)
            .order_by("-own_branch", "-similarity", "customer_no")[: limit - len(found)]
        )
        for customer in similar:
            customer.exact_name = 0
        # exact name, then own branch, then prefix before similar, then the closer spelling
        found = sorted(found + similar, key=lambda c: (-c.exact_name, -c.own_branch, -c.similarity, c.customer_no))
    return found


def identifier_matches(query: str, *, base: QuerySet | None = None) -> list[int]:
    """Ids of the customers a query names exactly as an identifier ([] when it names none); tombstones only
    when `base` includes them.

    One indexed look-up per kind of identifier, joined by UNION: an OR across the joined tables
    would make PostgreSQL read every customer.
    """
    conditions = identifier_conditions(query)
    if not conditions:
        return []
    base = searchable_customers() if base is None else base
    lookups = [base.filter(condition).values_list("pk", flat=True) for condition in conditions]
    return list(lookups[0].union(*lookups[1:]) if len(lookups) > 1 else lookups[0])


def customers_search(*, query: str, branch_id: int | None = None, base: QuerySet | None = None,
                     limit: int = MAX_RESULTS) -> SearchResult:
    """Search customers; own-branch customers rank above others after exact identifier and name matches."""
    query = (query or "").strip()
    base = searchable_customers() if base is None else base
    if not query:
        return SearchResult([], False)
    own = Case(When(home_branch_id=branch_id, then=Value(1)), default=Value(0), output_field=IntegerField())
    matched = identifier_matches(query, base=base)
    if matched:
        found = list(
            base.filter(pk__in=matched).annotate(own_branch=own)
            .select_related("home_branch").order_by("-own_branch", "customer_no")[:limit]
        )
        if found:
            return SearchResult(found, exact_identifier=True)
    return SearchResult(_name_matches(base, query, own, limit), exact_identifier=False)
