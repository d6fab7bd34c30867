"""Reference data: the branches, the product catalogue, names, occupations, merchants and channel habits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from accounts.models import ProductKind
from branches.models import Role
from customers.models import Gender
from transactions.models import Category, Channel, Direction


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


def _launch_date(launched: dt.date | int, today: dt.date) -> dt.date:
    return launched if isinstance(launched, dt.date) else today - dt.timedelta(days=launched)
