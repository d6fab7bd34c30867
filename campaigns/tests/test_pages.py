"""The campaign pages: who reaches them, the builder and its live count, the preview, the approval steps."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from branches import services as branch_services
from campaigns import services
from campaigns.models import Campaign, CampaignStatus
from conftest import PASSWORD

from .factories import MESSAGES, customer_with, holding

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


# --- helpers shared with test_pages_results.py ------------------------------------------------------


def draft(author, product, **data):
    values = {"name": "绿色理财推介", "product": product.code, "channels": ["SMS", "COUNTER"],
              "messages": {"SMS": MESSAGES["SMS"], "COUNTER": MESSAGES["COUNTER"], "PHONE": MESSAGES["PHONE"]},
              "audience": {}, "holdout_share": "0"}
    values.update(data)
    return services.campaign_create(user=author, data=values)


def launched(author, approver, product, *, run=True, **data) -> Campaign:
    """A campaign taken through every step by the services; with run, its recipients written and sent."""
    campaign = draft(author, product, **data)
    services.campaign_submit(campaign=campaign, user=author)
    services.campaign_approve(campaign=campaign, user=approver)
    services.campaign_launch(campaign=campaign, user=author)
    if run:
        services.campaign_fanout(campaign_id=campaign.pk)
        services.campaign_send(campaign_id=campaign.pk)
    campaign.refresh_from_db()
    return campaign


def page_urls(campaign_id: int) -> dict[str, str]:
    return {
        "list": reverse("campaigns:list"),
        "create": reverse("campaigns:create"),
        "detail": reverse("campaigns:detail", kwargs={"campaign_id": campaign_id}),
        "edit": reverse("campaigns:edit", kwargs={"campaign_id": campaign_id}),
        "preview": reverse("campaigns:preview", kwargs={"campaign_id": campaign_id}),
        "results": reverse("campaigns:results", kwargs={"campaign_id": campaign_id}),
        "call-list": reverse("campaigns:call-list", kwargs={"campaign_id": campaign_id}),
        "call-list-csv": reverse("campaigns:call-list-csv", kwargs={"campaign_id": campaign_id}),
    }


FORM = {"name": "绿色理财推介", "product": "WM-NEW", "channels": ["SMS", "COUNTER"], "holdout_share": "10",
        "conversion_window_days": "30", "msg_SMS_zh_hans_body": "尊敬的{name}，{branch}为您推荐{product}。",
        "msg_COUNTER_zh_hans_body": "向{name}介绍{product}", "gender": ""}


@pytest.fixture
def population(branch, other_branch):
    """Three reachable customers of the branch (one without consent), a young one, one of another branch."""
    return {
        "consented": customer_with(branch=branch, date_of_birth=dt.date(1970, 1, 1), mobile="+8613800001111"),
        "also": customer_with(branch=branch, date_of_birth=dt.date(1980, 1, 1)),
        "no_consent": customer_with(branch=branch, consents=(), date_of_birth=dt.date(1975, 1, 1)),
        "young": customer_with(branch=branch, date_of_birth=dt.date(2004, 1, 1)),
        "elsewhere": customer_with(branch=other_branch, date_of_birth=dt.date(1970, 1, 1)),
    }


@pytest.fixture
def campaign(manager, product):
    return draft(manager, product)


# --- who reaches what ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["manager", "admin_user"])
@pytest.mark.parametrize("page", ["list", "create", "detail", "edit", "preview", "results", "call-list"])
def test_every_page_renders_for_a_manager_and_an_admin(request, client_for, campaign, persona, page):
    response = client_for(request.getfixturevalue(persona)).get(page_urls(campaign.pk)[page])
    assert response.status_code == 200
    assert b'href="/campaigns/"' in response.content  # the nav link


@pytest.mark.parametrize("page", ["list", "create", "detail", "edit", "preview", "results", "call-list",
                                  "call-list-csv"])
def test_a_teller_is_refused_every_campaign_page(client_for, teller, campaign, page):
    response = client_for(teller).get(page_urls(campaign.pk)[page])
    assert response.status_code == 403
    assert b'href="/campaigns/"' not in client_for(teller).get("/").content


@pytest.mark.parametrize("page", ["detail", "edit", "preview", "results", "call-list", "call-list-csv"])
def test_another_branchs_campaign_is_not_found(client_for, other_branch_manager, campaign, page):
    response = client_for(other_branch_manager).get(page_urls(campaign.pk)[page])
    assert response.status_code == 404
    assert "not one of your branch" in response.content.decode()


def test_the_list_shows_a_manager_their_branch_and_an_admin_every_branch(client_for, manager, other_branch_manager,
                                                                        admin_user, product):
    ours, theirs = draft(manager, product, name="我行活动"), draft(other_branch_manager, product, name="他行活动")
    mine = client_for(manager).get(reverse("campaigns:list")).content.decode()
    assert ours.name in mine and theirs.name not in mine
    everything = client_for(admin_user).get(reverse("campaigns:list")).content.decode()
    assert ours.name in everything and theirs.name in everything


def test_an_anonymous_visitor_is_sent_to_log_in(client, campaign):
    response = client.get(page_urls(campaign.pk)["detail"])
    assert response.status_code == 302 and response["Location"].startswith("/login/")


# --- the builder ----------------------------------------------------------------------------------


def test_a_manager_drafts_a_campaign_through_the_form_and_lands_on_the_preview(client_for, manager, product, branch):
    form = {**FORM, "channels": ["COUNTER", "SMS"], "age_min": "30", "age_max": "60", "aum_min": "50000",
            "segments": ["MASS", "AFFLUENT"], "lacks_product_kinds": ["WEALTH"], "cities": ["上海市", "杭州市"],
            "category_code": "TRAVEL", "category_min_share": "20 %", "quiet_start": "21:00", "quiet_end": "08:00",
            "msg_SMS_en_body": "Dear {name}, {product} from {branch}.", "preview": "1"}
    response = client_for(manager).post(reverse("campaigns:create"), form)
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("campaigns:preview", kwargs={"campaign_id": campaign.pk})
    assert (campaign.branch, campaign.created_by, campaign.status) == (branch, manager, CampaignStatus.DRAFT)
    assert campaign.channels == ["COUNTER", "SMS"]  # the order the boxes were submitted in
    assert campaign.audience == {"age_min": 30, "age_max": 60, "aum_min": "50000.00", "segments": ["MASS", "AFFLUENT"],
                                 "cities": ["上海市", "杭州市"], "lacks_product_kinds": ["WEALTH"],
                                 "category": {"code": "TRAVEL", "min_share": "0.2000"}}
    assert campaign.messages["SMS"]["en"] == {"body": "Dear {name}, {product} from {branch}."}
    assert campaign.quiet_start == dt.time(21, 0) and str(campaign.holdout_share) == "0.100"


def test_bad_input_is_shown_next_to_its_field_and_nothing_is_saved(client_for, manager, product):
    form = {**FORM, "aum_min": "12,5x", "holdout_share": "90", "msg_SMS_zh_hans_body": "尊敬的{nom}",
            "category_min_share": "20", "self_service_ratio_max": "abc"}
    response = client_for(manager).post(reverse("campaigns:create"), form)
    html = response.content.decode()
    assert response.status_code == 400
    assert "The draft was not saved" in html
    for field, message in [("aum_min", "A valid number is required."),
                           ("holdout_share", "From 0 to 50 %."),
                           ("self_service_ratio_max", "A percentage is required, e.g. 10."),
                           ("msg_SMS_zh_hans_body", "Unknown placeholder {nom}"),
                           ("category_code", "This field is required.")]:
        assert message in field_block(html, field), field
    assert 'value="12,5x"' in html  # what was typed stays, to be corrected
    response = client_for(manager).post(reverse("campaigns:create"), {**FORM, "age_min": "50", "age_max": "40"})
    assert response.status_code == 400
    assert "The highest age is below the lowest." in field_block(response.content.decode(), "age_max")
    assert not Campaign.objects.exists()


def field_block(html: str, field: str) -> str:
    return html.split(f'id="field-{field}"', 1)[1].split("</div>", 1)[0]


def test_a_form_without_name_product_or_channels_says_so(client_for, manager, product):
    response = client_for(manager).post(reverse("campaigns:create"), {"gender": ""})
    html = response.content.decode()
    assert response.status_code == 400
    for field in ("name", "product"):
        assert 'class="error"' in field_block(html, field), field
    assert "Choose at least one channel." in html


def test_the_live_count_answers_the_number_of_customers_the_filters_select(client_for, manager, population):
    client = client_for(manager)
    response = client.post(reverse("campaigns:audience-count"), {**FORM, "age_min": "40"}, **HTMX)
    assert response.status_code == 200
    assert 'data-testid="audience-count">3<' in response.content.decode()  # not the young one, not elsewhere
    response = client.post(reverse("campaigns:audience-count"), {"age_min": "", "gender": ""}, **HTMX)
    assert 'data-testid="audience-count">4<' in response.content.decode()


def test_the_live_count_explains_filters_it_cannot_count(client_for, manager, population):
    response = client_for(manager).post(reverse("campaigns:audience-count"), {"age_min": "50", "age_max": "40"},
                                        **HTMX)
    assert response.status_code == 400
    assert "The highest age is below the lowest." in response.content.decode()


def test_the_builder_posts_its_filters_to_the_live_count_as_they_change(client_for, manager):
    html = client_for(manager).get(reverse("campaigns:create")).content.decode()
    assert f'hx-post="{reverse("campaigns:audience-count")}"' in html
    assert 'hx-trigger="load, change, keyup changed delay:400ms"' in html
    assert 'name="branches"' not in html  # a manager's campaigns reach their own branch only
    assert 'name="branches"' in client_for(branch_services.staff_create(
        username="admin2", password=PASSWORD, branch=manager.staff_profile.branch, role="admin")).get(
        reverse("campaigns:create")).content.decode()


def test_editing_a_draft_shows_its_values_and_saves_the_changes(client_for, manager, campaign):
    client = client_for(manager)
    html = client.get(page_urls(campaign.pk)["edit"]).content.decode()
    assert 'value="绿色理财推介"' in html and "尊敬的{name}" in html
    response = client.post(page_urls(campaign.pk)["edit"], {**FORM, "name": "改名了", "age_max": "65"})
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.name, campaign.audience) == ("改名了", {"age_max": 65})


def test_a_campaign_past_draft_cannot_be_edited(client_for, manager, campaign):
    services.campaign_submit(campaign=campaign, user=manager)
    client = client_for(manager)
    response = client.get(page_urls(campaign.pk)["edit"], follow=True)
    assert "Only a draft can be changed" in response.content.decode()
    response = client.post(page_urls(campaign.pk)["edit"], {**FORM, "name": "改名了"})
    assert response.status_code == 409
    assert "cannot become" in response.content.decode()


# --- the preview ----------------------------------------------------------------------------------


def test_the_preview_counts_the_eligible_the_excluded_by_reason_and_shows_a_masked_sample(
        client_for, manager, product, population, branch):
    population["also"].do_not_contact = True
    population["also"].save(update_fields=["do_not_contact"])
    holding(customer_with(branch=branch, date_of_birth=dt.date(1960, 1, 1)), product)
    campaign = draft(manager, product, channels=["SMS"], audience={"age_min": 40})
    response = client_for(manager).get(page_urls(campaign.pk)["preview"])
    html = response.content.decode()
    assert 'data-testid="eligible">1<' in html
    excluded = html.split('id="preview-excluded"', 1)[1].split("</table>", 1)[0]
    for reason in ("No consent for any chosen channel", "Do not contact", "Already holds the product"):
        assert reason in excluded
    sample = html.split('id="preview-sample"', 1)[1]
    assert population["consented"].customer_no in sample
    assert "138****1111" in sample and "13800001111" not in sample
    assert population["no_consent"].customer_no not in sample


# --- the steps: submit, approve, launch, cancel -------------------------------------------------------


def test_the_author_is_refused_approval_with_a_clear_message(client_for, manager, campaign):
    services.campaign_submit(campaign=campaign, user=manager)
    client = client_for(manager)
    page = client.get(page_urls(campaign.pk)["detail"]).content.decode()
    assert 'id="approve"' not in page and "another manager of the branch or an admin must approve it" in page
    response = client.post(reverse("campaigns:approve", kwargs={"campaign_id": campaign.pk}))
    assert response.status_code == 403
    assert "You drafted this campaign" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.PENDING_APPROVAL


def test_a_second_manager_approves_and_the_author_launches(client_for, manager, second_manager, campaign, queued,
                                                           django_capture_on_commit_callbacks):
    author = client_for(manager)
    assert author.post(reverse("campaigns:submit", kwargs={"campaign_id": campaign.pk})).status_code == 302
    approver = client_for(second_manager)
    assert 'id="approve"' in approver.get(page_urls(campaign.pk)["detail"]).content.decode()
    response = approver.post(reverse("campaigns:approve", kwargs={"campaign_id": campaign.pk}), follow=True)
    assert "Approved." in response.content.decode()
    author = client_for(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = author.post(reverse("campaigns:launch", kwargs={"campaign_id": campaign.pk}),
                               {"confirm": confirmation(author, campaign)}, follow=True)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.RUNNING
    assert ("fanout", campaign.pk) in queued
    html = response.content.decode()
    for step in ("Drafted", "Submitted for approval", "Approved", "Launched"):
        assert step in html.split('id="audit"', 1)[1]
    assert "Manager2" in html or "manager2" in html  # who approved


def confirmation(client, campaign) -> str:
    """The confirmation the launch page carries (what its button posts back)."""
    html = client.get(reverse("campaigns:launch", kwargs={"campaign_id": campaign.pk})).content.decode()
    return html.split('name="confirm" value="', 1)[1].split('"', 1)[0]


def test_an_admin_approves_a_managers_campaign(client_for, manager, admin_user, campaign):
    services.campaign_submit(campaign=campaign, user=manager)
    client_for(admin_user).post(reverse("campaigns:approve", kwargs={"campaign_id": campaign.pk}))
    campaign.refresh_from_db()
    assert (campaign.status, campaign.approved_by) == (CampaignStatus.APPROVED, admin_user)


def test_a_step_in_the_wrong_state_is_shown_as_a_conflict(client_for, manager, campaign):
    response = client_for(manager).post(reverse("campaigns:launch", kwargs={"campaign_id": campaign.pk}))
    assert response.status_code == 409
    assert 'id="action-error"' in response.content.decode()
    assert "cannot become" in response.content.decode()


def test_submitting_an_incomplete_draft_lists_what_is_missing(client_for, manager, product):
    campaign = draft(manager, product, channels=["SMS", "APP"])
    response = client_for(manager).post(reverse("campaigns:submit", kwargs={"campaign_id": campaign.pk}))
    assert response.status_code == 400
    assert "Write the Simplified Chinese text for this channel." in response.content.decode()


def test_a_scheduled_launch_says_when(client_for, manager, second_manager, product):
    campaign = draft(manager, product, send_at="2099-01-01T09:00:00+08:00")
    services.campaign_submit(campaign=campaign, user=manager)
    services.campaign_approve(campaign=campaign, user=second_manager)
    client = client_for(manager)
    assert "Schedule for 2099-01-01 09:00" in client.get(page_urls(campaign.pk)["detail"]).content.decode()
    assert "Confirm: schedule for 2099-01-01 09:00" in client.get(
        reverse("campaigns:launch", kwargs={"campaign_id": campaign.pk})).content.decode()
    response = client.post(reverse("campaigns:launch", kwargs={"campaign_id": campaign.pk}),
                           {"confirm": confirmation(client, campaign)}, follow=True)
    assert "Scheduled: sending starts at 2099-01-01 09:00" in response.content.decode()


def test_cancelling_a_draft(client_for, manager, campaign):
    client_for(manager).post(reverse("campaigns:cancel", kwargs={"campaign_id": campaign.pk}))
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CANCELLED


def test_a_teller_cannot_take_a_step(client_for, teller, campaign):
    assert client_for(teller).post(reverse("campaigns:cancel", kwargs={"campaign_id": campaign.pk})).status_code == 403
