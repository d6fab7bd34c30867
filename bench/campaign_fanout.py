"""Campaign fan-out and send into the outbox for a 100,000-customer audience (DESIGN §10: ≥ 5,000 recipients/s).

    DATABASE_URL=... .venv/bin/python bench/campaign_fanout.py [--customers 100000] [--reuse] [--keep]

Builds the bench's own population in the configured database (migrating it first): one branch, FB001,
and --customers customers (numbers FB…) with consents drawn like a real book — 90 % SMS, 60 % APP,
3 % do-not-contact, a tenth already holding the product — bulk-inserted; --reuse keeps a population
of the right size from an earlier run. Then, timed separately, with the code a Celery worker runs:

1. fan-out: `campaigns.services.campaign_fanout` (set-wise INSERT … SELECT in chunks of
   CAMPAIGN_FANOUT_CHUNK) writes one recipient per customer, with the exclusions and the holdout;
2. send: `campaigns.services.campaign_send`, in --senders processes at once (2: the CAMPAIGN_SENDERS
   tasks a fan-out queues, one per worker process of a 2-core host), claims the pending recipients in
   chunks of CAMPAIGN_SEND_CHUNK (SKIP LOCKED), re-checks consent, renders each SMS/APP message with its
   signed unsubscribe link and writes it to the outbox;
3. drain: `campaigns.services.outbox_drain` through the default gateway (marks them delivered).

Prints recipients/s for each and keeps bench/results/campaign_fanout.json. The bench's campaigns are
deleted afterwards (--keep leaves them), so runs don't cap each other's customers.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
sys.path.insert(0, str(BENCH.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_site.settings.dev")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Account, Product  # noqa: E402
from branches.models import Branch  # noqa: E402
from campaigns.models import Campaign, CampaignRecipient, CampaignStatus, OutboxMessage  # noqa: E402
from campaigns.services import campaign_fanout, campaign_send, outbox_drain  # noqa: E402
from customers.models import ConsentRecord, Customer  # noqa: E402

TARGET = 5_000
PREFIX = "FB"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ("伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰")
MESSAGES = {"SMS": {"zh-hans": {"body": "尊敬的{name}，{branch}为您推荐{product}，详询网点。"},
                    "en": {"body": "Dear {name}, {branch} recommends {product}."}},
            "APP": {"zh-hans": {"body": "{name}，新品{product}已上线"}, "en": {"body": "{name}, {product} is here"}}}


def population(customers: int, reuse: bool) -> tuple[Branch, Product]:
    branch, _ = Branch.objects.get_or_create(code="FB001", defaults={"name": "基准测试支行", "city": "上海市"})
    product, _ = Product.objects.get_or_create(
        code="FB-WEALTH", defaults={"name": "基准理财", "name_en": "Bench Wealth", "kind": "WEALTH"})
    existing = Customer.objects.filter(home_branch=branch).count()
    if reuse and existing == customers:
        print(f"reusing {existing:,} bench customers")
        return branch, product
    started = time.perf_counter()
    with transaction.atomic():
        Campaign.objects.filter(product=product).delete()
        Account.objects.filter(customer__home_branch=branch).delete()
        ConsentRecord.objects.filter(customer__home_branch=branch).delete()
        Customer.history.model.objects.filter(home_branch_id=branch.pk).delete()
        Customer.objects.filter(home_branch=branch).delete()
    rng = np.random.default_rng(6)
    now = timezone.now()
    rows = []
    for n in range(customers):
        rows.append(Customer(
            customer_no=f"{PREFIX}{n:08d}", full_name=SURNAMES[n % 20] + GIVEN[(n // 20) % len(GIVEN)],
            home_branch=branch, mobile=f"+86138{n:08d}", preferred_language="en" if rng.random() < 0.2 else "zh-hans",
            preferred_contact_channel="APP" if rng.random() < 0.4 else "SMS", do_not_contact=rng.random() < 0.03,
            created_at=now, updated_at=now))
    Customer.objects.bulk_create(rows, batch_size=5000)
    ids = np.array(Customer.objects.filter(home_branch=branch).order_by("pk").values_list("pk", flat=True))
    consents = [ConsentRecord(customer_id=int(i), channel="SMS", granted=True, source="import", at=now)
                for i in ids[rng.random(len(ids)) < 0.9]]
    consents += [ConsentRecord(customer_id=int(i), channel="APP", granted=True, source="import", at=now)
                 for i in ids[rng.random(len(ids)) < 0.6]]
    ConsentRecord.objects.bulk_create(consents, batch_size=10000)
    holders = ids[rng.random(len(ids)) < 0.1]
    Account.objects.bulk_create([Account(account_no=f"FB{i:014d}", customer_id=int(i), product=product, branch=branch,
                                         opened_at=now.date()) for i in holders], batch_size=10000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"built {customers:,} customers, {len(consents):,} consents, {len(holders):,} holders in "
          f"{time.perf_counter() - started:.1f} s")
    return branch, product


def _sender(campaign_id: int, queue) -> None:
    connection.close()  # the child's own connection, never the parent's
    result = campaign_send(campaign_id=campaign_id)
    queue.put((result.sent, result.skipped))


def senders_run(campaign_id: int, senders: int):
    """`senders` processes sending the same campaign at once, as that many Celery worker processes would."""
    import multiprocessing
    from types import SimpleNamespace

    connection.close()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    processes = [context.Process(target=_sender, args=(campaign_id, queue)) for _ in range(senders)]
    for process in processes:
        process.start()
    results = [queue.get() for _ in processes]
    for process in processes:
        process.join()
    return SimpleNamespace(sent=sum(r[0] for r in results), skipped=sum(r[1] for r in results))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--reuse", action="store_true", help="keep an earlier run's population of the same size")
    parser.add_argument("--keep", action="store_true", help="leave the bench campaign and its outbox")
    parser.add_argument("--senders", type=int, default=2,
                        help="send processes sharing the campaign (CAMPAIGN_SENDERS; one per worker process)")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    branch, product = population(args.customers, args.reuse)
    author, _ = get_user_model().objects.get_or_create(username="bench-campaigns")
    Campaign.objects.filter(product=product).delete()
    now = timezone.now()
    campaign = Campaign.objects.create(
        name="bench", product=product, branch=branch, channels=["SMS", "APP"], messages=MESSAGES,
        holdout_share="0.05", frequency_cap=100, created_by=author, status=CampaignStatus.RUNNING, launched_at=now,
        started_at=now)

    started = time.perf_counter()
    fanout = campaign_fanout(campaign_id=campaign.pk)
    fanout_s = time.perf_counter() - started
    recipients = CampaignRecipient.objects.filter(campaign=campaign).count()
    pending = CampaignRecipient.objects.filter(campaign=campaign, status="pending").count()

    started = time.perf_counter()
    sent = senders_run(campaign.pk, args.senders)
    send_s = time.perf_counter() - started
    outbox = OutboxMessage.objects.filter(recipient__campaign=campaign).count()

    started = time.perf_counter()
    drained = outbox_drain()
    drain_s = time.perf_counter() - started

    result = {
        "customers": args.customers, "senders": args.senders, "recipients": recipients, "pending_after_fanout": pending,
        "fanout_chunks": fanout.chunks, "fanout_seconds": round(fanout_s, 2),
        "fanout_recipients_per_s": round(recipients / fanout_s),
        "sent": sent.sent, "skipped_at_send": sent.skipped, "outbox_rows": outbox, "send_seconds": round(send_s, 2),
        "send_messages_per_s": round(outbox / send_s) if send_s else None,
        "fanout_and_send_recipients_per_s": round(recipients / (fanout_s + send_s)),
        "drain_seconds": round(drain_s, 2), "drained": drained,
    }
    print(f"fan-out: {recipients:,} recipients in {fanout_s:.2f} s = {result['fanout_recipients_per_s']:,}/s "
          f"({fanout.chunks} chunks)")
    print(f"send:    {outbox:,} outbox messages in {send_s:.2f} s = {result['send_messages_per_s']:,}/s")
    print(f"both:    {result['fanout_and_send_recipients_per_s']:,} recipients/s (target ≥ {TARGET:,}/s)")
    print(f"drain:   {sum(drained.values()):,} delivered in {drain_s:.2f} s")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "campaign_fanout.json").write_text(json.dumps(result, indent=2))
    if not args.keep:
        campaign.delete()
    if args.customers >= 100_000 and result["fanout_recipients_per_s"] < TARGET:
        sys.exit(f"fan-out below the target of {TARGET:,} recipients/s")


if __name__ == "__main__":
    main()
