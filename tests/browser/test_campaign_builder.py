"""The campaign builder in steps at a counter's screen (1366×768), in zh-hans and en: the count beside the steps
follows the filters, the message is rendered for a sample customer with its SMS parts, nothing typed is lost
between steps, the last step previews; the launch shows the counts per channel and asks for confirmation;
axe-core finds no serious or critical violation on the builder's steps."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import ProductFactory
from branches import services as branch_services
from campaigns import services
from campaigns.models import Campaign, CampaignStatus
from campaigns.tests.factories import customer_with
from conftest import PASSWORD

from .test_accessibility import axe_serious
from .test_campaign_journey import watch_console

pytestmark = pytest.mark.django_db(transaction=True)

STEPS = {"zh-CN": ["1. 目标客户", "2. 渠道与内容", "3. 发送设置", "4. 预览"],
         "en-US": ["1. Audience", "2. Channels and messages", "3. Sending", "4. Preview"]}
CONFIRM = {"zh-CN": "确认：立即启动", "en-US": "Confirm: launch now"}


@pytest.fixture
def scene(branch):
    ProductFactory(code="WM-GREEN", name="绿色低碳主题理财", name_en="Green low-carbon wealth plan", kind="WEALTH")
    born = dt.date(1975, 1, 1)
    return {name: customer_with(branch=branch, full_name=name, city=city, date_of_birth=born, consents=consents)
            for name, city, consents in [("欧阳娜娜", "杭州市", ("SMS",)), ("张伟", "上海市", ("SMS",)),
                                         ("李娜", "上海市", ("SMS",)), ("王芳", "上海市", ())]}


@pytest.fixture
def quiet_queue(monkeypatch):
    """The launch's fan-out is not this test's subject: recorded, not sent to a broker."""
    queued = []
    monkeypatch.setattr("campaigns.services.campaigns.campaign_queue",
                        lambda **kwargs: queued.append(kwargs) or True)
    return queued


@pytest.mark.parametrize("language", ["zh-CN", "en-US"], ids=["zh-hans", "en"])
def test_the_builder_in_steps_then_a_confirmed_launch(axe_page, live_server, branch, manager, scene, quiet_queue,
                                                      artifacts_dir, language):
    approver = branch_services.staff_create(username="manager2", password=PASSWORD, branch=branch, role="manager")
    page = axe_page(language, "manager")
    errors = watch_console(page)
    page.goto("/campaigns/new/")
    tabs = page.locator("#builder-steps [role=tab]")
    expect(tabs).to_have_text(STEPS[language])
    count = page.locator("[data-testid=audience-count]")
    expect(count).to_have_text("4")
    assert page.locator(".builder-aside").is_visible()

    # --- step 1: the audience; the count follows a city ticked --------------------------------------------
    page.fill("#id_name", "绿色理财首发")
    page.select_option("#id_product", "WM-GREEN")
    page.get_by_label("上海市", exact=True).check()
    expect(count).to_have_text("3")
    assert axe_serious(page) == []
    page.locator("#step-audience button.next").click()

    # --- step 2: channels and the SMS, rendered for the first customer with its parts ---------------------
    expect(page.locator("#step-messages")).to_be_visible()
    expect(page.locator("#step-audience")).to_be_hidden()
    expect(page.locator("#step-messages h2")).to_be_focused()
    page.check("input[name=channels][value=SMS]")
    page.locator("textarea[name=msg_SMS_zh_hans_body]").press_sequentially("尊敬的{name}，{branch}新发行{product}。",
                                                                            delay=20)
    sample = page.locator("#message-sample [data-testid=sample-message][data-channel=SMS]")
    expect(sample).to_contain_text("张*")  # the first customer of Shanghai, masked
    expect(sample).to_contain_text("绿色低碳主题理财")
    expect(sample.locator("[data-testid=sms-length]")).to_contain_text("UCS-2")
    segments = int(sample.locator("[data-testid=sms-length]").get_attribute("data-segments"))
    assert segments == 2  # 20-odd characters and the unsubscribe link: over one UCS-2 SMS of 70
    assert axe_serious(page) == []
    page.screenshot(path=str(artifacts_dir / f"campaign-builder-steps-{language}.png"))

    # --- back to step 1 by keyboard: nothing lost ----------------------------------------------------------
    page.locator("#tab-messages").focus()
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#tab-audience")).to_be_focused()
    expect(page.locator("#step-audience")).to_be_visible()
    expect(page.get_by_label("上海市", exact=True)).to_be_checked()
    expect(page.locator("#id_name")).to_have_value("绿色理财首发")

    # --- step 3: sending, a percentage; step 4: the preview of the unsaved campaign -----------------------
    page.locator("#tab-sending").click()
    page.fill("#id_holdout_share", "0")
    page.locator("#step-sending button.next").click()
    expect(page.locator("[data-testid=builder-eligible]")).to_have_text("2")  # 王芳 gave no SMS consent
    expect(page.locator("textarea[name=msg_SMS_zh_hans_body]")).to_have_value(
        "尊敬的{name}，{branch}新发行{product}。")
    assert axe_serious(page) == []
    page.locator("button[name=preview]").click()

    campaign = Campaign.objects.get()
    page.wait_for_url(f"{live_server.url}/campaigns/{campaign.pk}/preview/")
    assert campaign.audience == {"cities": ["上海市"]} and campaign.holdout_share == 0
    services.campaign_submit(campaign=campaign, user=manager)
    services.campaign_approve(campaign=campaign, user=approver)

    # --- the launch: counts per channel, then the confirmation -------------------------------------------
    page.goto(f"/campaigns/{campaign.pk}/")
    page.locator("#launch").click()
    page.wait_for_url(f"{live_server.url}/campaigns/{campaign.pk}/launch/")
    expect(page.locator("#launch-by-channel tbody tr")).to_have_count(1)
    expect(page.locator("#launch-by-channel tbody td.num")).to_have_text("2")
    expect(page.locator("[data-testid=launch-no-consent]")).to_have_text("1")
    expect(page.locator("[data-testid=launch-holdout]")).to_have_text("0")
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.APPROVED  # the page launches nothing by itself
    assert axe_serious(page) == []
    page.screenshot(path=str(artifacts_dir / f"campaign-launch-confirmation-{language}.png"))
    confirm = page.locator("#confirm-launch")
    expect(confirm).to_have_text(CONFIRM[language])
    confirm.click()
    page.wait_for_url(f"{live_server.url}/campaigns/{campaign.pk}/")
    expect(page.locator("[data-testid=campaign-status]")).to_have_class(re.compile(r"status-running"))
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.RUNNING and quiet_queue == [{"step": "fanout",
                                                                          "campaign_id": campaign.pk}]
    assert errors == []
