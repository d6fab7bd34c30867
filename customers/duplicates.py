"""Likely duplicate profiles, found set-wise in SQL, each pair scored by the reasons it shares.

Reasons and their weights: the same ID number (its HMAC) 100; the same full name and date of birth
80; the same mobile 60; names that sound alike with the same date of birth 50 (as many characters,
pinyin trigram similarity of at least DUPLICATES_PINYIN_SIMILARITY: 张伟 and 章伟, 王芳 and 汪芳; a
typo keeps the length, 刘洋 and 刘阳阳 are two names). A pair's score is its strongest reason plus
half of the others, at most 100.

Cost stays bounded at 100,000+ profiles: every rule is an equi-join first (ID HMAC, mobile, name and
birth date, birth date), and pinyin similarity is only computed inside one birth date. Groups larger
than DUPLICATES_GROUP_MAX (a mobile shared by a whole company, placeholder data) are skipped by the
mobile and name rules, and birth dates shared by more than DUPLICATES_BIRTH_DATE_GROUP_MAX by the
pinyin rule: they are not "likely duplicates", and they would make the pair count explode. The ID
rule has no cap: one document held by many profiles is always worth a look.
Tombstones of merged profiles and pairs an admin dismissed are left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import connection
from django.utils.translation import gettext_lazy as _

from .models import Customer, DuplicateDismissal

REASONS = {
    "id_number": (100, _("same ID number")),
    "name_dob": (80, _("same name and date of birth")),
    "mobile": (60, _("same mobile")),
    "pinyin_dob": (50, _("similar name (pinyin) and same date of birth")),
}
PER_PAGE = 50


@dataclass
class DuplicatePair:
    a: Customer
    b: Customer
    reasons: list[str]
    score: int

    @property
    def reason_labels(self) -> list[str]:
        return [str(REASONS[code][1]) for code in self.reasons]


def _sql() -> str:
    quote = connection.ops.quote_name
    customers = quote(Customer._meta.db_table)
    dismissals = quote(DuplicateDismissal._meta.db_table)
    weights = " ".join(f"WHEN '{code}' THEN {weight}" for code, (weight, _label) in REASONS.items())
    # Table names come from the models' metadata, quoted; every value is a parameter.
    return f"""
        WITH same_id AS (
            SELECT id_number_hmac AS v FROM {customers}
            WHERE id_number_hmac <> '' AND merged_into_id IS NULL GROUP BY 1 HAVING count(*) > 1
        ),
        same_mobile AS (
            SELECT mobile AS v FROM {customers}
            WHERE mobile <> '' AND merged_into_id IS NULL GROUP BY 1 HAVING count(*) BETWEEN 2 AND %(group_max)s
        ),
        same_name AS (
            SELECT full_name, date_of_birth FROM {customers}
            WHERE date_of_birth IS NOT NULL AND merged_into_id IS NULL
            GROUP BY 1, 2 HAVING count(*) BETWEEN 2 AND %(group_max)s
        ),
        by_birth AS (
            SELECT id, full_name, name_pinyin, date_of_birth, char_length(full_name) AS name_length
            FROM (SELECT id, full_name, name_pinyin, date_of_birth,
                         count(*) OVER (PARTITION BY date_of_birth) AS born_that_day
                  FROM {customers}
                  WHERE date_of_birth IS NOT NULL AND name_pinyin <> '' AND merged_into_id IS NULL) AS c
            WHERE born_that_day BETWEEN 2 AND %(birth_max)s
        ),
        pairs AS (
            SELECT a.id AS a_id, b.id AS b_id, 'id_number' AS reason
            FROM same_id s JOIN {customers} a ON a.id_number_hmac = s.v JOIN {customers} b ON b.id_number_hmac = s.v
            WHERE a.id < b.id AND a.merged_into_id IS NULL AND b.merged_into_id IS NULL
            UNION ALL
            SELECT a.id, b.id, 'mobile'
            FROM same_mobile s JOIN {customers} a ON a.mobile = s.v JOIN {customers} b ON b.mobile = s.v
            WHERE a.id < b.id AND a.merged_into_id IS NULL AND b.merged_into_id IS NULL
            UNION ALL
            SELECT a.id, b.id, 'name_dob'
            FROM same_name s
            JOIN {customers} a ON a.full_name = s.full_name AND a.date_of_birth = s.date_of_birth
            JOIN {customers} b ON b.full_name = s.full_name AND b.date_of_birth = s.date_of_birth
            WHERE a.id < b.id AND a.merged_into_id IS NULL AND b.merged_into_id IS NULL
            UNION ALL
            SELECT a.id, b.id, 'pinyin_dob'
            FROM by_birth a JOIN by_birth b ON a.date_of_birth = b.date_of_birth AND a.name_length = b.name_length
            WHERE a.id < b.id AND a.full_name <> b.full_name
              AND similarity(a.name_pinyin, b.name_pinyin) >= %(similarity)s
        ),
        scored AS (
            SELECT a_id, b_id, array_agg(reason ORDER BY weight DESC) AS reasons,
                   LEAST(100, max(weight) + (sum(weight) - max(weight)) / 2) AS score
            FROM (SELECT a_id, b_id, reason, CASE reason {weights} END AS weight FROM pairs) AS weighed
            WHERE NOT EXISTS (SELECT 1 FROM {dismissals} d WHERE d.customer_a_id = a_id AND d.customer_b_id = b_id)
            GROUP BY a_id, b_id
        )
        SELECT a_id, b_id, reasons, score, count(*) OVER () AS total
        FROM scored ORDER BY score DESC, a_id, b_id
        LIMIT %(limit)s OFFSET %(offset)s
    """  # noqa: S608 - table names from model metadata; values are parameters


def _fetch(*, offset: int, limit: int) -> tuple[list[DuplicatePair], int | None]:
    """One page of pairs and the total number of pairs (None when the page is past the end)."""
    params = {"group_max": settings.DUPLICATES_GROUP_MAX, "birth_max": settings.DUPLICATES_BIRTH_DATE_GROUP_MAX,
              "similarity": settings.DUPLICATES_PINYIN_SIMILARITY, "limit": limit, "offset": offset}
    with connection.cursor() as cursor:
        cursor.execute(_sql(), params)
        rows = cursor.fetchall()
    customers = Customer.objects.select_related("home_branch").in_bulk(
        {row[0] for row in rows} | {row[1] for row in rows})
    pairs = [DuplicatePair(customers[a], customers[b], list(reasons), score) for a, b, reasons, score, _n in rows]
    return pairs, (rows[0][4] if rows else None)


def duplicate_pairs(*, user, page: int | str | None = 1, per_page: int = PER_PAGE) -> Page:
    """A page of likely duplicate pairs, the most likely first (for those who may merge customers).

    One query per page: the total comes with the page's rows. A page past the end shows the first.
    """
    if not user.has_perm("customers.merge_customers"):
        return Paginator([], per_page).get_page(1)
    try:
        number = max(1, int(page or 1))
    except (TypeError, ValueError):
        number = 1
    pairs, total = _fetch(offset=(number - 1) * per_page, limit=per_page)
    if total is None and number > 1:
        number = 1
        pairs, total = _fetch(offset=0, limit=per_page)
    return Page(pairs, number, Paginator(range(total or 0), per_page))
