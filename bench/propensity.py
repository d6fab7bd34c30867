"""Next-best offer (DESIGN §10): train and score one product over 100,000 customers in ≤ 2 minutes on 2 cores.

On the database in DATABASE_URL. Without --product it builds (once; later runs reuse it) a synthetic
population of --customers customers — the one the tests use (propensity/tests/population.py: a savings
account each, a mortgage for half, one contact each about a wealth product answered by a known rule) — plus
--transactions per customer over the last year (set-wise SQL), so the features' transaction aggregates have
dataset M's volume (100,000 customers × 20 = 2,000,000 rows). With --product CODE it trains that product of
the data already there (e.g. the demo's WM-STABLE).

It times, as `manage.py train_propensity --product CODE` runs them: the examples and their features as of each
contact, the fit (calibration, held-out evaluation), the store of the model, and the scoring of every live
customer without the product (features as of now, probabilities, reasons, COPY). Prints the figures and keeps
a JSON copy under bench/results/.

    python bench/propensity.py [--customers 100000] [--transactions 20] [--product CODE]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_site.settings.dev")

TARGET_SECONDS = 120
PREFIX = "BEN"

_TRANSACTIONS = """
INSERT INTO transactions_transaction (channel, external_id, occurred_at, amount, direction, currency, balance_after,
                                      mcc, merchant_name, terminal_id, description, account_id, customer_id)
SELECT (ARRAY['POS','ATM','COUNTER','ONLINE','MOBILE'])[1 + (a.id + g) %% 5],
       'BEN-' || a.id || '-' || g,
       now() - ((a.id * 7919 + g * 104729) %% 365) * interval '1 day' - (g %% 24) * interval '1 hour',
       10 + ((a.id * 31 + g * 17) %% 5000), CASE WHEN g %% 3 = 0 THEN 'CREDIT' ELSE 'DEBIT' END, 'CNY',
       a.balance, '5411', '', '', '', a.id, a.customer_id
FROM accounts_account a JOIN accounts_product p ON p.id = a.product_id AND p.code = %(savings)s
CROSS JOIN generate_series(1, %(per_customer)s) AS g
ON CONFLICT DO NOTHING
"""


def build(customers: int, per_customer: int) -> str:
    from django.db import connection

    from customers.models import Customer
    from propensity.tests.population import population_build

    if Customer.objects.filter(customer_no__startswith=PREFIX).count() >= customers:
        print(f"synthetic population of {customers:,} customers already there")
        return f"{PREFIX}-WM"
    started = time.perf_counter()
    population_build(size=customers, rule="mortgage", prefix=PREFIX, seed=11)
    print(f"built {customers:,} customers in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(_TRANSACTIONS, {"savings": f"{PREFIX}-SAV", "per_customer": per_customer})
        inserted = cursor.rowcount
        cursor.execute("ANALYZE transactions_transaction")
        cursor.execute("ANALYZE customers_customer")
        cursor.execute("ANALYZE accounts_account")
        cursor.execute("ANALYZE campaigns_contactresponse")
    print(f"inserted {inserted:,} transactions in {time.perf_counter() - started:.0f} s")
    return f"{PREFIX}-WM"


def timed_training(code: str) -> dict:
    from django.db import transaction

    from accounts.models import Product
    from propensity import learning
    from propensity.features import Points, features_frame
    from propensity.models import PropensityScore
    from propensity.services import propensity_score, propensity_train, training_examples

    product = Product.objects.get(code=code)
    figures: dict = {"product": code}
    started = time.perf_counter()
    with transaction.atomic():
        result = propensity_train(product=product)
    figures["train_and_score_seconds"] = round(time.perf_counter() - started, 1)
    figures.update({"version": result.model.version, "contacts": result.model.training_size,
                    "conversions": result.model.positives, "scored": result.scored,
                    "auc": result.model.metrics["auc"], "brier": result.model.metrics["brier"],
                    "top_decile_lift": result.model.metrics["deciles"][0]["lift"],
                    "strongest": [s["feature"] for s in result.model.metrics["strongest"][:3]]})
    # the stages again, one by one, for the break-down
    started = time.perf_counter()
    examples = training_examples(product=product)
    frame = features_frame(Points(customer_ids=examples["customer_id"].to_numpy(), moments=examples["at"]))
    figures["examples_and_features_seconds"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    learning.fit(frame, examples["converted"].to_numpy(dtype=int), frame["customer_id"].to_numpy())
    figures["fit_seconds"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    with transaction.atomic():
        propensity_score(product=product)
    figures["score_seconds"] = round(time.perf_counter() - started, 1)
    figures["scores_stored"] = PropensityScore.objects.filter(product=product).count()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--transactions", type=int, default=20, help="per customer, over the last year")
    parser.add_argument("--product", help="train this product of the data already there instead")
    args = parser.parse_args()

    import django

    django.setup()
    code = args.product or build(args.customers, args.transactions)
    figures = timed_training(code)
    figures["target_seconds"] = TARGET_SECONDS
    figures["met"] = figures["train_and_score_seconds"] <= TARGET_SECONDS
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "propensity.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
