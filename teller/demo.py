"""Demo data for a fresh install (`manage.py seed_demo`): three branches and their staff, the product
catalogue, customers with accounts and cards, and twelve months of transactions on every channel.

The same --seed gives the same people, numbers and transaction ids; dates are relative to now. Customers are
planned in blocks of BLOCK, each block with random streams of its own, so the first N customers are the same
whatever --customers says. A customer already in the database is left as it is, with its accounts, cards and
transactions; every row is keyed by its natural key (branch code, username, product code, customer_no,
account_no, card HMAC, channel + external_id) and inserted with ON CONFLICT DO NOTHING, so a second run adds
nothing. It all happens in one database transaction: an interrupted run leaves nothing behind for
`--if-empty` to mistake for demo data.

Rows go in with bulk_create and COPY because the per-row services would take minutes for 5,000 customers;
the rules those services enforce (ID check digit, region, birth date, phone numbers) are checked on the
generated values in teller/tests/test_seed_demo.py. Staff go through branches.services.staff_create.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from faker import Faker

from accounts.models import (
    LIABILITY_KINDS,
    Account,
    AccountStatus,
    Card,
    CardKind,
    CardStatus,
    Product,
    ProductKind,
)
from branches import services as branch_services
from branches.models import Branch, Role, StaffProfile
from customers import identity
from customers.models import (
    ConsentRecord,
    ConsentSource,
    ContactChannel,
    ContactTime,
    Customer,
    CustomerStatus,
    Gender,
    IdType,
    IncomeBand,
    KycStatus,
    RiskRating,
    Segment,
)
from transactions.models import Category, Channel, Direction, MerchantCategory, Transaction

User = get_user_model()

BLOCK = 100  # customers per random stream
LOCK_ID = 0x5EED_DE30  # pg_advisory_xact_lock key: two seeds at once take turns
EXTERNAL_ID_PREFIX = "DEMO"
NOT_KNOWN = "(unknown)"  # in the logins file, for a password set before it was written


# --- reference data -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoBranch:
    code: str
    suffix: str  # of the staff usernames: teller_sh
    name: str
    city: str
    address: str
    number: str  # the leading digits of its account numbers
    weight: float  # share of the customers
    districts: tuple[tuple[str, str], ...]  # (region code, district): where its customers live and were born
    roads: tuple[str, ...]
    nearby: tuple[tuple[str, str], ...]  # (city, district) some of its customers live in


BRANCHES = (
    DemoBranch("SH001", "sh", "上海浦东支行", "上海市", "上海市浦东新区陆家嘴环路1000号", "3101", 0.40,
               (("310115", "浦东新区"), ("310104", "徐汇区"), ("310106", "静安区"), ("310101", "黄浦区"),
                ("310112", "闵行区"), ("310105", "长宁区"), ("310110", "杨浦区")),
               ("世纪大道", "张杨路", "浦东南路", "东方路", "锦绣路", "花木路", "南京西路", "淮海中路", "漕溪北路"),
               (("苏州市", "工业园区"), ("杭州市", "西湖区"), ("南通市", "崇川区"), ("嘉兴市", "南湖区"))),
    DemoBranch("BJ001", "bj", "北京朝阳支行", "北京市", "北京市朝阳区建国路88号", "1101", 0.33,
               (("110105", "朝阳区"), ("110108", "海淀区"), ("110101", "东城区"), ("110102", "西城区"),
                ("110106", "丰台区"), ("110112", "通州区"), ("110114", "昌平区")),
               ("建国路", "朝阳北路", "东三环中路", "望京街", "中关村大街", "安立路", "亮马桥路", "西直门外大街"),
               (("天津市", "南开区"), ("廊坊市", "广阳区"), ("保定市", "竞秀区"))),
    DemoBranch("SZ001", "sz", "深圳福田支行", "深圳市", "深圳市福田区深南大道6008号", "4403", 0.27,
               (("440304", "福田区"), ("440305", "南山区"), ("440303", "罗湖区"), ("440306", "宝安区"),
                ("440309", "龙华区"), ("440307", "龙岗区")),
               ("深南大道", "福华路", "益田路", "华强北路", "科技园路", "滨海大道", "宝安大道", "布吉路"),
               (("东莞市", "南城街道"), ("广州市", "天河区"), ("惠州市", "惠城区"))),
)
STAFF_ROLES = (Role.TELLER, Role.MANAGER, Role.ADMIN)

K = ProductKind
# code, kind, Chinese name, English name, launched (a date, or days before today), share within its kind
PRODUCTS = (
    ("CUR-STD", K.CURRENT, "个人活期存款", "Personal current account", dt.date(2008, 1, 1), 0.6),
    ("CUR-PAY", K.CURRENT, "薪享通代发工资账户", "Payroll current account", dt.date(2015, 3, 1), 0.4),
    ("DC-UNION", K.DEBIT_CARD, "银联借记卡", "UnionPay debit card", dt.date(2010, 6, 1), 0.8),
    ("DC-YOUTH", K.DEBIT_CARD, "青春借记卡", "Youth debit card", dt.date(2019, 9, 1), 0.2),
    ("SAV-STD", K.SAVINGS, "个人储蓄存款", "Personal savings account", dt.date(2008, 1, 1), 0.75),
    ("SAV-7D", K.SAVINGS, "七天通知存款", "Seven-day notice deposit", dt.date(2012, 4, 1), 0.25),
    ("TD-3M", K.TIME_DEPOSIT, "三个月整存整取", "Three-month time deposit", dt.date(2008, 1, 1), 0.2),
    ("TD-1Y", K.TIME_DEPOSIT, "一年期整存整取", "One-year time deposit", dt.date(2008, 1, 1), 0.4),
    ("TD-3Y", K.TIME_DEPOSIT, "三年期整存整取", "Three-year time deposit", dt.date(2008, 1, 1), 0.25),
    ("TD-LCD", K.TIME_DEPOSIT, "大额存单", "Large-denomination certificate of deposit", dt.date(2016, 6, 1), 0.15),
    ("WM-CASH", K.WEALTH, "天天利现金管理", "Daily cash management", dt.date(2018, 5, 1), 0.4),
    ("WM-STABLE", K.WEALTH, "稳健增利固收理财", "Steady fixed-income plan", dt.date(2020, 2, 1), 0.35),
    ("WM-FUND", K.WEALTH, "基金定投计划", "Regular fund investment plan", dt.date(2017, 8, 1), 0.2),
    ("WM-GREEN", K.WEALTH, "绿色低碳主题理财", "Green low-carbon wealth plan", 21, 0.05),  # new: for campaigns
    ("ML-HOME", K.MORTGAGE, "个人住房贷款", "Home mortgage", dt.date(2008, 1, 1), 0.7),
    ("ML-COMBO", K.MORTGAGE, "公积金组合贷款", "Housing provident fund combination loan", dt.date(2012, 1, 1), 0.3),
    ("PL-CONS", K.PERSONAL_LOAN, "个人消费贷款", "Personal consumer loan", dt.date(2016, 3, 1), 1.0),
    ("PL-BIZ", K.PERSONAL_LOAN, "个人经营贷款", "Sole-trader business loan", dt.date(2017, 7, 1), 0.0),
    ("CC-STD", K.CREDIT_CARD, "标准信用卡", "Classic credit card", dt.date(2010, 1, 1), 0.45),
    ("CC-GOLD", K.CREDIT_CARD, "金卡信用卡", "Gold credit card", dt.date(2010, 1, 1), 0.3),
    ("CC-PLAT", K.CREDIT_CARD, "白金信用卡", "Platinum credit card", dt.date(2014, 9, 1), 0.1),
    ("CC-AIR", K.CREDIT_CARD, "航空联名信用卡", "Airline co-branded credit card", dt.date(2018, 4, 1), 0.15),
    ("INS-LIFE", K.INSURANCE, "安享终身寿险", "Whole life insurance", dt.date(2015, 1, 1), 0.4),
    ("INS-HEALTH", K.INSURANCE, "康宁重疾保障", "Critical illness cover", dt.date(2019, 6, 1), 0.35),
    ("INS-PENSION", K.INSURANCE, "养老年金保险", "Pension annuity", dt.date(2021, 1, 1), 0.25),
)
# A customer's accounts, in the order they are offered; at most MAX_ACCOUNTS each.
ACCOUNT_KINDS = (K.CURRENT, K.SAVINGS, K.CREDIT_CARD, K.TIME_DEPOSIT, K.WEALTH, K.MORTGAGE, K.PERSONAL_LOAN,
                 K.INSURANCE)
MAX_ACCOUNTS = 5
KIND_DIGITS = {kind: f"{i:02d}" for i, kind in enumerate(ProductKind.values, start=1)}
DEBIT_BIN, CREDIT_BIN = "621785", "625968"

COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "慕容", "司徒", "皇甫")
MODERN_GIVEN = {
    Gender.MALE: ("浩然", "子轩", "宇轩", "俊杰", "博文", "思远", "梓睿", "一鸣", "天佑", "嘉豪", "子墨", "明轩"),
    Gender.FEMALE: ("子涵", "梓萱", "欣怡", "一诺", "雨桐", "诗涵", "可馨", "佳怡", "思琪", "梦瑶", "语嫣", "若溪"),
}
CLASSIC_GIVEN = {
    Gender.MALE: ("建华", "建国", "志强", "国强", "志刚", "永刚", "晓东", "卫东", "海涛", "建平", "文斌", "德明"),
    Gender.FEMALE: ("秀英", "桂英", "玉兰", "丽华", "海燕", "红梅", "春梅", "丽娟", "文静", "晓燕", "淑芬", "美玲"),
}
ENGLISH_GIVEN = {Gender.MALE: ("David", "Kevin", "Jason", "Eric", "Tony", "Leo"),
                 Gender.FEMALE: ("Grace", "Vivian", "Cindy", "Emma", "Lily", "Joyce")}
MOBILE_PREFIXES = (*range(130, 140), 150, 151, 152, 155, 156, 157, 158, 159, 166, 176, 177, *range(180, 190), 198, 199)
EMAIL_DOMAINS = ("qq.com", "163.com", "126.com", "sina.com", "foxmail.com", "outlook.com", "gmail.com")

# occupation, median yearly income (CNY), what the employer looks like
OCCUPATIONS = (
    ("软件工程师", 320_000, "company"), ("教师", 150_000, "school"), ("医生", 260_000, "hospital"),
    ("护士", 120_000, "hospital"), ("会计", 130_000, "company"), ("公务员", 180_000, "government"),
    ("销售经理", 220_000, "company"), ("机械工程师", 190_000, "company"), ("律师", 380_000, "firm"),
    ("设计师", 180_000, "company"), ("司机", 90_000, "company"), ("厨师", 85_000, "company"),
    ("快递员", 90_000, "company"), ("工厂工人", 75_000, "company"), ("行政职员", 110_000, "company"),
    ("金融分析师", 420_000, "company"), ("个体工商户", 220_000, "business"), ("企业主", 900_000, "business"),
    ("自由职业者", 150_000, ""),
)
OCCUPATION_WEIGHTS = (8, 8, 5, 5, 7, 7, 7, 6, 2, 4, 5, 4, 4, 7, 9, 2, 6, 2, 3)
BUSINESS_OCCUPATIONS = ("个体工商户", "企业主")
GOVERNMENT_OFFICES = ("税务局", "人力资源和社会保障局", "市场监督管理局", "教育局", "住房和城乡建设局")
SERVICE_NOTES_ELDERLY = ("听力不好，请大声说话", "视力不好，请协助填写单据", "行动不便，请优先安排爱心窗口")
SERVICE_NOTES_OTHER = ("不接受电话营销", "习惯现金业务，请耐心讲解手机银行", "一般上午来网点办理业务",
                       "请勿在电话中透露账户余额")

# merchants by spending category: (MCC, name). MCCs not in MerchantCategory with that category are skipped.
MERCHANTS = {
    Category.DINING: (("5812", "海底捞火锅"), ("5812", "外婆家"), ("5812", "西贝莜面村"), ("5812", "小南国"),
                      ("5814", "肯德基"), ("5814", "麦当劳"), ("5814", "星巴克"), ("5814", "瑞幸咖啡"),
                      ("5814", "喜茶")),
    Category.GROCERIES: (("5411", "盒马鲜生"), ("5411", "永辉超市"), ("5411", "沃尔玛"), ("5411", "大润发"),
                         ("5411", "物美超市"), ("5499", "全家便利店"), ("5499", "罗森便利店"),
                         ("5462", "85度C"), ("5451", "光明牛奶")),
    Category.RETAIL: (("5311", "万达广场"), ("5311", "京东商城"), ("5311", "天猫"), ("5399", "拼多多"),
                      ("5651", "优衣库"), ("5732", "苏宁易购"), ("5732", "Apple Store"), ("5977", "屈臣氏"),
                      ("5331", "名创优品"), ("5941", "迪卡侬")),
    Category.FUEL: (("5541", "中国石化加油站"), ("5541", "中国石油加油站"), ("5541", "壳牌加油站"),
                    ("5542", "中石化自助加油")),
    Category.TRAVEL: (("4511", "中国国际航空"), ("4511", "中国东方航空"), ("4511", "中国南方航空"),
                      ("4112", "中国铁路12306"), ("7011", "如家酒店"), ("7011", "全季酒店"),
                      ("4722", "携程旅行"), ("4121", "滴滴出行"), ("4111", "地铁公交")),
    Category.ENTERTAINMENT: (("7832", "万达影城"), ("7832", "CGV影城"), ("7996", "欢乐谷"), ("7922", "大麦网"),
                             ("7997", "一兆韦德健身"), ("5816", "腾讯游戏"), ("5815", "爱奇艺会员")),
    Category.HEALTH: (("5912", "老百姓大药房"), ("5912", "大参林药房"), ("5912", "海王星辰"),
                      ("8062", "市第一人民医院"), ("8021", "瑞尔齿科"), ("8099", "美年大健康体检")),
    Category.EDUCATION: (("8299", "新东方"), ("8299", "学而思"), ("5942", "新华书店"), ("8220", "开放大学"),
                         ("8299", "英语流利说")),
    Category.UTILITIES: (("4900", "国家电网"), ("4900", "自来水公司"), ("4900", "燃气公司"),
                         ("4814", "中国移动"), ("4814", "中国联通"), ("4814", "中国电信")),
}
# base share of card spend, and the typical amount in yuan
SPEND = {
    Category.DINING: (0.26, 75), Category.GROCERIES: (0.24, 120), Category.RETAIL: (0.15, 260),
    Category.FUEL: (0.07, 320), Category.TRAVEL: (0.06, 900), Category.ENTERTAINMENT: (0.08, 120),
    Category.HEALTH: (0.05, 180), Category.EDUCATION: (0.04, 1500), Category.UTILITIES: (0.05, 160),
}
CASH_MCC = "6011"

CH = Channel
CUSTOMER_CHANNELS = (CH.POS, CH.ATM, CH.COUNTER, CH.ONLINE, CH.MOBILE, CH.PHONE, CH.SELF_SERVICE)
# share of a customer's own transactions per channel, for the young (<35), the middle-aged and the old (60+)
CHANNEL_MIX = np.array([
    [0.30, 0.05, 0.02, 0.08, 0.48, 0.01, 0.06],
    [0.28, 0.10, 0.08, 0.14, 0.30, 0.03, 0.07],
    [0.15, 0.15, 0.35, 0.04, 0.10, 0.08, 0.13],
])
# what a customer does on each channel: channel, description, direction, kind, weight, typical yuan
OPERATIONS = (
    (CH.POS, "POS消费", Direction.DEBIT, "spend", 1, 0),
    (CH.ATM, "ATM取款", Direction.DEBIT, "cash", 85, 800),
    (CH.ATM, "ATM存款", Direction.CREDIT, "cash", 15, 2000),
    (CH.COUNTER, "柜面存款", Direction.CREDIT, "cash", 35, 5000),
    (CH.COUNTER, "柜面取款", Direction.DEBIT, "cash", 30, 3000),
    (CH.COUNTER, "柜面转账", Direction.DEBIT, "transfer", 25, 8000),
    (CH.COUNTER, "柜面代缴费", Direction.DEBIT, "bill", 10, 300),
    (CH.ONLINE, "网银转账", Direction.DEBIT, "transfer", 40, 3000),
    (CH.ONLINE, "网上支付", Direction.DEBIT, "spend", 40, 0),
    (CH.ONLINE, "网银转入", Direction.CREDIT, "transfer", 20, 3000),
    (CH.MOBILE, "扫码支付", Direction.DEBIT, "spend", 45, 0),
    (CH.MOBILE, "手机银行转账", Direction.DEBIT, "transfer", 22, 1500),
    (CH.MOBILE, "转账收入", Direction.CREDIT, "transfer", 15, 1500),
    (CH.MOBILE, "信用卡还款", Direction.CREDIT, "repay", 10, 3000),
    (CH.MOBILE, "手机银行缴费", Direction.DEBIT, "bill", 8, 150),
    (CH.PHONE, "电话银行缴费", Direction.DEBIT, "bill", 45, 200),
    (CH.PHONE, "电话银行转账", Direction.DEBIT, "transfer", 35, 2000),
    (CH.PHONE, "信用卡还款", Direction.CREDIT, "repay", 20, 3000),
    (CH.SELF_SERVICE, "自助存款", Direction.CREDIT, "cash", 40, 3000),
    (CH.SELF_SERVICE, "自助缴费", Direction.DEBIT, "bill", 30, 200),
    (CH.SELF_SERVICE, "自助转账", Direction.DEBIT, "transfer", 30, 2000),
)


def _hours(first: int, last: int, peaks: tuple[int, ...] = ()) -> np.ndarray:
    weights = np.zeros(24)
    weights[first:last + 1] = 1.0
    for hour in peaks:
        weights[hour] += 1.5
    return weights / weights.sum()


# local hour of day per channel
CHANNEL_HOURS = {
    CH.POS: _hours(7, 22, (12, 18, 19)), CH.ATM: _hours(7, 22, (12, 18)), CH.COUNTER: _hours(9, 16, (10,)),
    CH.ONLINE: _hours(8, 23, (20, 21)), CH.MOBILE: _hours(7, 23, (12, 20, 21, 22)), CH.PHONE: _hours(9, 19),
    CH.SELF_SERVICE: _hours(8, 20, (17,)),
}
STAGING_COLUMNS = ("channel", "external_id", "account_id", "customer_id", "occurred_at", "amount_cents",
                   "direction", "balance_after_cents", "mcc", "merchant_name", "terminal_id", "description")


# --- what a run does ----------------------------------------------------------------------------------------


@dataclass
class DemoLogin:
    username: str
    role: str
    branch: str
    password: str | None  # known when this run created the user, or from the logins file
    created: bool = False


@dataclass
class DemoSeedResult:
    present: bool = False  # --if-empty found customers and did nothing
    created: dict[str, int] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    logins: list[DemoLogin] = field(default_factory=list)
    logins_file: Path | None = None
    logins_file_written: bool = False
    seconds: float = 0.0

    @property
    def staff_created(self) -> list[DemoLogin]:
        return [login for login in self.logins if login.created]

    @property
    def passwords_unknown(self) -> list[str]:
        return [login.username for login in self.logins if login.password is None]


@dataclass
class DemoPlan:
    """Everything to be written, as frames keyed by natural keys (no database ids yet)."""

    customers: pd.DataFrame
    accounts: pd.DataFrame
    cards: pd.DataFrame
    consents: pd.DataFrame
    transactions: pd.DataFrame


COUNTED = {"branches": Branch, "staff": StaffProfile, "products": Product, "customers": Customer,
           "consents": ConsentRecord, "accounts": Account, "cards": Card, "transactions": Transaction}


def logins_path() -> Path:
    return Path(settings.BASE_DIR) / ".data" / "demo-logins.txt"


def demo_seed(*, customers: int = 5000, seed: int = 42, if_empty: bool = False,
              now: dt.datetime | None = None) -> DemoSeedResult:
    """Load the demo data, or what is missing of it: customers already there are left as they are.

    With if_empty, any customer at all means "present": nothing is loaded (a lost logins file comes back,
    its passwords marked unknown, since `make run` prints it on every start).
    """
    started = time.monotonic()
    now = now or timezone.now()
    result = DemoSeedResult(logins_file=logins_path())
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_ID])
        if if_empty and Customer.objects.exists():
            result.present = True
            result.logins = _staff_present()
            result.totals = {name: model.objects.count() for name, model in COUNTED.items()}
        else:
            _seed(result=result, customers=customers, seed=seed, now=now)
    if result.created.get("transactions"):
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE transactions_transaction")  # fresh row counts for the planner
    result.logins_file_written = _logins_file_update(path=result.logins_file, logins=result.logins)
    result.seconds = time.monotonic() - started
    return result


def _seed(*, result: DemoSeedResult, customers: int, seed: int, now: dt.datetime) -> None:
    before = {name: model.objects.count() for name, model in COUNTED.items()}
    branches = {b.code: branch_services.branch_upsert(code=b.code, name=b.name, city=b.city, address=b.address)
                for b in BRANCHES}
    result.logins = _staff_ensure(branches=branches, seed=seed)
    _products_ensure(today=timezone.localdate(now))
    numbers = [customer_number(n) for n in range(1, customers + 1)]
    existing = set(Customer.objects.filter(customer_no__in=numbers).values_list("customer_no", flat=True))
    _staging_create()
    for block in demo_plan_blocks(customers=customers, seed=seed, now=now, skip=existing):
        _write(plan=block, branches=branches, now=now)
    _staging_insert()
    result.totals = {name: model.objects.count() for name, model in COUNTED.items()}
    result.created = {name: result.totals[name] - before[name] for name in COUNTED}


def _staff_usernames() -> list[str]:
    return [f"{role}_{b.suffix}" for b in BRANCHES for role in STAFF_ROLES]


def customer_number(n: int) -> str:
    """The demo customer_no of the n-th customer (1-based): C + 9 digits."""
    return f"C{100_000_000 + n:09d}"


# --- branches, staff, products ------------------------------------------------------------------------------


def _staff_present() -> list[DemoLogin]:
    profiles = StaffProfile.objects.filter(user__username__in=_staff_usernames()).select_related("user", "branch")
    order = {username: i for i, username in enumerate(_staff_usernames())}
    return sorted((DemoLogin(username=p.user.username, role=p.role, branch=p.branch.code, password=None)
                   for p in profiles), key=lambda login: order[login.username])


def _staff_ensure(*, branches: dict[str, Branch], seed: int) -> list[DemoLogin]:
    fake = Faker("zh_CN")
    fake.seed_instance(f"{seed}:staff")
    existing = set(User.objects.filter(username__in=_staff_usernames()).values_list("username", flat=True))
    logins = []
    for b in BRANCHES:
        for role in STAFF_ROLES:
            username = f"{role}_{b.suffix}"
            last_name, first_name = fake.last_name(), fake.first_name()  # drawn always, so names stay put
            password = None
            if username not in existing:
                password = secrets.token_urlsafe(12)
                branch_services.staff_create(username=username, password=password, branch=branches[b.code],
                                             role=role, first_name=first_name, last_name=last_name,
                                             email=f"{username}@bank.example")
            logins.append(DemoLogin(username=username, role=role, branch=b.code, password=password,
                                    created=password is not None))
    return logins


def _products_ensure(*, today: dt.date) -> None:
    Product.objects.bulk_create([
        Product(code=code, kind=kind, name=name, name_en=name_en, launched_at=_launch_date(launched, today))
        for code, kind, name, name_en, launched, _share in PRODUCTS
    ], ignore_conflicts=True)


# --- the plan -----------------------------------------------------------------------------------------------


def demo_plan(*, customers: int, seed: int, now: dt.datetime) -> DemoPlan:
    """All of the demo data of customers 1..N, in one plan."""
    blocks = list(demo_plan_blocks(customers=customers, seed=seed, now=now))
    return DemoPlan(**{name: pd.concat([getattr(b, name) for b in blocks], ignore_index=True)
                       for name in DemoPlan.__dataclass_fields__})


def demo_plan_blocks(*, customers: int, seed: int, now: dt.datetime, skip: set[str] | frozenset[str] = frozenset()
                     ) -> Iterator[DemoPlan]:
    """The demo data of customers 1..N less those in skip (by customer_no), one block of BLOCK customers at a time.

    Reads MerchantCategory, so that every MCC used is one the database knows.
    """
    merchants = _merchants()
    for block in range(-(-customers // BLOCK)):
        numbers = np.arange(block * BLOCK + 1, (block + 1) * BLOCK + 1)  # always a whole block: same draws
        wanted = {customer_number(int(n)) for n in numbers if n <= customers} - skip
        if not wanted:
            continue
        rng = np.random.default_rng([seed, block])
        fake = Faker("zh_CN")
        fake.seed_instance(f"{seed}:{block}")
        people = _plan_customers(rng, fake, numbers, now)
        accounts = _plan_accounts(rng, people, now)
        txns = _plan_transactions(rng, people, accounts, merchants, now)
        accounts, txns = _settle_balances(accounts, txns)
        parts = {"customers": people, "accounts": accounts, "cards": _plan_cards(rng, accounts, now),
                 "consents": _plan_consents(rng, people, now), "transactions": txns}
        yield DemoPlan(**{name: frame[frame["customer_no"].isin(wanted)].reset_index(drop=True)
                          for name, frame in parts.items()})


def _merchants() -> dict[str, tuple[tuple[str, str], ...]]:
    """MERCHANTS less any MCC the MerchantCategory table does not file under the same category."""
    known = dict(MerchantCategory.objects.values_list("mcc", "category"))
    merchants = {cat: tuple((mcc, name) for mcc, name in rows if known.get(mcc) == cat)
                 for cat, rows in MERCHANTS.items()}
    return {cat: rows for cat, rows in merchants.items() if rows}


def _pick(rng: np.random.Generator, options, size: int, p=None) -> np.ndarray:
    values = np.array(options, dtype=object)
    if p is not None:
        p = np.asarray(p, dtype=float) / np.sum(p)
    return values[rng.choice(len(values), size=size, p=p)]


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@lru_cache(maxsize=1)
def _region_codes() -> tuple[str, ...]:
    return tuple(pd.read_csv(identity.DATA_DIR / "cn_areas.csv", dtype=str)["code"])


def _employer(fake: Faker, kind: str, city: str, draw: int) -> str:
    if kind in ("company", "business"):
        return fake.company()
    if kind == "firm":
        return f"{fake.last_name()}{fake.last_name()}律师事务所"
    if kind == "school":
        return f"{city}第{draw % 40 + 1}中学"
    if kind == "hospital":
        return f"{city}第{draw % 9 + 1}人民医院"
    if kind == "government":
        return f"{city}{GOVERNMENT_OFFICES[draw % len(GOVERNMENT_OFFICES)]}"
    return ""


def _plan_customers(rng: np.random.Generator, fake: Faker, numbers: np.ndarray, now: dt.datetime) -> pd.DataFrame:
    """Who they are: one row per customer, the Customer fields plus what the later plans need (age, income...)."""
    today = timezone.localdate(now)
    m = len(numbers)
    branch_ix = rng.choice(len(BRANCHES), m, p=[b.weight for b in BRANCHES])
    male = rng.random(m) < 0.49
    young = rng.random(m) < 0.55
    age = np.clip(np.where(young, rng.normal(33, 8, m), rng.normal(58, 12, m)), 18, 84).astype(int)
    birthday_soon = rng.random(m) < 0.03  # within the coming fortnight
    day_of_year = rng.integers(0, 365, m)
    soon_in = rng.integers(0, 14, m)
    income_noise = rng.lognormal(0, 0.45, m)
    occupation_ix = rng.choice(len(OCCUPATIONS), m, p=np.array(OCCUPATION_WEIGHTS) / sum(OCCUPATION_WEIGHTS))
    retired = ((age >= 60) & (rng.random(m) < 0.85)) | ((age >= 55) & (rng.random(m) < 0.3))
    student = (age <= 23) & (rng.random(m) < 0.6) & ~retired
    wealth_noise = rng.lognormal(0, 0.9, m)
    born_local = rng.random(m) < 0.45
    lives_local = rng.random(m) < 0.88
    id_front = rng.integers(0, 10, m)
    id_sequence = rng.integers(0, 50, m) * 2 + np.where(male, 1, 0)  # the 17th digit is odd for men
    expiry_draw = rng.random(m)
    expiry_days = rng.integers(1, 7300, m)
    mobile_prefix = _pick(rng, MOBILE_PREFIXES, m)
    mobile_rest = rng.integers(0, 100_000_000, m)
    has_email = rng.random(m) < np.where(age < 45, 0.75, 0.35)
    english = rng.random(m) < 0.06
    kyc = _pick(rng, [KycStatus.VERIFIED, KycStatus.REVIEW_DUE, KycStatus.PENDING, KycStatus.REJECTED], m,
                [0.86, 0.07, 0.05, 0.02])
    kyc_days = rng.integers(1, 1095, m)
    risk = _pick(rng, RiskRating.values, m, [0.78, 0.18, 0.04])
    quiet = rng.random(m) < 0.035  # no activity for 200+ days
    quiet_days = np.where(quiet, rng.integers(200, 331, m), 0)
    do_not_contact = rng.random(m) < 0.02
    contact_channels = [ContactChannel.APP, ContactChannel.SMS, ContactChannel.EMAIL, ContactChannel.PHONE,
                        ContactChannel.POST]
    contact = np.where(age >= 60, _pick(rng, contact_channels, m, [0.1, 0.4, 0.02, 0.4, 0.08]),
                       _pick(rng, contact_channels, m, [0.45, 0.32, 0.1, 0.1, 0.03]))
    contact_time = _pick(rng, ContactTime.values, m, [0.5, 0.15, 0.15, 0.2])
    note_draw = rng.random((m, 2))
    regions = _region_codes()
    region_draw = rng.integers(0, len(regions), m)
    draw = rng.integers(0, 1000, (m, 4))

    rows = []
    for i in range(m):
        b = BRANCHES[branch_ix[i]]
        gender = Gender.MALE if male[i] else Gender.FEMALE
        if birthday_soon[i]:
            dob = _years_before(today + dt.timedelta(days=int(soon_in[i])), int(age[i]) + 1)
        else:
            dob = _years_before(today, int(age[i]) + 1) + dt.timedelta(days=int(day_of_year[i]) + 1)
        years = today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))
        surname = COMPOUND_SURNAMES[draw[i, 0] % len(COMPOUND_SURNAMES)] if draw[i, 3] < 25 else fake.last_name()
        if years < 36 and draw[i, 3] % 2 == 0:
            given = MODERN_GIVEN[gender][draw[i, 1] % len(MODERN_GIVEN[gender])]
        else:
            given = fake.first_name_male() if male[i] else fake.first_name_female()
            if len(given) == 1 and draw[i, 3] % 10 < 7:  # most given names have two characters
                given = CLASSIC_GIVEN[gender][draw[i, 1] % len(CLASSIC_GIVEN[gender])]
        full_name = surname + given
        pinyin, initials = identity.name_search_keys(full_name)
        surname_pinyin = identity.name_search_keys(surname)[0].title()

        home_district = b.districts[draw[i, 2] % len(b.districts)]
        region = home_district[0] if born_local[i] else regions[region_draw[i]]
        first17 = f"{region}{dob:%Y%m%d}{id_front[i]}{id_sequence[i]:02d}"
        if expiry_draw[i] < 0.03:
            id_expiry = today + dt.timedelta(days=int(expiry_days[i]) % 60 + 1)  # expiring soon
        elif expiry_draw[i] < 0.037:
            id_expiry = today - dt.timedelta(days=int(expiry_days[i]) % 90 + 1)  # lapsed
        elif years >= 46 and expiry_draw[i] < 0.5:
            id_expiry = None  # a long-term card
        else:
            id_expiry = today + dt.timedelta(days=int(expiry_days[i]) % (3650 if years < 26 else 7300) + 61)

        occupation, median_income, employer_kind = OCCUPATIONS[occupation_ix[i]]
        if retired[i]:
            occupation, median_income, employer_kind = "退休", 60_000, ""
        elif student[i]:
            occupation, median_income, employer_kind = "学生", 15_000, ""
        income = median_income * income_noise[i]
        if lives_local[i]:
            city, district = b.city, home_district[1]
            road = b.roads[draw[i, 0] % len(b.roads)]
        else:
            city, district = b.nearby[draw[i, 2] % len(b.nearby)]
            road = fake.street_name()
        wealth = income * (0.3 + 4 * (years - 18) / 67) * wealth_noise[i]  # the old have saved more
        if occupation in BUSINESS_OCCUPATIONS and wealth_noise[i] < 1.6:
            segment = Segment.SMALL_BUSINESS
        elif wealth >= 6_000_000:
            segment = Segment.PRIVATE
        elif wealth >= 500_000:
            segment = Segment.AFFLUENT
        else:
            segment = Segment.MASS

        notes = []
        if years >= 65 and note_draw[i, 0] < 0.15:
            notes.append(SERVICE_NOTES_ELDERLY[int(note_draw[i, 1] * len(SERVICE_NOTES_ELDERLY))])
        if segment in (Segment.AFFLUENT, Segment.PRIVATE) and note_draw[i, 1] < 0.3:
            notes.append("偏好VIP窗口")
        if english[i] and note_draw[i, 0] < 0.5:
            notes.append("需要英文服务")
        if not notes and note_draw[i, 0] > 0.97:
            notes.append(SERVICE_NOTES_OTHER[int(note_draw[i, 1] * len(SERVICE_NOTES_OTHER))])

        email = ""
        if has_email[i]:
            domain = EMAIL_DOMAINS[draw[i, 1] % len(EMAIL_DOMAINS)]
            email = (f"{mobile_rest[i] % 10**9 + 10**7}@qq.com" if domain == "qq.com"
                     else f"{pinyin}{draw[i, 2] % 100:02d}@{domain}")
        channel = ContactChannel.SMS if contact[i] == ContactChannel.EMAIL and not email else contact[i]
        if kyc[i] == KycStatus.VERIFIED:
            kyc_review = today + dt.timedelta(days=int(kyc_days[i]))  # the next periodic review
        elif kyc[i] == KycStatus.PENDING:
            kyc_review = today + dt.timedelta(days=int(kyc_days[i]) % 14 + 1)
        else:
            kyc_review = today - dt.timedelta(days=int(kyc_days[i]) % 120)
        rows.append({
            "customer_no": customer_number(int(numbers[i])),
            "branch": b.code,
            "full_name": full_name,
            "name_pinyin": pinyin,
            "name_initials": initials,
            "gender": gender.value,
            "date_of_birth": dob,
            "id_type": IdType.RESIDENT_ID.value,
            "id_number": first17 + identity.resident_id_check_char(first17),
            "id_expiry": id_expiry,
            "mobile": f"+86{mobile_prefix[i]}{mobile_rest[i]:08d}",
            "email": email,
            "address": f"{city}{district}{road}{draw[i, 0] + 1}号{draw[i, 1] % 30 + 1}栋"
                       f"{draw[i, 2] % 30 + 1}0{draw[i, 3] % 4 + 1}室",
            "city": city,
            "occupation": occupation,
            "employer": _employer(fake, employer_kind, city, int(draw[i, 1])),
            "income_band": _income_band(income),
            "segment": segment.value,
            "status": (CustomerStatus.DORMANT if quiet_days[i] >= 300 else CustomerStatus.ACTIVE).value,
            "kyc_status": str(kyc[i]),
            "kyc_review_date": kyc_review,
            "risk_rating": str(risk[i]),
            "preferred_name": f"{ENGLISH_GIVEN[gender][draw[i, 0] % 6]} {surname_pinyin}" if english[i] else "",
            "salutation": (f"{'Mr.' if male[i] else 'Ms.'} {surname_pinyin}" if english[i]
                           else f"{surname}{'先生' if male[i] else '女士'}"),
            "preferred_language": "en" if english[i] else "zh-hans",
            "preferred_contact_channel": str(channel),
            "preferred_contact_time": str(contact_time[i]),
            "service_notes": "；".join(notes),
            "do_not_contact": bool(do_not_contact[i]),
            # for the plans below, not stored
            "age": years,
            "income": income,
            "wealth": wealth,
            "retired": bool(retired[i]),
            "salaried": not (retired[i] or student[i] or occupation in (*BUSINESS_OCCUPATIONS, "自由职业者")),
            "quiet_days": int(quiet_days[i]),
        })
    return pd.DataFrame(rows)


def _income_band(income: float) -> str:
    if income < 60_000:
        return IncomeBand.LOW.value
    if income < 200_000:
        return IncomeBand.MIDDLE.value
    if income < 1_000_000:
        return IncomeBand.HIGH.value
    return IncomeBand.VERY_HIGH.value


def _scramble(number: np.ndarray, multiplier: int) -> np.ndarray:
    """A bijection on 0..10**9-1, so numbers derived from customer numbers look random and never collide."""
    return (number.astype(np.int64) * multiplier + 12_345_678) % 1_000_000_000


def _plan_accounts(rng: np.random.Generator, people: pd.DataFrame, now: dt.datetime) -> pd.DataFrame:
    today = timezone.localdate(now)
    m = len(people)
    age = people["age"].to_numpy()
    income = people["income"].to_numpy()
    wealth = people["wealth"].to_numpy()
    rich = people["segment"].isin([Segment.AFFLUENT, Segment.PRIVATE]).to_numpy()
    business = (people["segment"] == Segment.SMALL_BUSINESS).to_numpy()
    draws = rng.random((m, len(ACCOUNT_KINDS)))
    want = np.column_stack([
        np.ones(m, dtype=bool),
        draws[:, 1] < 0.55,
        draws[:, 2] < np.where(age < 60, 0.5, 0.15) * (income >= 50_000),
        draws[:, 3] < 0.12 + 0.25 * (age >= 50) + 0.2 * rich,
        draws[:, 4] < 0.06 + 0.45 * rich,
        draws[:, 5] < np.where((age >= 28) & (age <= 58) & (income >= 100_000), 0.3, 0.0),
        draws[:, 6] < 0.05 + 0.3 * business,
        draws[:, 7] < 0.06 + 0.1 * (age >= 40),
    ])
    want &= np.cumsum(want, axis=1) <= MAX_ACCOUNTS
    who, column = np.nonzero(want)
    n = len(who)
    slot = np.cumsum(want, axis=1)[who, column] - 1
    kind = np.array([k.value for k in ACCOUNT_KINDS], dtype=object)[column]
    primary = column == 0
    kind[primary & (rng.random(n) < 0.45)] = K.DEBIT_CARD.value
    product = _choose_products(rng, kind, age[who], income[who], business[who])

    noise = rng.lognormal(0, 0.6, n)
    monthly = income[who] / 12
    balance = np.select(
        [np.isin(kind, [K.CURRENT, K.DEBIT_CARD]), kind == K.SAVINGS, kind == K.TIME_DEPOSIT, kind == K.WEALTH,
         kind == K.MORTGAGE, kind == K.PERSONAL_LOAN, kind == K.CREDIT_CARD, kind == K.INSURANCE],
        [np.maximum(monthly * 1.5, 500) * noise, wealth[who] * 0.3 * noise,
         np.maximum(np.round(wealth[who] * 0.4 * noise, -3), 10_000),
         np.maximum(np.round(wealth[who] * 0.5 * noise, -3), 10_000),
         rng.uniform(300_000, 3_000_000, n) * np.sqrt(np.maximum(income[who], 50_000) / 200_000),
         rng.uniform(20_000, 300_000, n), rng.uniform(0, 0.8, n) * monthly,
         np.round(rng.uniform(10_000, 300_000, n), -2)],
    )
    # opened within the customer's adult life (at most 15 years ago) and after the product's launch; accounts
    # with transactions were opened before the year of transactions began
    transactional = np.isin(kind, [K.CURRENT, K.DEBIT_CARD, K.SAVINGS, K.CREDIT_CARD])
    latest = np.where(transactional, 366, 10)
    launched = {code: _launch_date(launched, today) for code, *_rest, launched, _share in PRODUCTS}
    earliest = np.array([(today - launched[p]).days for p in product])
    earliest = np.maximum(np.minimum(earliest, np.minimum((age[who] - 18) * 365, 15 * 365)), latest)
    opened_days = latest + rng.integers(0, 10**6, n) % (earliest - latest + 1)
    opened = [today - dt.timedelta(days=int(d)) for d in opened_days]
    dormant = people["status"].to_numpy()[who] == CustomerStatus.DORMANT
    branch = people["branch"].to_numpy()[who]
    number = people["customer_no"].str[1:].astype(np.int64).to_numpy()[who] - 100_000_000
    branch_number = {b.code: b.number for b in BRANCHES}
    account_no = [f"{branch_number[br]}{KIND_DIGITS[k]}{s:09d}{sl}"
                  for br, k, s, sl in zip(branch, kind, _scramble(number, 48_271_013), slot, strict=True)]
    return pd.DataFrame({
        "account_no": account_no,
        "customer_no": people["customer_no"].to_numpy()[who],
        "customer": who,  # row in people
        "number": number,
        "product": product,
        "kind": kind,
        "branch": branch,
        "balance_cents": np.round(balance * 100).astype(np.int64),
        "status": np.where(dormant & transactional, AccountStatus.DORMANT.value, AccountStatus.ACTIVE.value),
        "opened_at": opened,
    })


def _launch_date(launched: dt.date | int, today: dt.date) -> dt.date:
    return launched if isinstance(launched, dt.date) else today - dt.timedelta(days=launched)


def _choose_products(rng, kind, age, income, business) -> np.ndarray:
    codes = np.empty(len(kind), dtype=object)
    for k in ProductKind.values:
        rows = np.nonzero(kind == k)[0]
        options = [(code, share) for code, pk, *_rest, share in PRODUCTS if pk == k]
        if not len(rows) or not options:
            continue
        codes[rows] = _pick(rng, [c for c, _ in options], len(rows), [s for _, s in options])
    young = age < 30
    codes[(kind == K.DEBIT_CARD) & young & (rng.random(len(kind)) < 0.5)] = "DC-YOUTH"
    codes[(kind == K.DEBIT_CARD) & ~young] = "DC-UNION"
    codes[(kind == K.PERSONAL_LOAN) & business] = "PL-BIZ"
    tier = np.where(income >= 500_000, "CC-PLAT", np.where(income >= 200_000, "CC-GOLD", "CC-STD"))
    card = (kind == K.CREDIT_CARD) & (codes != "CC-AIR")
    codes[card] = tier[card]
    return codes


def _plan_cards(rng: np.random.Generator, accounts: pd.DataFrame, now: dt.datetime) -> pd.DataFrame:
    today = timezone.localdate(now)
    debit = accounts["kind"].isin([K.CURRENT, K.DEBIT_CARD]).to_numpy()
    credit = (accounts["kind"] == K.CREDIT_CARD).to_numpy()
    rows = accounts[debit | credit]
    n = len(rows)
    is_credit = credit[debit | credit]
    # 16 digits for credit cards, 19 for debit cards (as UnionPay issues them); one card per account
    debit_body = _scramble(rows["number"].to_numpy(), 69_069_317)
    credit_body = _scramble(rows["number"].to_numpy(), 27_182_819)
    slot = rows["account_no"].str[-1].to_numpy()
    pans = [luhn_complete(f"{CREDIT_BIN}{cb:09d}" if c else f"{DEBIT_BIN}80{sl}{db:09d}")
            for db, cb, sl, c in zip(debit_body, credit_body, slot, is_credit, strict=True)]
    months_ahead = rng.integers(1, 61, n)
    expiry = [_month_end(today, int(k)) for k in months_ahead]
    status = _pick(rng, [CardStatus.ACTIVE.value, CardStatus.BLOCKED.value], n, [0.99, 0.01])
    return pd.DataFrame({"account_no": rows["account_no"].to_numpy(), "customer_no": rows["customer_no"].to_numpy(),
                         "kind": np.where(is_credit, CardKind.CREDIT.value, CardKind.DEBIT.value),
                         "pan": pans, "expiry": expiry, "status": status})


def luhn_complete(partial: str) -> str:
    """Append the Luhn check digit."""
    total = 0
    for i, ch in enumerate(reversed(partial)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return partial + str((10 - total % 10) % 10)


def _month_end(today: dt.date, months_ahead: int) -> dt.date:
    index = today.year * 12 + today.month - 1 + months_ahead + 1
    return dt.date(index // 12, index % 12 + 1, 1) - dt.timedelta(days=1)


def _plan_consents(rng: np.random.Generator, people: pd.DataFrame, now: dt.datetime) -> pd.DataFrame:
    """Most customers agree to SMS and app messages at the counter; fewer to email, phone calls and post."""
    m = len(people)
    age = people["age"].to_numpy()
    has_email = (people["email"] != "").to_numpy()
    # channel: (share with a record, share of those granted)
    odds = {
        ContactChannel.SMS: (np.full(m, 0.92), 0.88),
        ContactChannel.APP: (np.where(age < 60, 0.85, 0.4), 0.85),
        ContactChannel.EMAIL: (np.where(has_email, 0.6, 0.0), 0.45),
        ContactChannel.PHONE: (np.full(m, 0.5), 0.4),
        ContactChannel.POST: (np.full(m, 0.3), 0.3),
    }
    frames = []
    for channel, (recorded, granted) in odds.items():
        who = np.nonzero(rng.random(m) < recorded)[0]
        k = len(who)
        frames.append(pd.DataFrame({
            "customer_no": people["customer_no"].to_numpy()[who],
            "branch": people["branch"].to_numpy()[who],
            "channel": channel.value,
            "granted": rng.random(k) < granted,
            "source": _pick(rng, [ConsentSource.COUNTER.value, ConsentSource.IMPORT.value], k, [0.85, 0.15]),
            "at": now - pd.to_timedelta(rng.integers(30 * 86400, 1500 * 86400, k), unit="s"),
        }))
    consents = pd.concat(frames, ignore_index=True)
    # a few later changed their mind about SMS: the newest record wins
    changed = consents[(consents["channel"] == ContactChannel.SMS) & consents["granted"]]
    changed = changed[rng.random(len(changed)) < 0.04].copy()
    changed["granted"] = False
    changed["source"] = ConsentSource.UNSUBSCRIBE.value
    changed["at"] = changed["at"] + pd.to_timedelta(rng.integers(86400, 25 * 86400, len(changed)), unit="s")
    return pd.concat([consents, changed], ignore_index=True)


# --- transactions -------------------------------------------------------------------------------------------


def _plan_transactions(rng: np.random.Generator, people: pd.DataFrame, accounts: pd.DataFrame,
                       merchants: dict[str, tuple[tuple[str, str], ...]], now: dt.datetime) -> pd.DataFrame:
    """A year of each customer's transactions, system postings first, then their own (numbered in that order)."""
    m = len(people)
    monthly_income = people["income"].to_numpy() / 12
    account_of = {}
    for kind in (K.SAVINGS, K.CREDIT_CARD, K.MORTGAGE, K.PERSONAL_LOAN):
        rows = accounts[accounts["kind"] == kind]
        account_of[kind] = _per_customer(m, rows["customer"], rows["account_no"])
    primary_rows = accounts[accounts["kind"].isin([K.CURRENT, K.DEBIT_CARD])]
    primary = _per_customer(m, primary_rows["customer"], primary_rows["account_no"])
    balance_of = dict(zip(accounts["account_no"], accounts["balance_cents"], strict=True))
    has_card = account_of[K.CREDIT_CARD] != ""

    parts = []

    def postings(who: np.ndarray, account: np.ndarray, day: int, hour: int, cents: np.ndarray, direction: str,
                 description: str, merchant: str = "", spread: float = 0.03) -> None:
        months = np.tile(np.arange(12), len(who))
        parts.append(pd.DataFrame({
            "customer": np.repeat(who, 12), "account_no": np.repeat(account[who], 12), "channel": CH.SYSTEM.value,
            "months_back": months, "day": day, "hour": hour,
            "amount_cents": np.maximum(np.repeat(cents[who], 12) * rng.normal(1, spread, len(months)), 1).round(),
            "direction": str(direction), "description": description, "merchant_name": merchant, "mcc": "",
            "terminal_id": "", "transfer_out": False,
        }))

    everyone = np.arange(m)
    retired = people["retired"].to_numpy()
    postings(everyone[people["salaried"].to_numpy()], primary, 10, 9, monthly_income * 100, Direction.CREDIT,
             "代发工资")
    postings(everyone[retired], primary, 5, 9, monthly_income * 100, Direction.CREDIT, "养老金发放")
    savings = account_of[K.SAVINGS]
    savings_balance = np.array([balance_of.get(a, 0) for a in savings], dtype=float)
    postings(everyone[savings != ""], savings, 21, 2, np.maximum(savings_balance * 0.0035 / 12, 1),
             Direction.CREDIT, "活期结息")
    for kind, rate, description in ((K.MORTGAGE, 0.0055, "房贷月供"), (K.PERSONAL_LOAN, 0.05, "贷款还款")):
        owed = np.array([balance_of.get(a, 0) for a in account_of[kind]], dtype=float)
        postings(everyone[account_of[kind] != ""], primary, 15, 6, owed * rate, Direction.DEBIT, description)
    sms_fee = rng.random(m) < 0.3
    postings(everyone[sms_fee], primary, 1, 3, np.full(m, 200.0), Direction.DEBIT, "短信通知服务费", spread=0)
    autopay = has_card & (rng.random(m) < 0.6)
    postings(everyone[autopay], account_of[K.CREDIT_CARD], 25, 5, monthly_income * 100 * rng.uniform(0.1, 0.3, m),
             Direction.CREDIT, "信用卡自动还款")
    system = pd.concat(parts, ignore_index=True)
    system["occurred_local"] = _monthly_dates(system, now)

    own = _plan_own_transactions(rng, people, primary, account_of[K.CREDIT_CARD], merchants, now)
    txns = pd.concat([system.drop(columns=["months_back", "day", "hour"]), own], ignore_index=True)
    txns = _spend_most_of_the_income(rng, txns, primary)
    txns = txns.sort_values("customer", kind="stable", ignore_index=True)
    sequence = txns.groupby("customer").cumcount() + 1
    customer_no = people["customer_no"].to_numpy()[txns["customer"].to_numpy()]
    txns["customer_no"] = customer_no
    txns["external_id"] = f"{EXTERNAL_ID_PREFIX}-" + pd.Series(customer_no) + "-" + sequence.astype(str).str.zfill(4)
    occurred = _to_utc(txns.pop("occurred_local"))
    occurred = occurred.where(occurred <= now, occurred - pd.Timedelta(days=1))  # later today: yesterday
    txns["occurred_at"] = occurred
    # quiet customers: nothing at all in their last quiet_days, postings included (ids stay as numbered)
    quiet_days = people["quiet_days"].to_numpy()[txns["customer"].to_numpy()]
    txns = txns[(occurred <= now - pd.to_timedelta(quiet_days, unit="D")).to_numpy()]
    txns["amount_cents"] = txns["amount_cents"].astype(np.int64)
    return txns.reset_index(drop=True)


def _per_customer(m: int, customer: pd.Series, values: pd.Series) -> np.ndarray:
    out = np.full(m, "", dtype=object)
    out[customer.to_numpy()] = values.to_numpy()
    return out


def _monthly_dates(system: pd.DataFrame, now: dt.datetime) -> pd.Series:
    """Local date-times of monthly postings, months_back months ago; one not yet due goes a year back."""
    local_now = timezone.localtime(now).replace(tzinfo=None)
    month_index = local_now.year * 12 + local_now.month - 1 - system["months_back"].to_numpy()
    stamps = pd.to_datetime(pd.DataFrame({"year": month_index // 12, "month": month_index % 12 + 1,
                                          "day": system["day"].to_numpy(), "hour": system["hour"].to_numpy()}))
    stamps = stamps + pd.to_timedelta(np.arange(len(system)) % 3600, unit="s")
    due = stamps <= pd.Timestamp(local_now)
    return stamps.where(due, stamps - pd.DateOffset(years=1))


def _to_utc(local: pd.Series) -> pd.Series:
    index = pd.DatetimeIndex(local).tz_localize(settings.TIME_ZONE, ambiguous=np.zeros(len(local), dtype=bool),
                                                nonexistent="shift_forward")
    return pd.Series(index.tz_convert("UTC"))


def _plan_own_transactions(rng: np.random.Generator, people: pd.DataFrame, primary: np.ndarray, card: np.ndarray,
                           merchants: dict[str, tuple[tuple[str, str], ...]], now: dt.datetime) -> pd.DataFrame:
    """What customers do themselves: older ones at the counter, younger ones on the phone app and cards."""
    m = len(people)
    age = people["age"].to_numpy()
    monthly_income = people["income"].to_numpy() / 12
    quiet_days = people["quiet_days"].to_numpy()
    group = np.where(age < 35, 0, np.where(age < 60, 1, 2))
    channel_share = np.vstack([rng.dirichlet(CHANNEL_MIX[g] * 25) for g in group])
    categories = list(merchants)
    base = np.array([SPEND[c][0] for c in categories])
    tilt = np.ones((m, len(categories)))
    index = {c: i for i, c in enumerate(categories)}

    def scale(category, rows, factor):
        if category in index:
            tilt[rows, index[category]] *= factor

    old, young, parents = age >= 60, age < 30, (age >= 30) & (age < 50)
    for category, factor in ((Category.HEALTH, 3), (Category.ENTERTAINMENT, 0.4), (Category.TRAVEL, 0.7),
                             (Category.EDUCATION, 0.3)):
        scale(category, old, factor)
    scale(Category.DINING, young, 1.3)
    scale(Category.ENTERTAINMENT, young, 1.6)
    scale(Category.EDUCATION, parents, 2)
    drives = rng.random(m) < 0.4
    scale(Category.FUEL, drives, 2.5)
    scale(Category.FUEL, ~drives, 0.15)
    category_share = np.vstack([rng.dirichlet(row * 6 + 1e-3) for row in base * tilt / (base * tilt).sum(1)[:, None]])

    # how many: quiet customers only act in the older part of the year
    active_share = (365 - quiet_days) / 365
    count = np.round(np.clip(rng.gamma(3, 15, m) + 10, 15, 95) * active_share).astype(int)
    customer = np.repeat(np.arange(m), count)
    n = len(customer)
    channel_ix = _draw_rows(rng, channel_share[customer])
    channel = np.array(CUSTOMER_CHANNELS, dtype=object)[channel_ix]

    ops = np.array(OPERATIONS, dtype=object)
    op = np.empty(n, dtype=int)
    for ch in CUSTOMER_CHANNELS:
        rows = np.nonzero(channel == ch)[0]
        choices = np.nonzero(ops[:, 0] == ch)[0]
        weights = ops[choices, 4].astype(float)
        op[rows] = rng.choice(choices, size=len(rows), p=weights / weights.sum())
    has_card = card[customer] != ""
    # no card to repay: the channel's transfer out instead
    for ch in CUSTOMER_CHANNELS:
        repay_here = (channel == ch) & (ops[op, 3] == "repay") & ~has_card
        if repay_here.any():
            op[repay_here] = np.nonzero((ops[:, 0] == ch) & (ops[:, 3] == "transfer")
                                        & (ops[:, 2] == Direction.DEBIT))[0][0]
    repay = ops[op, 3] == "repay"
    kind = ops[op, 3]
    direction = ops[op, 2].astype(str)
    typical = ops[op, 5].astype(float)

    spend_factor = np.clip(np.sqrt(monthly_income[customer] / 10_000), 0.4, 3)
    noise = rng.lognormal(0, 0.7, n)
    amount = typical * spend_factor * noise
    mcc = np.full(n, "", dtype=object)
    merchant = np.full(n, "", dtype=object)
    spend = kind == "spend"
    bill = kind == "bill"
    category = np.full(n, -1)
    category[spend] = _draw_rows(rng, category_share[customer[spend]])
    if Category.UTILITIES in index:
        category[bill] = index[Category.UTILITIES]
    for c, cat in enumerate(categories):
        rows = np.nonzero(category == c)[0]
        table = merchants[cat]
        picked = rng.integers(0, len(table), len(rows))
        mcc[rows] = [table[p][0] for p in picked]
        merchant[rows] = [table[p][1] for p in picked]
        amount[rows[spend[rows]]] = SPEND[cat][1] * spend_factor[rows[spend[rows]]] * noise[rows[spend[rows]]]
    cash = kind == "cash"
    amount[cash] = np.maximum(np.round(amount[cash], -2), 100)
    transfer = kind == "transfer"
    amount[transfer] = np.round(typical[transfer] * (monthly_income[customer[transfer]] / 8000) ** 0.7
                                * noise[transfer], 0)
    amount = np.maximum(amount, 1)
    withdrawal = (channel == CH.ATM) & (direction == Direction.DEBIT)
    mcc[withdrawal] = CASH_MCC

    account = primary[customer].copy()
    on_card = ((channel == CH.POS) & spend & has_card & (rng.random(n) < 0.55)) | (repay & has_card)
    account[on_card] = card[customer][on_card]

    branch_numbers = np.array([b.number for b in BRANCHES])
    home = np.array([[b.code for b in BRANCHES].index(code) for code in people["branch"]])[customer]
    branch = np.where(rng.random(n) < 0.8, home, rng.integers(0, len(BRANCHES), n))
    machine = rng.integers(1, 13, n)
    terminal = np.full(n, "", dtype=object)
    for ch, template in ((CH.ATM, "ATM{b}{k:03d}"), (CH.SELF_SERVICE, "SST{b}{k:03d}"),
                         (CH.COUNTER, "CTR{b}W{k:02d}")):
        rows = np.nonzero(channel == ch)[0]
        terminal[rows] = [template.format(b=branch_numbers[branch[r]], k=machine[r]) for r in rows]
    pos = np.nonzero(channel == CH.POS)[0]
    terminal[pos] = [f"{t:08d}" for t in rng.integers(10_000_000, 100_000_000, len(pos))]

    # when: a day in the customer's active part of the year, an hour the channel is used
    days_back = quiet_days[customer] + np.floor(rng.random(n) * (365 - quiet_days[customer])).astype(int)
    hour = np.empty(n, dtype=int)
    for ch in CUSTOMER_CHANNELS:
        rows = np.nonzero(channel == ch)[0]
        hour[rows] = rng.choice(24, size=len(rows), p=CHANNEL_HOURS[ch])
    today = np.datetime64(timezone.localdate(now), "s")
    local = today - days_back.astype("timedelta64[D]") + (hour * 3600 + rng.integers(0, 3600, n)).astype(
        "timedelta64[s]")
    return pd.DataFrame({
        "customer": customer, "account_no": account, "channel": channel.astype(str),
        "amount_cents": np.round(amount * 100), "direction": direction, "description": ops[op, 1].astype(str),
        "merchant_name": merchant, "mcc": mcc, "terminal_id": terminal, "occurred_local": pd.Series(local),
        "transfer_out": transfer & (direction == Direction.DEBIT.value) & (account == primary[customer]),
    })


def _spend_most_of_the_income(rng: np.random.Generator, txns: pd.DataFrame, primary: np.ndarray) -> pd.DataFrame:
    """Scale each customer's transfers out so that 80-100 % of what came into the main account leaves it again.

    Card payments alone spend a fraction of a salary; without this, main accounts would pile up a year's pay.
    """
    on_primary = (txns["account_no"].to_numpy() == primary[txns["customer"].to_numpy()])
    credit = (txns["direction"] == Direction.CREDIT.value).to_numpy()
    transfer_out = txns.pop("transfer_out").to_numpy(dtype=bool)
    amount = txns["amount_cents"].to_numpy(dtype=float, copy=True)
    customers = txns["customer"].to_numpy()
    m = len(primary)
    money_in = np.bincount(customers, weights=amount * (on_primary & credit), minlength=m)
    money_out = np.bincount(customers, weights=amount * (on_primary & ~credit), minlength=m)
    transfers = np.bincount(customers, weights=amount * transfer_out, minlength=m)
    gap = money_in * rng.uniform(0.8, 1.0, m) - money_out
    factor = np.clip(1 + np.divide(gap, transfers, out=np.zeros(m), where=transfers > 0), 1, 40)
    amount[transfer_out] = np.round(amount[transfer_out] * factor[customers[transfer_out]], -2)
    return txns.assign(amount_cents=np.maximum(amount, 1))


def _draw_rows(rng: np.random.Generator, shares: np.ndarray) -> np.ndarray:
    """One column index per row, row i drawn with the probabilities shares[i]."""
    cumulative = np.cumsum(shares, axis=1)
    cumulative /= cumulative[:, -1:]
    return np.minimum((rng.random(len(shares))[:, None] > cumulative).sum(axis=1), shares.shape[1] - 1)


def _settle_balances(accounts: pd.DataFrame, txns: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """balance_after for every row, and each account's balance = its newest balance_after.

    A planned balance that the year's flows would have taken below zero (or a card paid beyond what is owed)
    is raised just enough, so the history and the balance tell the same story.
    """
    kinds = dict(zip(accounts["account_no"], accounts["kind"], strict=True))
    txns = txns.sort_values(["account_no", "occurred_at", "external_id"], ignore_index=True)
    owed = txns["account_no"].map(kinds).isin([k.value for k in LIABILITY_KINDS])
    debit = txns["direction"] == Direction.DEBIT
    effect = txns["amount_cents"].where(debit == owed, -txns["amount_cents"])
    by_account = effect.groupby(txns["account_no"])
    later = by_account.transform("sum") - by_account.cumsum()  # what happened after each row
    needed = later.groupby(txns["account_no"]).max()
    balance = accounts.set_index("account_no")["balance_cents"]
    balance = np.maximum(balance, needed.reindex(balance.index, fill_value=0))
    txns["balance_after_cents"] = txns["account_no"].map(balance) - later
    accounts = accounts.assign(balance_cents=accounts["account_no"].map(balance).to_numpy())
    return accounts, txns


# --- writing ------------------------------------------------------------------------------------------------


def _write(*, plan: DemoPlan, branches: dict[str, Branch], now: dt.datetime) -> None:
    """One block: its customers, consents, accounts and cards, and its transactions into the staging table."""
    if plan.customers.empty:
        return
    staff = dict(StaffProfile.objects.filter(user__username__in=_staff_usernames()).values_list(
        "user__username", "user_id"))
    _customers_write(plan.customers, branches, staff)
    customer_ids = _ids(Customer, "customer_no", plan.customers["customer_no"])
    _consents_write(plan.consents, customer_ids, staff)
    _accounts_write(plan.accounts, branches, customer_ids, now)
    account_ids = _ids(Account, "account_no", plan.accounts["account_no"])
    _cards_write(plan.cards, customer_ids, account_ids)
    _staging_copy(plan.transactions, customer_ids, account_ids)


def _ids(model, key: str, values: pd.Series) -> dict[str, int]:
    return dict(model.objects.filter(**{f"{key}__in": list(values)}).values_list(key, "id"))


MODEL_FIELDS = ("customer_no", "full_name", "name_pinyin", "name_initials", "gender", "date_of_birth", "id_type",
                "id_expiry", "mobile", "email", "address", "city", "occupation", "employer", "income_band",
                "segment", "status", "kyc_status", "kyc_review_date", "risk_rating", "preferred_name", "salutation",
                "preferred_language", "preferred_contact_channel", "preferred_contact_time", "service_notes",
                "do_not_contact")


def _customers_write(people: pd.DataFrame, branches: dict[str, Branch], staff: dict[str, int]) -> None:
    """New customers only (demo_seed leaves existing ones out of the plan), each with a 'created' history entry.

    Not ignore_conflicts: the history rows need the new primary keys, and the advisory lock keeps a second seed out.
    """
    suffix = {b.code: b.suffix for b in BRANCHES}
    new = []
    for row in people.to_dict("records"):
        customer = Customer(home_branch=branches[row["branch"]], **{f: _none_if_missing(row[f]) for f in MODEL_FIELDS})
        if row["segment"] in (Segment.AFFLUENT, Segment.PRIVATE):
            customer.relationship_manager_id = staff.get(f"{Role.MANAGER}_{suffix[row['branch']]}")
        customer.set_id_number(row["id_number"])
        new.append(customer)
    Customer.objects.bulk_create(new, batch_size=1000)
    Customer.history.bulk_history_create(new, batch_size=1000, default_change_reason="demo data")


def _none_if_missing(value):
    return None if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)) else value


def _consents_write(consents: pd.DataFrame, customer_ids: dict[str, int], staff: dict[str, int]) -> None:
    """Consent records have no natural key: they are written once, with their (new) customer."""
    tellers = {b.code: staff.get(f"{Role.TELLER}_{b.suffix}") for b in BRANCHES}
    ConsentRecord.objects.bulk_create([
        ConsentRecord(customer_id=customer_ids[r["customer_no"]], channel=r["channel"], granted=r["granted"],
                      source=r["source"], at=r["at"].to_pydatetime(),
                      recorded_by_id=tellers[r["branch"]] if r["source"] == ConsentSource.COUNTER else None)
        for r in consents.to_dict("records")
    ], batch_size=2000)


def _accounts_write(accounts: pd.DataFrame, branches: dict[str, Branch], customer_ids: dict[str, int],
                    now: dt.datetime) -> None:
    products = dict(Product.objects.values_list("code", "id"))
    Account.objects.bulk_create([
        Account(account_no=r["account_no"], customer_id=customer_ids[r["customer_no"]],
                product_id=products[r["product"]], branch=branches[r["branch"]], currency="CNY",
                balance=_money(r["balance_cents"]), balance_as_of=now, status=r["status"], opened_at=r["opened_at"])
        for r in accounts.to_dict("records")
    ], batch_size=2000, ignore_conflicts=True)


def _money(cents: int) -> Decimal:
    return Decimal(int(cents)).scaleb(-2)


def _cards_write(cards: pd.DataFrame, customer_ids: dict[str, int], account_ids: dict[str, int]) -> None:
    objs = []
    for r in cards.to_dict("records"):
        card = Card(account_id=account_ids[r["account_no"]], customer_id=customer_ids[r["customer_no"]],
                    kind=r["kind"], status=r["status"], expiry=r["expiry"])
        card.set_pan(r["pan"])
        objs.append(card)
    Card.objects.bulk_create(objs, batch_size=2000, ignore_conflicts=True)


STAGING_SQL = """
CREATE TEMP TABLE demo_transaction_staging (
    channel text, external_id text, account_id bigint, customer_id bigint, occurred_at timestamptz,
    amount_cents bigint, direction text, balance_after_cents bigint, mcc text, merchant_name text,
    terminal_id text, description text
) ON COMMIT DROP
"""
COPY_SQL = "COPY demo_transaction_staging FROM STDIN WITH (FORMAT csv)"
INSERT_SQL = """
INSERT INTO transactions_transaction (channel, external_id, account_id, customer_id, occurred_at, amount,
    direction, currency, balance_after, mcc, merchant_name, terminal_id, description)
SELECT channel, external_id, account_id, customer_id, occurred_at, amount_cents::numeric / 100, direction,
    'CNY', balance_after_cents::numeric / 100, coalesce(mcc, ''), coalesce(merchant_name, ''),
    coalesce(terminal_id, ''), coalesce(description, '')
FROM demo_transaction_staging
ON CONFLICT (channel, external_id) DO NOTHING
"""


def _staging_create() -> None:
    with connection.cursor() as cursor:
        # left by an earlier seed in the same transaction (tests)
        cursor.execute("DROP TABLE IF EXISTS pg_temp.demo_transaction_staging")
        cursor.execute(STAGING_SQL)


def _staging_copy(txns: pd.DataFrame, customer_ids: dict[str, int], account_ids: dict[str, int]) -> None:
    frame = txns.assign(customer_id=txns["customer_no"].map(customer_ids),
                        account_id=txns["account_no"].map(account_ids))[list(STAGING_COLUMNS)]
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, header=False)
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.copy_expert(COPY_SQL, buffer)


def _staging_insert() -> int:
    """Insert what is new from the staging table: a row seen before (channel + external id) is skipped."""
    with connection.cursor() as cursor:
        cursor.execute(INSERT_SQL)
        return cursor.rowcount


# --- the logins file ----------------------------------------------------------------------------------------


LOGINS_HEADER = """\
# Branch CRM demo logins, written by `manage.py seed_demo` (development data only).
# A password is set only when its user is created; reset one with `manage.py changepassword USERNAME`.
"""


def _logins_file_update(*, path: Path, logins: list[DemoLogin]) -> bool:
    """Write the file when this run created a user or the file is missing; keep every password it knows."""
    created = any(login.created for login in logins)
    if not logins or (path.exists() and not created):
        return False
    known = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) >= 2 and not line.startswith("#"):
                known[parts[0]] = parts[1]
    branch_names = {b.code: b.name for b in BRANCHES}
    lines = []
    for login in logins:
        if login.password is None and known.get(login.username, NOT_KNOWN) != NOT_KNOWN:
            login.password = known[login.username]
        password = login.password or NOT_KNOWN
        lines.append(f"{login.username:<12} {password:<18} {login.role:<8} {login.branch} "
                     f"{branch_names[login.branch]}")
    path.parent.mkdir(parents=True, exist_ok=True)
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as f:
        f.write(LOGINS_HEADER + "\n".join(lines) + "\n")
    path.chmod(0o600)  # a file that was there before keeps its old mode through os.open
    return True
