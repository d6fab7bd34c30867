"""No identifier in anything the real processes write (issue 11 §1, DESIGN §5).

The web process runs exactly as the Procfile starts it (gunicorn with its options, on a free port) and so
does a Celery worker; both use this test's database and Redis. A teller searches by each kind of identifier
through the page (POST, as the search box does, and the refused GET) and the API (POST, and the refused
GET), a channel system ingests transactions naming the account (and an unknown one) so the worker has work,
and then nothing either process wrote may contain an identifier, nor its run of digits.
"""

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.authtoken.models import Token

from accounts.tests.factories import AccountFactory, CardFactory
from branches import services as branch_services
from branches.tests.factories import BranchFactory
from conftest import PASSWORD, celery_pools_reset
from customers.tests.factories import CustomerFactory
from transactions.models import IngestBatch
from transactions.tests.test_worker import _database_url

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(settings.BASE_DIR)
MOBILE = "13912340876"
ACCOUNT_NO = "6217000012345678901"
UNKNOWN_ACCOUNT_NO = "6217000098765432109"
CARD_PAN = "6228480402564890018"


def _procfile(process: str) -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if name.strip() == process:
            return command.strip()
    raise AssertionError(f"no {process} in the Procfile")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start(process: str, env: dict, out: Path) -> subprocess.Popen:
    command = _procfile(process)
    # the Procfile's own line, through a shell as honcho runs it, in a process group of its own
    return subprocess.Popen(["/bin/sh", "-c", f"exec {command}"], cwd=ROOT, env=env,  # noqa: S603
                            stdout=out.open("w"), stderr=subprocess.STDOUT, start_new_session=True)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture
def processes(reference_data, tmp_path):
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "crm_site.settings.test", "DATABASE_URL": _database_url(),
           "REDIS_URL": settings.REDIS_URL, "MEDIA_ROOT": str(tmp_path / "media"),
           "PATH": f"{ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
           "WEB_HOST": "127.0.0.1", "WEB_PORT": str(port), "WEB_WORKERS": "1", "WORKER_CONCURRENCY": "1",
           "PYTHONUNBUFFERED": "1", "LOG_LEVEL": "DEBUG"}
    celery_pools_reset()
    outputs = {"web": tmp_path / "web.log", "worker": tmp_path / "worker.log"}
    started = {name: _start(name, env, path) for name, path in outputs.items()}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=30)
                break
            except OSError:  # not listening yet (URLError, a refused or timed-out connection)
                if time.monotonic() > deadline or started["web"].poll() is not None:
                    raise AssertionError("gunicorn did not start:\n" + outputs["web"].read_text()) from None
                time.sleep(0.3)
        yield {"base": f"http://127.0.0.1:{port}", "outputs": outputs, "started": started}
    finally:
        for process in started.values():
            _stop(process)


class Browser:
    """A session like a browser's: cookies, the CSRF token, no redirects followed."""

    def __init__(self, base: str):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect)

    def csrf(self) -> str:
        return next(cookie.value for cookie in self.cookies if cookie.name == "csrftoken")

    def request(self, method: str, path: str, *, form: dict | None = None, body: dict | None = None,
                headers: dict | None = None) -> tuple[int, dict, str]:
        data, all_headers = None, {"Referer": self.base + "/", **(headers or {})}
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        if body is not None:
            data = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        if method != "GET" and any(cookie.name == "csrftoken" for cookie in self.cookies):
            all_headers["X-CSRFToken"] = self.csrf()
        request = urllib.request.Request(self.base + path, data=data, method=method,  # noqa: S310 - the local server
                                         headers=all_headers)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()


def _wait_for_batch(batch_id: int, timeout: float = 90) -> IngestBatch:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        batch = IngestBatch.objects.get(pk=batch_id)
        if not batch.is_active:
            return batch
        time.sleep(0.3)
    raise AssertionError(f"batch {batch_id} still {batch.status}")


def test_no_identifier_reaches_what_the_web_process_or_the_worker_writes(processes):
    branch = BranchFactory(code="SH001", name="上海浦东支行")
    teller = branch_services.staff_create(username="teller", password=PASSWORD, branch=branch, role="teller")
    channel = branch_services.channel_system_create(username="pos_switch")
    customer = CustomerFactory(home_branch=branch, full_name="欧阳娜娜", mobile=MOBILE)
    account = AccountFactory(customer=customer, account_no=ACCOUNT_NO, branch=branch)
    CardFactory(account=account, customer=customer, pan=CARD_PAN)
    identifiers = {"resident ID": customer.id_number, "mobile": MOBILE, "account": ACCOUNT_NO,
                   "card": CARD_PAN, "unknown account": UNKNOWN_ACCOUNT_NO}
    written = {"resident ID": [customer.id_number, customer.id_number.lower()],
               "mobile": [MOBILE, "139 1234 0876", "+86 139-1234-0876"],
               "account": [ACCOUNT_NO], "card": [CARD_PAN, "6228 4804 0256 4890 018"]}
    base = processes["base"]

    page = Browser(base)
    page.request("GET", "/login/")
    status, headers, _ = page.request("POST", "/login/", form={"username": "teller", "password": PASSWORD,
                                                                 "csrfmiddlewaretoken": page.csrf()})
    assert status == 302, "the teller could not sign in"
    api_token = Token.objects.create(user=teller).key
    api = {"Authorization": f"Token {api_token}"}
    for kind, forms in written.items():
        for query in forms:
            # the search box: Enter posts the number, and the exact match opens (303 to the 360 page)
            status, headers, _ = page.request("POST", "/search/", form={"q": query})
            assert status == 303, (kind, status)
            assert headers["Location"] == f"/customers/{customer.customer_no}/"
            # the live search (htmx)
            status, _, html = page.request("POST", "/search/", form={"q": query}, headers={"HX-Request": "true"})
            assert status == 200 and customer.customer_no in html and query not in html
            status, _, _ = page.request("GET", headers["Location"])
            assert status == 200
            # an old link with the number in the URL is refused, and so is the API's GET
            assert page.request("GET", "/search/?" + urllib.parse.urlencode({"q": query}))[0] == 400
            assert page.request("GET", "/api/v1/customers/?" + urllib.parse.urlencode({"q": query}),
                                headers=api)[0] == 400
            status, _, text = page.request("POST", "/api/v1/customers/search/", body={"q": query}, headers=api)
            assert status == 200 and json.loads(text)["exact_identifier"] is True, (kind, text)
    assert page.request("POST", "/search/", form={"q": UNKNOWN_ACCOUNT_NO})[0] == 200

    # the worker's turn: an ingest naming the account, and a row for an account nobody holds (rejected)
    rows = [{"external_id": "LOG-1", "channel": "POS", "account_no": ACCOUNT_NO, "amount": "12.50",
             "occurred_at": "2025-03-01T14:30:00+08:00", "direction": "DEBIT", "merchant_name": "华联超市"},
            {"external_id": "LOG-2", "channel": "POS", "account_no": UNKNOWN_ACCOUNT_NO, "amount": "8.00",
             "occurred_at": "2025-03-01T15:30:00+08:00", "direction": "DEBIT"}]
    channel_token = Token.objects.create(user=channel).key
    status, _, text = page.request("POST", "/api/v1/transactions/batches/", body={"transactions": rows},
                                   headers={"Authorization": f"Token {channel_token}"})
    assert status == 202, text
    batch = _wait_for_batch(json.loads(text)["id"])
    assert (batch.inserted, batch.rejected) == (1, 1), batch.error

    for process in processes["started"].values():
        _stop(process)
    outputs = {name: path.read_text(errors="replace") for name, path in processes["outputs"].items()}
    assert re.search(r'"POST /search/" 303', outputs["web"]), outputs["web"][-2000:]  # the access log is on
    assert "succeeded" in outputs["worker"] or "received" in outputs["worker"], outputs["worker"][-2000:]
    for name, text in outputs.items():
        joined = re.sub(r"(?<=\d)[ \-](?=\d)", "", text)  # a number split by spaces or dashes is still the number
        for kind, identifier in identifiers.items():
            digits = re.sub(r"\D", "", identifier)
            assert identifier not in text, f"the {kind} is in the {name} output"
            assert digits[-10:] not in joined, f"the {kind}'s digits are in the {name} output"
