"""Schemathesis over the whole OpenAPI schema: no request, as any role, gets a server error (issue 11 §5).

Every operation of /api/schema/ is taken as it is served, so an endpoint added later is fuzzed without
touching this file. Each runs as teller, manager, admin and channel system (token auth), through the
real WSGI stack (every middleware, parser and exception handler), with bodies and parameters that fit
the schema and ones that don't, and valid ones with one field set to a value that broke an endpoint
before (NUL, year 1 or 9999, a day that doesn't exist, deep nesting, long text); against real objects
(the path parameters name the customer, campaign, recipient, batch and branch made here) and made-up
ones. Each call runs in a savepoint rolled back after it, so every case meets the same objects.

FUZZ_MAX_EXAMPLES (per operation, role and mode; default 6) bounds the run: about 70 s of CPU.
The figures (operations, cases, server errors) are printed at the end (`pytest -s`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import time
from collections import Counter
from decimal import Decimal

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis.generation import GenerationMode

from accounts.tests.factories import AccountFactory, ProductFactory
from campaigns.models import CampaignRecipient, CampaignStatus, RecipientStatus
from campaigns.tests.factories import CampaignFactory, customer_with
from scoring.models import RunKind, ScoreRun
from transactions.models import IngestBatch

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "6"))
ROLES = ("teller", "manager", "admin_user", "channel_system")
# Header parameters the schema doesn't declare but the stack reads; generated ones would only test Django's
# own header handling.
HYPOTHESIS = settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
                      phases=[Phase.explicit, Phase.generate],
                      suppress_health_check=list(HealthCheck))


@contextlib.contextmanager
def connection_kept():
    """A WSGI request closes the database connection when it ends (close_old_connections), which would end the
    test's transaction; Django's test client does the same as this while it runs a request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def world(branch, other_branch, teller, manager, admin_user, channel_system):
    """Real objects for the path parameters, and a token per role."""
    product = ProductFactory(code="WM-NEW", name="稳享理财", name_en="Steady Wealth", kind="WEALTH")
    customer = customer_with(branch=branch, consents=("SMS", "EMAIL", "APP", "PHONE"), full_name="张伟",
                             date_of_birth=dt.date(1980, 5, 17))
    AccountFactory(customer=customer, product=product, balance=Decimal("120000.00"))
    campaign = CampaignFactory(product=product, branch=branch, created_by=manager, status=CampaignStatus.RUNNING,
                               channels=["SMS", "COUNTER"], launched_at=timezone.now(), started_at=timezone.now())
    recipient = CampaignRecipient.objects.create(campaign=campaign, customer=customer, channel="COUNTER",
                                                 status=RecipientStatus.SENT, sent_at=timezone.now())
    batch = IngestBatch.objects.create(source="api", file_name="feed.json", created_by=channel_system)
    ScoreRun.objects.create(kind=RunKind.FULL, as_of=timezone.now())
    users = {"teller": teller, "manager": manager, "admin_user": admin_user, "channel_system": channel_system}
    return {
        "tokens": {role: Token.objects.create(user=user).key for role, user in users.items()},
        "path_parameters": {"customer_no": customer.customer_no, "campaign_id": campaign.pk,
                            "recipient_id": recipient.pk, "batch_id": batch.pk, "code": branch.code,
                            "id": campaign.pk, "user_id": manager.pk},
    }


# Values that broke real endpoints (issue 11 §5), put in turn into each field of a valid body and each query
# parameter: schemathesis' own generation rarely hits them.
KNOWN_BAD = [("NUL", "a\x00b"), ("year 1", "0001-01-01T00:00:00"), ("year 9999", "9999-12-31T23:59:59+00:00"),
             ("no such day", "2026-02-30"), ("deep", "[[deep]]"), ("long", "长" * 5_000)]
DEEP_JSON = "[" * 5_000 + "]" * 5_000
_turn = Counter()


def send_known_bad(case, send) -> None:
    """One known-bad value in one field of this valid case (field and value taken in turn)."""
    label, value = KNOWN_BAD[_turn["value"] % len(KNOWN_BAD)]
    _turn["value"] += 1
    if isinstance(case.body, dict) and case.body:
        key = sorted(case.body)[_turn["key"] % len(case.body)]
        _turn["key"] += 1
        text = json.dumps({**case.body, key: "__KNOWN_BAD__"}, default=str)
        bad = DEEP_JSON if label == "deep" else json.dumps(value)
        send(case, f"body.{key}={label}", data=text.replace('"__KNOWN_BAD__"', bad).encode(),
             headers={"Content-Type": "application/json"})
    elif case.query:
        key = sorted(case.query)[_turn["key"] % len(case.query)]
        _turn["key"] += 1
        send(case, f"query.{key}={label}", params={**case.query, key: value})


def api_schema(client, token: str) -> schemathesis.schemas.BaseSchema:
    response = client.get("/api/schema/?format=json", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    return schemathesis.openapi.from_dict(json.loads(response.content))


def test_no_api_operation_answers_a_server_error_to_any_role(client, world):
    schema = api_schema(client, world["tokens"]["admin_user"])
    app = WSGIHandler()
    figures: Counter = Counter()
    server_errors: list[str] = []
    seconds: dict[str, float] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20  # the schema is read, not empty

    def run(operation, role: str, mode: GenerationMode, path_parameters: dict | None) -> None:
        headers = {"Authorization": f"Token {world['tokens'][role]}"}

        def send(case, label: str, **body) -> None:
            with transaction.atomic():
                response = case.call(app=app, headers={**headers, **body.pop("headers", {})}, **body)
                transaction.set_rollback(True)
            figures["cases"] += 1
            figures[f"status {response.status_code // 100}xx"] += 1
            if response.status_code >= 500:
                server_errors.append(f"{role} {case.method} {case.formatted_path} {label} query={case.query} "
                                     f"body={str(case.body)[:200]!r} -> {response.status_code}")

        @HYPOTHESIS
        @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
        def fuzz(case):
            send(case, "")
            if mode == GenerationMode.POSITIVE:
                send_known_bad(case, send)

        try:
            fuzz()
        except Unsatisfiable:  # nothing to make wrong (no parameters, no body): the positive run covers it
            figures["runs without negative cases"] += 1

    with connection_kept():
        for operation in operations:
            figures["operations"] += 1
            started = time.monotonic()
            names = {parameter.name for parameter in operation.path_parameters}
            real = {name: value for name, value in world["path_parameters"].items() if name in names}
            for role in ROLES:
                for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                    run(operation, role, mode, real or None)
                if names:  # and made-up objects: 404s, never 500s
                    run(operation, role, GenerationMode.POSITIVE, None)
            seconds[operation.label] = time.monotonic() - started

    print(f"\nschemathesis: {figures['operations']} operations, {figures['cases']} cases, "
          f"{len(server_errors)} server errors; "
          + ", ".join(f"{key} {value}" for key, value in sorted(figures.items()) if not key.startswith(("op", "ca"))))
    print("slowest:", ", ".join(f"{label} {value:.1f}s" for label, value in
                                sorted(seconds.items(), key=lambda item: -item[1])[:5]))
    assert not server_errors, "\n".join(server_errors[:30])
