"""Benchmark of the master-data import (DESIGN §5, issue 4): generate the files, load them, print the figures.

    DATABASE_URL=... .venv/bin/python bench/import_customers.py [--customers 100000] [--accounts 200000]

Writes bench/data/{branches,products,customers,accounts,customers_changed}.csv (git-ignored), then loads them
with the same services as `manage.py import_records`, in this order: branches, products, customers (all new),
accounts (all new), both again (all unchanged), then customers_changed.csv, in which a tenth of the customers
has a new mobile number (updated, one history row each). Use an empty database: the customer and account
numbers (BC…, 62…) are the bench's own, but the first run is only "all new" once.

The people are vectorised numpy draws (valid resident ID check digits and region codes, valid mobile
numbers); a small share of rows is deliberately bad (--bad-share) so the reject path is measured too.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_site.settings.dev")

import django  # noqa: E402

django.setup()

from accounts.imports import records_import  # noqa: E402
from customers import identity  # noqa: E402

DATA = BENCH / "data"
CITIES = ("上海市", "北京市", "深圳市", "广州市", "杭州市", "南京市", "成都市", "武汉市", "西安市", "苏州市")
SURNAMES = (*"王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈",
            "欧阳", "司马", "诸葛", "上官")
GIVEN = ("伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
         "秀兰", "霞", "平", "刚", "桂英", "浩然", "子轩", "欣怡", "梓萱", "一诺", "宇轩", "雨桐", "建国", "海燕")
OCCUPATIONS = ("教师", "医生", "软件工程师", "会计", "公务员", "销售经理", "司机", "设计师", "个体工商户", "律师", "")
MOBILE_PREFIXES = (130, 131, 132, 133, 135, 136, 137, 138, 139, 150, 151, 152, 155, 157, 158, 159, 166, 176, 177,
                   180, 181, 182, 183, 185, 186, 187, 188, 189, 198, 199)
PRODUCTS = (("CUR-STD", "个人活期存款", "CURRENT"), ("SAV-STD", "个人储蓄存款", "SAVINGS"),
            ("TD-1Y", "一年期整存整取", "TIME_DEPOSIT"), ("WM-CASH", "天天利现金管理", "WEALTH"),
            ("ML-HOME", "个人住房贷款", "MORTGAGE"), ("PL-CONS", "个人消费贷款", "PERSONAL_LOAN"),
            ("CC-STD", "标准信用卡", "CREDIT_CARD"), ("DC-UNION", "银联借记卡", "DEBIT_CARD"),
            ("INS-LIFE", "安享终身寿险", "INSURANCE"))
PRODUCT_SHARES = (0.3, 0.2, 0.1, 0.1, 0.05, 0.05, 0.12, 0.05, 0.03)
LIABILITIES = {"MORTGAGE", "PERSONAL_LOAN", "CREDIT_CARD"}
BRANCHES = 20
_WEIGHTS = np.array((7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2))


def resident_ids(region: np.ndarray, born: pd.DatetimeIndex, sequence: np.ndarray) -> np.ndarray:
    first17 = pd.Series(region).str.cat([pd.Series(born.strftime("%Y%m%d")), pd.Series(sequence).map("{:03d}".format)])
    digits = np.frombuffer("".join(first17).encode(), dtype=np.uint8).reshape(-1, 17) - ord("0")
    check = np.array(list("10X98765432"))[(digits * _WEIGHTS).sum(axis=1) % 11]
    return (first17 + check).to_numpy()


def branch_codes() -> list[str]:
    return [f"BR{n:03d}" for n in range(1, BRANCHES + 1)]


def generate(*, customers: int, accounts: int, seed: int, bad_share: float,
             foreign_share: float = 0.10) -> dict[str, Path]:
    rng = np.random.default_rng(seed)
    DATA.mkdir(exist_ok=True)
    paths = {name: DATA / f"{name}.csv" for name in ("branches", "products", "customers", "accounts",
                                                     "customers_changed")}
    codes = branch_codes()
    pd.DataFrame({"code": codes, "name": [f"{CITIES[i % len(CITIES)]}第{i + 1}支行" for i in range(BRANCHES)],
                  "city": [CITIES[i % len(CITIES)] for i in range(BRANCHES)],
                  "address": [f"{CITIES[i % len(CITIES)]}人民路{i + 1}号" for i in range(BRANCHES)]}
                 ).to_csv(paths["branches"], index=False)
    pd.DataFrame({"code": [p[0] for p in PRODUCTS], "name": [p[1] for p in PRODUCTS], "kind": [p[2] for p in PRODUCTS],
                  "name_en": "", "launched_at": "2010-01-01"}).to_csv(paths["products"], index=False)

    n = np.arange(1, customers + 1)
    male = rng.random(customers) < 0.5
    born = pd.to_datetime("1940-01-01") + pd.to_timedelta(rng.integers(0, 365 * 65, customers), unit="D")
    regions = pd.read_csv(identity.DATA_DIR / "cn_areas.csv", dtype=str)["code"].to_numpy()
    sequence = rng.integers(0, 500, customers) * 2 + male  # odd: male (GB 11643)
    home = rng.integers(0, BRANCHES, customers)
    people = pd.DataFrame({
        "customer_no": [f"BC{i:09d}" for i in n],
        "full_name": rng.choice(SURNAMES, customers).astype(object) + rng.choice(GIVEN, customers).astype(object),
        "home_branch": np.array(codes)[home],
        "gender": np.where(male, "M", "F"),
        "date_of_birth": born.strftime("%Y-%m-%d"),
        "id_type": "RESIDENT_ID",
        "id_number": resident_ids(rng.choice(regions, customers), born, sequence),
        "mobile": [f"{p}{m:08d}" for p, m in zip(rng.choice(MOBILE_PREFIXES, customers),
                                                  rng.integers(0, 10**8, customers), strict=True)],
        "email": [f"user{i}@example.com" for i in n],
        "city": np.array(CITIES)[home % len(CITIES)],
        "address": [f"人民路{i % 999 + 1}号{i % 30 + 1}室" for i in n],
        "occupation": rng.choice(OCCUPATIONS, customers),
        "segment": rng.choice(["MASS", "AFFLUENT", "PRIVATE", "SMALL_BUSINESS"], customers, p=[0.7, 0.2, 0.04, 0.06]),
        "preferred_language": rng.choice(["zh-hans", "en"], customers, p=[0.9, 0.1]),
        "preferred_channel": rng.choice(["SMS", "EMAIL", "APP", "PHONE", "POST", ""], customers),
        "marketing_consent": rng.choice(["yes", "no", ""], customers, p=[0.5, 0.2, 0.3]),
    })
    bad = rng.random(customers) < bad_share
    people.loc[bad, "mobile"] = "12345"  # not a phone number: rejected
    people.to_csv(paths["customers"], index=False)
    changed = people.copy()
    tenth = rng.random(customers) < 0.1
    changed.loc[tenth & ~bad, "mobile"] = [f"199{m:08d}" for m in rng.integers(0, 10**8, int((tenth & ~bad).sum()))]
    changed.to_csv(paths["customers_changed"], index=False)

    owner = np.concatenate([np.arange(customers), rng.integers(0, customers, max(0, accounts - customers))])[:accounts]
    product = rng.choice(len(PRODUCTS), accounts, p=PRODUCT_SHARES)
    kinds = np.array([p[2] for p in PRODUCTS])[product]
    cents = rng.lognormal(11, 1.5, accounts).astype(np.int64)
    overdrawn = (rng.random(accounts) < 0.02) & ~np.isin(kinds, list(LIABILITIES))
    cents = np.where(overdrawn, -cents // 100, cents)
    pd.DataFrame({
        "account_no": [f"62{i:017d}" for i in range(1, accounts + 1)],
        "customer_no": people["customer_no"].to_numpy()[owner],
        "product_code": np.array([p[0] for p in PRODUCTS])[product],
        "branch": people["home_branch"].to_numpy()[owner],
        "currency": rng.choice(["CNY", "USD", "HKD"], accounts,
                               p=[1 - foreign_share, foreign_share * 0.8, foreign_share * 0.2]),
        "balance": [f"{c // 100}.{abs(c) % 100:02d}" if c >= 0 else f"-{-c // 100}.{-c % 100:02d}" for c in cents],
        "opened_at": (pd.to_datetime("2005-01-01")
                      + pd.to_timedelta(rng.integers(0, 365 * 20, accounts), unit="D")).strftime("%Y-%m-%d"),
        "status": rng.choice(["ACTIVE", "DORMANT", "CLOSED"], accounts, p=[0.9, 0.07, 0.03]),
    }).to_csv(paths["accounts"], index=False)
    return paths


def remove_earlier_run() -> None:
    """The bench's own rows (customers BC…, their accounts, consents and history; branches BR… nobody uses).

    In SQL: the ORM's delete() would first load every row (and its relations) into memory.
    """
    from django.db import connection, transaction

    ours = "SELECT id FROM customers_customer WHERE customer_no LIKE %s"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM accounts_account WHERE customer_id IN ({ours})", ["BC%"])  # noqa: S608 - constant
        cursor.execute(f"DELETE FROM customers_consentrecord WHERE customer_id IN ({ours})", ["BC%"])  # noqa: S608 - constant
        cursor.execute("DELETE FROM customers_historicalcustomer WHERE customer_no LIKE %s", ["BC%"])
        cursor.execute("DELETE FROM customers_customer WHERE customer_no LIKE %s", ["BC%"])
        cursor.execute("DELETE FROM branches_branch b WHERE b.code = ANY(%s) "
                       "AND NOT EXISTS (SELECT 1 FROM customers_customer c WHERE c.home_branch_id = b.id) "
                       "AND NOT EXISTS (SELECT 1 FROM accounts_account a WHERE a.branch_id = b.id) "
                       "AND NOT EXISTS (SELECT 1 FROM branches_staffprofile s WHERE s.branch_id = b.id)",
                       [branch_codes()])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--accounts", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--bad-share", type=float, default=0.001, help="share of customer rows with a bad mobile")
    parser.add_argument("--foreign-share", type=float, default=0.10,
                        help="share of accounts in a foreign currency (USD and HKD, 4:1); their transactions follow")
    parser.add_argument("--chunk-size", type=int, default=5000)
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument("--fresh", action="store_true", help="first delete what an earlier run of the bench loaded")
    args = parser.parse_args()
    if args.fresh:
        remove_earlier_run()

    started = time.monotonic()
    paths = generate(customers=args.customers, accounts=args.accounts, seed=args.seed, bad_share=args.bad_share,
                     foreign_share=args.foreign_share)
    print(f"generated {args.customers:,} customers and {args.accounts:,} accounts "
          f"in {time.monotonic() - started:.1f} s under {DATA}")
    if args.generate_only:
        return
    runs = [("branches", "branches"), ("products", "products"), ("customers", "customers"), ("accounts", "accounts"),
            ("customers", "customers"), ("accounts", "accounts"), ("customers", "customers_changed")]
    print(f"{'kind':<10} {'file':<22} {'received':>9} {'inserted':>9} {'updated':>8} {'unchanged':>9} "
          f"{'rejected':>8} {'seconds':>8} {'rows/s':>8}")
    for kind, name in runs:
        result = records_import(kind=kind, file=paths[name], chunk_size=args.chunk_size)
        if not result.balanced:
            raise SystemExit(f"the counts do not add up: {result.summary()}")
        print(f"{kind:<10} {name + '.csv':<22} {result.received:>9,} {result.inserted:>9,} {result.updated:>8,} "
              f"{result.unchanged:>9,} {result.rejected:>8,} {result.seconds:>8.1f} {result.rows_per_second:>8,.0f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {peak:.0f} MB")


if __name__ == "__main__":
    main()
