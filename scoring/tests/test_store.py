"""The JSON columns built as text for the staging COPY read back as PostgreSQL built them before."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from django.db import connection

from scoring import store

pytestmark = pytest.mark.django_db


def _jsonb_equal(texts: np.ndarray, sql_of_value: str, values: list[int]) -> list[int]:
    """The values whose JSON text differs, as jsonb, from {"X": <sql_of_value>} built by jsonb_build_object."""
    with connection.cursor() as cursor:
        cursor.execute(f"""
            SELECT v FROM unnest(%s::bigint[], %s::text[]) AS u(v, text)
            WHERE u.text::jsonb IS DISTINCT FROM
                  jsonb_strip_nulls(jsonb_build_object('X', {sql_of_value}))
        """, [values, list(texts)])  # noqa: S608 (the expression is the test's own)
        return [row[0] for row in cursor.fetchall()]


def test_shares_as_text_are_the_numbers_float8_division_gave():
    values = list(range(0, 10_001))  # every share in basis points, 0 to 100 %
    frame = pd.DataFrame({"cat_x": values})
    texts = store.json_object(frame, "cat", ["X"], scale=10_000)
    assert _jsonb_equal(texts, "(NULLIF(u.v, 0)::float8 / 10000)", values) == []
    assert texts[0] == "{}" and texts[1234] == '{"X":0.1234}' and texts[500] == '{"X":0.05}'
    assert texts[10_000] == '{"X":1}'


def test_lifts_as_text_including_large_and_missing_ones():
    values = [*range(0, 2_000), 12_345, 100_000, 987_654_321]
    frame = pd.DataFrame({"lift_x": pd.array([*values, None], dtype="Int64")})
    texts = store.json_object(frame, "lift", ["X"], scale=100)
    assert _jsonb_equal(texts[:-1], "(NULLIF(u.v, 0)::float8 / 100)", values) == []
    assert texts[-1] == "{}"  # no lift (no spend in the category): left out, as jsonb_strip_nulls did


def test_objects_and_arrays_hold_every_present_code():
    frame = pd.DataFrame({"cat_dining": [7500, 0], "cat_travel": [2500, 0], "cat_cash": [0, 10_000],
                          "driver1": ["aum", None], "driver2": [None, None]})
    objects = store.json_object(frame, "cat", ["DINING", "TRAVEL", "CASH"], scale=10_000)
    assert [json.loads(text) for text in objects] == [{"DINING": 0.75, "TRAVEL": 0.25}, {"CASH": 1}]
    arrays = store.json_array(frame, ["driver1", "driver2"])
    assert [json.loads(text) for text in arrays] == [["aum"], []]
