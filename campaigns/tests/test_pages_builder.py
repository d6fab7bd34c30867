"""The builder in steps (live count, sample message, preview before saving), percentages, the city choice, the
launch's confirmation with its counts per channel, and the warning when the audience overlaps a running campaign."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from campaigns import selectors, services
from campaigns.models import Campaign, CampaignRecipient, CampaignStatus, RecipientStatus, SkipReason

from .factories import MESSAGES, CampaignFactory, customer_with, running
from .test_pages import FORM, HTMX, confirmation, draft, page_urls

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(branch, other_branch):
    return {
        "zhang": customer_with(branch=branch, full_name="张伟", city="上海市", date_of_birth=dt.date(1970, 1, 1)),
        "ouyang": customer_with(
            branch=branch,
            full_name="欧阳娜娜",
            city="杭州市",
            consents=("SMS", "APP"),
            date_of_birth=dt.date(1980, 1, 1),
        ),
        "none": customer_with(
            branch=branch, full_name="李娜", city="上海市", consents=(), date_of_birth=dt.date(1975, 1, 1)
        ),
        "elsewhere": customer_with(branch=other_branch, full_name="王芳", city="北京市"),
    }


def approved(manager, second_manager, product, **data) -> Campaign:
    campaign = draft(manager, product, messages=MESSAGES, **data)
    services.campaign_submit(campaign=campaign, user=manager)
    services.campaign_approve(campaign=campaign, user=second_manager)
    return campaign


def running_with(product, manager, recipients: dict, name="春季存款") -> Campaign:
    """A running campaign of the branch with the given customers as recipients: customer -> (status, skip)."""
    campaign = CampaignFactory(product=product, branch=manager.staff_profile.branch, created_by=manager, name=name)
    running(campaign)
    for customer, (status, skip) in recipients.items():
        CampaignRecipient.objects.create(
            campaign=campaign,
            customer=customer,
            channel="SMS",
            status=status,
            skip_reason=skip,
            holdout=skip == SkipReason.HOLDOUT,
        )
    return campaign


# --- the builder's parts ------------------------------------------------------------------------------------


def test_the_builder_is_one_form_in_four_steps_with_the_count_beside_them(client_for, manager, people):
    html = client_for(manager).get(reverse("campaigns:create")).content.decode()
    form = html.split('id="campaign-form"', 1)[1].split("</form>", 1)[0]
    for step in ("audience", "messages", "sending", "preview"):
        assert f'id="step-{step}"' in form and f'aria-controls="step-{step}"' in form
    assert 'id="audience-count"' in form.split('class="builder-aside"', 1)[1]
    assert 'name="holdout_share" value="10"' in form  # a percentage
    cities = html.split('id="field-cities"', 1)[1].split("</fieldset>", 1)[0]
    assert 'value="上海市"' in cities and 'value="杭州市"' in cities and "北京市" not in cities  # own branch's
    assert "<label" in cities


def test_percentages_are_typed_and_shown_as_percentages_and_stored_as_shares(client_for, manager, product, people):
    client = client_for(manager)
    client.post(
        reverse("campaigns:create"),
        {**FORM, "holdout_share": "15 %", "self_service_ratio_max": "30", "cities": ["杭州市"]},
    )
    campaign = Campaign.objects.get()
    assert str(campaign.holdout_share) == "0.150"
    assert campaign.audience == {"self_service_ratio_max": "0.3000", "cities": ["杭州市"]}
    edit = client.get(page_urls(campaign.pk)["edit"]).content.decode()
    assert 'name="holdout_share" value="15"' in edit and 'name="self_service_ratio_max" value="30"' in edit
    assert re.search(r'name="cities" value="杭州市"[^>]*checked', edit)
    assert not re.search(r'name="cities" value="上海市"[^>]*checked', edit)
    detail = client.get(page_urls(campaign.pk)["detail"]).content.decode()
    assert "15 %" in detail


def test_a_percentage_out_of_range_is_refused_in_its_own_terms(client_for, manager, product):
    response = client_for(manager).post(
        reverse("campaigns:create"),
        {**FORM, "holdout_share": "60", "category_code": "TRAVEL", "category_min_share": "120"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "From 0 to 50 %." in html.split('id="field-holdout_share"', 1)[1].split("</div>", 1)[0]
    assert "From 0 to 100 %." in html.split('id="field-category_min_share"', 1)[1].split("</div>", 1)[0]
    assert not Campaign.objects.exists()


def test_the_live_count_refuses_bad_input_with_a_4xx(client_for, manager, people):
    client = client_for(manager)
    for body in ({"age_min": "abc"}, {"age_min": "50", "age_max": "40"}, {"self_service_ratio_max": "x"}):
        response = client.post(reverse("campaigns:audience-count"), body, **HTMX)
        assert response.status_code == 400, body
        assert 'data-testid="audience-problems"' in response.content.decode()
    assert client.get(reverse("campaigns:audience-count")).status_code == 405
    response = client.post(reverse("campaigns:audience-count"), {"cities": ["上海市"]}, **HTMX)
    assert 'data-testid="audience-count">2<' in response.content.decode()


def test_the_sample_message_is_the_first_customers_with_the_name_masked_and_the_sms_parts(
    client_for, manager, product, people
):
    body = {
        **FORM,
        "channels": ["SMS", "APP"],
        "msg_SMS_zh_hans_body": "尊敬的{name}，{branch}为您推荐{product}。" * 3,
        "msg_APP_zh_hans_body": "{name}您好",
        "cities": ["杭州市"],
    }
    response = client_for(manager).post(reverse("campaigns:message-sample"), body, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "欧阳**" in html and "欧阳娜娜" not in html  # masked as the lobby board masks names
    assert "稳享理财" in html  # the product's name
    sms = html.split('data-channel="SMS"', 1)[1].split("</div>", 1)[0]
    assert "UCS-2" in sms and 'data-segments="' in sms
    segments = int(sms.split('data-segments="', 1)[1].split('"', 1)[0])
    assert segments >= 2  # three sentences of Chinese and the unsubscribe link: more than 70 characters
    assert 'data-channel="APP"' in html and "sms-length" not in html.split('data-channel="APP"', 1)[1]


def test_the_sample_message_says_what_it_cannot_render(client_for, manager, product, people):
    client = client_for(manager)
    body = {**FORM, "msg_SMS_zh_hans_body": "尊敬的{nom}"}
    html = client.post(reverse("campaigns:message-sample"), body, **HTMX).content.decode()
    assert "Unknown placeholder {nom}" in html
    response = client.post(reverse("campaigns:message-sample"), {**FORM, "age_min": "abc"}, **HTMX)
    assert response.status_code == 400
    html = client.post(reverse("campaigns:message-sample"), {**FORM, "age_min": "120"}, **HTMX).content.decode()
    assert 'data-testid="sample-none"' in html


def test_the_last_step_previews_the_unsaved_campaign(client_for, manager, product, people):
    client = client_for(manager)
    html = client.post(reverse("campaigns:builder-preview"), {**FORM, "channels": ["SMS"]}, **HTMX).content.decode()
    assert 'data-testid="builder-eligible">2<' in html  # 李娜 has no consent; 王芳 is another branch's
    assert 'data-testid="sample-message"' in html
    html = client.post(reverse("campaigns:builder-preview"), {**FORM, "product": ""}, **HTMX).content.decode()
    assert 'data-testid="builder-preview-incomplete"' in html
    response = client.post(reverse("campaigns:builder-preview"), {**FORM, "frequency_cap": "many"}, **HTMX)
    assert response.status_code == 400
    assert not Campaign.objects.exists()


def test_a_teller_may_not_use_the_builders_endpoints(client_for, teller):
    for name in ("audience-count", "message-sample", "builder-preview"):
        assert client_for(teller).post(reverse(f"campaigns:{name}"), FORM).status_code == 403


# --- the overlap with running campaigns ----------------------------------------------------------------------


def test_overlaps_count_the_audiences_customers_a_running_campaign_targets_in_one_query(
    manager, product, people, branch, django_assert_num_queries
):
    other = running_with(
        product,
        manager,
        {
            people["zhang"]: (RecipientStatus.SENT, ""),
            people["ouyang"]: (RecipientStatus.SKIPPED, SkipReason.HOLDOUT),  # its holdout: still its customer
            people["none"]: (RecipientStatus.SKIPPED, SkipReason.NO_CONSENT),  # left out by it: no overlap
        },
    )
    finished = running_with(product, manager, {people["zhang"]: (RecipientStatus.SENT, "")}, name="已结束")
    Campaign.objects.filter(pk=finished.pk).update(status=CampaignStatus.COMPLETED)
    with django_assert_num_queries(1):
        overlaps = selectors.audience_overlaps(audience={}, scope=branch)
    assert overlaps == [{"campaign_id": other.pk, "name": "春季存款", "customers": 2}]
    assert selectors.audience_overlaps(audience={"cities": ["杭州市"]}, scope=branch)[0]["customers"] == 1
    assert selectors.audience_overlaps(audience={}, scope=branch, exclude_campaign_id=other.pk) == []


def test_the_preview_and_the_launch_confirmation_warn_of_an_overlap(
    client_for, manager, second_manager, product, people
):
    running_with(product, manager, {people["zhang"]: (RecipientStatus.SENT, "")})
    campaign = approved(manager, second_manager, product, channels=["SMS"])
    client = client_for(manager)
    for url in (page_urls(campaign.pk)["preview"], reverse("campaigns:launch", kwargs={"campaign_id": campaign.pk})):
        html = client.get(url).content.decode()
        warning = html.split('data-testid="overlap-warning"', 1)[1].split("</div>", 1)[0]
        assert "春季存款" in warning and ": 1 customer" in warning
    html = client.post(reverse("campaigns:builder-preview"), {**FORM, "channels": ["SMS"]}, **HTMX).content.decode()
    assert "春季存款" in html.split('data-testid="overlap-warning"', 1)[1]


def test_no_warning_without_an_overlap(client_for, manager, second_manager, product, people):
    campaign = approved(manager, second_manager, product, channels=["SMS"])
    html = client_for(manager).get(page_urls(campaign.pk)["preview"]).content.decode()
    assert 'data-testid="overlap-warning"' not in html


# --- the launch asks for confirmation with the counts ---------------------------------------------------------


def test_the_launch_confirmation_counts_per_channel_no_consent_and_holdout(
    client_for, manager, second_manager, product, people
):
    campaign = approved(manager, second_manager, product, channels=["APP", "SMS"], holdout_share="0.5")
    counts = selectors.campaign_launch_counts(campaign=campaign)
    assert counts["no_consent"] == 1  # 李娜
    assert counts["eligible"] == 2 and counts["holdout"] + counts["contacted"] == 2
    assert counts["by_channel"]["APP"] + counts["by_channel"]["SMS"] == counts["contacted"]
    html = client_for(manager).get(reverse("campaigns:launch", kwargs={"campaign_id": campaign.pk})).content.decode()
    assert f'data-testid="launch-holdout">{counts["holdout"]}<' in html
    assert 'data-testid="launch-no-consent">1<' in html
    table = html.split('id="launch-by-channel"', 1)[1].split("</table>", 1)[0]
    assert "App notification" in table and "SMS" in table
    assert "50 %" in html
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.APPROVED  # looking launches nothing


def test_the_confirmation_counts_are_what_the_fanout_writes(manager, second_manager, product, people):
    campaign = approved(manager, second_manager, product, channels=["SMS", "APP"], holdout_share="0.5")
    counts = selectors.campaign_launch_counts(campaign=campaign)
    services.campaign_launch(campaign=campaign, user=manager)
    services.campaign_fanout(campaign_id=campaign.pk)
    written = selectors.campaign_counts(campaign=campaign)
    assert written["holdout"] == counts["holdout"]
    assert written["excluded"]["no_consent"] == counts["no_consent"]
    rows = CampaignRecipient.objects.filter(campaign=campaign, holdout=False, skip_reason="")
    for channel, n in counts["by_channel"].items():
        assert rows.filter(channel=channel).count() == n


@pytest.mark.parametrize("token", [None, "", "forged", "other-campaign", "other-user"])
def test_a_launch_without_its_confirmation_launches_nothing(
    client_for, manager, second_manager, admin_user, product, people, queued, token
):
    campaign = approved(manager, second_manager, product)
    client = client_for(manager)
    body = {}
    if token == "other-campaign":
        body["confirm"] = confirmation(client, approved(manager, second_manager, product, name="另一个"))
    elif token == "other-user":
        body["confirm"] = confirmation(client_for(admin_user), campaign)
        client = client_for(manager)
    elif token is not None:
        body["confirm"] = token
    response = client.post(reverse("campaigns:launch", kwargs={"campaign_id": campaign.pk}), body)
    assert response.status_code == 400
    assert 'id="launch-error"' in response.content.decode() and 'id="confirm-launch"' in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.APPROVED and queued == []


def test_the_detail_page_leads_to_the_confirmation_and_a_teller_is_refused_it(
    client_for, manager, second_manager, teller, product
):
    campaign = approved(manager, second_manager, product)
    url = reverse("campaigns:launch", kwargs={"campaign_id": campaign.pk})
    detail = client_for(manager).get(page_urls(campaign.pk)["detail"]).content.decode()
    assert f'id="launch" href="{url}"' in detail
    assert client_for(teller).get(url).status_code == 403
    draft_campaign = draft(manager, product, name="草稿")
    response = client_for(manager).get(reverse("campaigns:launch", kwargs={"campaign_id": draft_campaign.pk}))
    assert response.status_code == 302  # back to the campaign, which says why
