"""No raw code on a Chinese page: the main pages rendered in zh-hans show the labels of channels, languages,
entry points, KYC statuses, risk ratings, queues, tickets, services and statistical methods, never the
values stored in the database (issue 13, "no raw codes in the Chinese UI").

Only the text a reader sees is compared: attributes (data-code="SMS", value="SMS") are for scripts and tests.
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation

from campaigns import services as campaign_services
from campaigns.models import CampaignChannel, CampaignRecipient, CampaignStatus, OfferOutcome, RecipientStatus
from campaigns.tests.conftest import product, queued, second_manager  # noqa: F401 (fixtures)
from campaigns.tests.factories import consent, customer_with, holding
from campaigns.tests.test_pages import launched
from counter.models import CounterKind, IdentifierKind, SelfServiceChannel, Service, TicketStatus
from counter.tests.factories import CounterFactory, TicketFactory
from customers import services as customer_services
from customers.history import ENTRY_POINTS
from customers.models import (
    AccessVia,
    ContactChannel,
    ContactTime,
    CustomerStatus,
    IdType,
    InteractionChannel,
    InteractionKind,
    KycStatus,
    RiskRating,
    Segment,
)
from scoring.models import AlertCode
from scoring.tests.factories import CustomerScoreFactory, ScoreRunFactory
from teller.tests.builders import customer_with_holdings
from transactions.models import Category, Channel

pytestmark = pytest.mark.django_db

CHOICES: list[type[models.TextChoices]] = [
    Channel, Category, ContactChannel, ContactTime, InteractionChannel, InteractionKind, AccessVia, KycStatus,
    RiskRating, Segment, CustomerStatus, IdType, CampaignChannel, CampaignStatus, RecipientStatus, OfferOutcome,
    CounterKind, Service, SelfServiceChannel, IdentifierKind, TicketStatus, AlertCode,
]


class VisibleText(HTMLParser):
    """The text nodes of a page, outside <script>, <style> and <template>; attributes ignored."""

    HIDDEN = {"script", "style", "template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in self.HIDDEN

    def handle_endtag(self, tag):
        self.hidden -= tag in self.HIDDEN and self.hidden > 0

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def raw_codes() -> dict[str, str]:
    """code -> where it comes from, for every stored value whose Chinese label is not the code itself.

    A code that is also a word of some Chinese label (ATM, POS, VIP) reads the same in both and is left out.
    """
    with translation.override("zh-hans"):
        labels = [str(label) for choices in CHOICES for label in choices.labels]
        codes = {str(value): f"{choices.__name__}.{value}" for choices in CHOICES for value in choices.values
                 if len(str(value)) >= 2}
        codes.update({code: "LANGUAGES" for code, _name in settings.LANGUAGES})
        codes.update({reason: "history entry point" for reason in ENTRY_POINTS if reason != "API"})
        codes["difference of proportions"] = "statistical method"  # stored in English (campaigns/stats.py)
    return {code: source for code, source in codes.items()
            if not any(re.search(_word(code), label) for label in labels)}


def _word(code: str) -> str:
    return rf"(?<![A-Za-z0-9_\-]){re.escape(code)}(?![A-Za-z0-9_\-])"


def codes_shown(html: str) -> list[str]:
    text = visible_text(html)
    return sorted(f"{code} ({source})" for code, source in raw_codes().items() if re.search(_word(code), text))


@pytest.fixture
def scene(branch, manager, second_manager, teller, product):  # noqa: F811 (fixtures imported above)
    holder = customer_with_holdings(branch=branch, transactions=30, full_name="季淑珍", mobile="+8613912345678",
                                    email="ji.shuzhen@example.com", kyc_status=KycStatus.REVIEW_DUE,
                                    risk_rating=RiskRating.MEDIUM, preferred_language="en",
                                    preferred_contact_channel=ContactChannel.SMS,
                                    preferred_contact_time=ContactTime.EVENING)
    customer = holder.customer
    ScoreRunFactory()
    CustomerScoreFactory(customer=customer, tier="AAA", alerts=[{"code": "dormant", "days": 200},
                                                                 {"code": "kyc_due", "days": 5}])
    for channel, granted in ((ContactChannel.SMS, True), (ContactChannel.EMAIL, False)):
        consent(customer, channel, granted)
    customer_services.interaction_add(customer=customer, staff=teller, kind=InteractionKind.NOTE,
                                      channel=InteractionChannel.COUNTER, text="客户咨询理财")
    customer_services.customer_update_contact(customer=customer, changed_by=teller,
                                              data={"city": "上海市", "preferred_contact_time": "MORNING"})
    recipients = [customer_with(branch=branch, consents=("SMS", "PHONE"), mobile=f"+86138000022{n:02d}",
                                date_of_birth=dt.date(1970 + n, 1, 1)) for n in range(6)]
    campaign = launched(manager, second_manager, product, channels=["SMS"], holdout_share="0.5")
    contacted = CampaignRecipient.objects.filter(campaign=campaign, holdout=False, sent_at__isnull=False)
    holding(contacted.first().customer, product, opened_at=timezone.localdate())
    campaign_services.campaign_results_compute(campaign_id=campaign.pk)
    for code, kind in (("V01", CounterKind.VIP), ("A01", CounterKind.INTEGRATED)):
        CounterFactory(branch=branch, code=code, kind=kind)
    TicketFactory(branch=branch, customer=customer, queue=CounterKind.VIP, service=Service.WEALTH, number="V001")
    TicketFactory(branch=branch, queue=CounterKind.INTEGRATED, service=Service.TRANSFER, number="A001")
    return {"customer": customer, "campaign": campaign, "recipients": recipients}


def _pages(scene) -> list[tuple[str, str]]:
    customer, campaign = scene["customer"], scene["campaign"]
    return [
        ("teller", reverse("teller:customer", kwargs={"customer_no": customer.customer_no})),
        ("teller", reverse("teller:home")),
        ("teller", reverse("counter:home")),
        ("manager", reverse("teller:home")),
        ("manager", reverse("scoring:branch-dashboard")),
        ("manager", reverse("scoring:alert-customers", kwargs={"code": "dormant"})),
        ("manager", reverse("campaigns:list")),
        ("manager", reverse("campaigns:detail", kwargs={"campaign_id": campaign.pk})),
        ("manager", reverse("campaigns:results", kwargs={"campaign_id": campaign.pk})),
        ("manager", reverse("counter:lobby")),
        ("manager", reverse("counter:stats")),
        ("manager", reverse("customers:history", kwargs={"customer_no": customer.customer_no})),
        ("admin_user", reverse("admin:customers_customer_change", args=[customer.pk])),
    ]


def test_the_main_pages_in_chinese_show_no_raw_code(request, client, scene):
    found = {}
    for persona, url in _pages(scene):
        client.force_login(request.getfixturevalue(persona))
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200, url
        shown = codes_shown(response.content.decode())
        if shown:
            found[url] = shown
    assert found == {}


def test_the_check_sees_codes_in_text_and_not_in_attributes():
    assert any(code.startswith("SMS ") for code in codes_shown("<p>渠道：SMS</p>"))
    assert codes_shown('<p data-code="SMS" title="REVIEW_DUE">短信</p><script>var c = "SMS";</script>') == []
    assert any("REVIEW_DUE" in code for code in codes_shown("<td>REVIEW_DUE</td>"))
