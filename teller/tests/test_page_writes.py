"""The forms on the 360 page: notes, consent, contact details, the ID reveal."""


import re

import pytest
from django.urls import reverse

from customers.models import AccessAction, AccessVia, ConsentRecord, ConsentSource, CustomerAccessLog, Interaction

from .pages import EMAIL, HTMX, MOBILE, customer_url

pytestmark = pytest.mark.django_db


# --- writes -------------------------------------------------------------------------------





def test_adding_a_note_answers_with_the_timeline_showing_it(teller_client, teller, customer):
    url = reverse("teller:interaction-add", kwargs={"customer_no": customer.customer_no})
    response = teller_client.post(url, {"kind": "note", "channel": "COUNTER", "text": "客户想了解大额存单"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.strip().startswith('<div id="interactions-panel">')
    assert "<html" not in html
    assert "客户想了解大额存单" in html
    (note,) = Interaction.objects.filter(customer=customer)
    assert (note.staff, note.kind, note.channel, note.text) == (teller, "note", "COUNTER", "客户想了解大额存单")


def test_adding_a_note_without_htmx_goes_back_to_the_profile(teller_client, customer):
    url = reverse("teller:interaction-add", kwargs={"customer_no": customer.customer_no})
    response = teller_client.post(url, {"kind": "service", "channel": "COUNTER", "text": "办理挂失"})
    assert response.status_code == 302
    assert response["Location"] == customer_url(customer)
    assert Interaction.objects.filter(customer=customer, kind="service").count() == 1


@pytest.mark.parametrize("text", ["", "   \n "])
def test_an_empty_note_is_refused_and_nothing_is_saved(teller_client, customer, text):
    url = reverse("teller:interaction-add", kwargs={"customer_no": customer.customer_no})
    response = teller_client.post(url, {"kind": "note", "channel": "COUNTER", "text": text}, **HTMX)
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Interaction.objects.filter(customer=customer).exists()


def consent_post(client, customer, channel, granted):
    url = reverse("teller:consent-update", kwargs={"customer_no": customer.customer_no})
    return client.post(url, {"channel": channel, "granted": "yes" if granted else "no"}, **HTMX)


def test_recording_consent_adds_a_record_from_the_counter_by_the_teller(teller_client, teller, customer):
    response = consent_post(teller_client, customer, "SMS", granted=True)
    assert response.status_code == 200
    (record,) = ConsentRecord.objects.filter(customer=customer)
    assert (record.channel, record.granted, record.source, record.recorded_by) == (
        "SMS", True, ConsentSource.COUNTER, teller)
    assert response.content.decode().strip().startswith('<div id="consents-panel">')


def test_the_newest_consent_per_channel_wins_and_the_history_is_kept(teller_client, teller, customer):
    consent_post(teller_client, customer, "SMS", granted=True)
    consent_post(teller_client, customer, "EMAIL", granted=True)
    response = consent_post(teller_client, customer, "SMS", granted=False)
    current = {row["channel"]: row["record"] for row in response.context["consents"]}
    assert current["SMS"].granted is False
    assert current["EMAIL"].granted is True
    assert current["APP"] is None
    assert ConsentRecord.objects.filter(customer=customer).count() == 3
    html = response.content.decode()
    table = html[:html.index("</table>")]
    sms_row = re.search(r"<tr><td>SMS</td>(.*?)</tr>", table, re.S).group(1)
    assert "Revoked" in sms_row
    assert "Granted" not in sms_row
    assert len(response.context["consent_history"]) == 3


def test_an_unknown_consent_channel_is_refused(teller_client, customer):
    response = consent_post(teller_client, customer, "PIGEON", granted=True)
    assert response.status_code == 400
    assert not ConsentRecord.objects.filter(customer=customer).exists()


def contact_post(client, customer, **changes):
    data = {"mobile": "", "email": "", "address": customer.address, "city": customer.city,
            "preferred_name": "", "salutation": "", "preferred_language": customer.preferred_language,
            "preferred_contact_channel": "", "preferred_contact_time": "ANY", "service_notes": "", **changes}
    url = reverse("teller:contact-update", kwargs={"customer_no": customer.customer_no})
    return client.post(url, data, **HTMX)


def test_a_new_mobile_is_stored_in_e164_with_a_history_row_by_the_teller(teller_client, teller, customer):
    response = contact_post(teller_client, customer, mobile="+86 137 1234 5678", salutation="欧阳女士")
    # the header and profile show these fields too: they come out of band, the page is not reloaded
    assert response.status_code == 200
    assert "HX-Refresh" not in response
    html = response.content.decode()
    assert "Saved." in html
    assert re.search(r'<span id="header-mobile" hx-swap-oob="true">137\*\*\*\*5678</span>', html)
    assert re.search(r'<span id="header-contact" class="header-contact" hx-swap-oob="true">\s*'
                     r'<span class="salutation">欧阳女士</span>', html)
    assert 'id="profile-facts" hx-swap-oob="true"' in html
    customer.refresh_from_db()
    assert customer.mobile == "+8613712345678"
    assert customer.salutation == "欧阳女士"
    latest = customer.history.first()
    assert (latest.history_type, latest.mobile, latest.history_user) == ("~", "+8613712345678", teller)
    assert "13712345678" not in response.content.decode()  # the form does not echo the saved number


def test_an_invalid_mobile_is_refused_with_the_reason_and_nothing_is_saved(teller_client, customer):
    versions = customer.history.count()
    response = contact_post(teller_client, customer, mobile="12345", salutation="欧阳女士")
    assert response.status_code == 400
    assert "is not a valid phone number." in response.content.decode()
    customer.refresh_from_db()
    assert customer.mobile == MOBILE
    assert customer.salutation == ""
    assert customer.history.count() == versions


def test_an_empty_mobile_and_email_keep_the_current_ones(teller_client, customer):
    response = contact_post(teller_client, customer, mobile="", email="", city="上海市")
    assert response.status_code == 200
    customer.refresh_from_db()
    assert (customer.mobile, customer.email, customer.city) == (MOBILE, EMAIL, "上海市")


def test_saving_unchanged_contact_details_says_nothing_changed(teller_client, customer):
    versions = customer.history.count()
    response = contact_post(teller_client, customer)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing changed" in html
    assert "Saved." not in html
    assert "hx-swap-oob" not in html
    assert customer.history.count() == versions


def test_a_quick_note_answers_with_the_note_box_and_brings_the_last_interactions_and_timeline(
        teller_client, teller, customer):
    url = reverse("teller:interaction-add", kwargs={"customer_no": customer.customer_no})
    response = teller_client.post(url, {"part": "quick-note", "kind": "note", "channel": "COUNTER",
                                        "text": "客户下周来办理定期"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.strip().startswith('<section id="quick-note" data-testid="quick-note"')
    assert '<div id="interactions-panel" hx-swap-oob="true">' in html
    recent = html[html.index('id="recent-interactions"'):]
    assert 'hx-swap-oob="true"' in recent[:200]
    assert "客户下周来办理定期" in recent
    note = Interaction.objects.get(customer=customer)
    assert (note.kind, note.channel, note.staff) == ("note", "COUNTER", teller)


def test_an_empty_quick_note_is_refused_next_to_its_field(teller_client, customer):
    url = reverse("teller:interaction-add", kwargs={"customer_no": customer.customer_no})
    response = teller_client.post(url, {"part": "quick-note", "kind": "note", "channel": "COUNTER", "text": " "},
                                  **HTMX)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-invalid="true" aria-describedby="quick_text_error"' in html
    assert 'id="quick_text_error"' in html
    assert "hx-swap-oob" not in html
    assert not Interaction.objects.filter(customer=customer).exists()


def test_recording_consent_updates_the_summary_in_the_visit_panel(teller_client, customer):
    url = reverse("teller:consent-update", kwargs={"customer_no": customer.customer_no})
    response = teller_client.post(url, {"channel": "SMS", "granted": "yes"}, **HTMX)
    html = response.content.decode()
    summary = html[html.index('id="consent-summary"'):]
    assert 'hx-swap-oob="true"' in summary[:200]
    assert re.search(r'class="consent-chip granted" data-channel="SMS">\s*SMS: granted', summary)


def test_an_expired_session_sends_the_whole_page_to_the_login_form_not_the_panel(client, customer):
    url = reverse("teller:transactions", kwargs={"customer_no": customer.customer_no})
    response = client.get(url, **HTMX)
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/login/")


def reveal_post(client, customer, reason):
    url = reverse("teller:reveal-id", kwargs={"customer_no": customer.customer_no})
    return client.post(url, {"reason": reason}, **HTMX)


@pytest.mark.parametrize("reason", ["", "   ", "看看"])
def test_revealing_the_id_without_a_reason_is_refused_and_not_logged(teller_client, customer, reason):
    response = reveal_post(teller_client, customer, reason)
    assert response.status_code == 400
    assert customer.id_number not in response.content.decode()
    assert 'role="alert"' in response.content.decode()
    assert not CustomerAccessLog.objects.filter(customer=customer, action=AccessAction.REVEAL).exists()


def test_revealing_the_id_with_a_reason_shows_it_once_and_logs_the_reason(teller_client, teller, customer):
    response = reveal_post(teller_client, customer, "客户挂失，需核对证件号码")
    assert response.status_code == 200
    assert response.content.decode().count(customer.id_number) == 1
    (row,) = CustomerAccessLog.objects.filter(customer=customer, action=AccessAction.REVEAL)
    assert (row.user, row.via, row.field) == (teller, AccessVia.PAGE, "id_number")
    assert row.reason == "客户挂失，需核对证件号码"
    # and the next look at the profile is masked again
    assert customer.id_number not in teller_client.get(customer_url(customer)).content.decode()


def test_an_invalid_mobile_is_marked_invalid_next_to_its_expected_format(teller_client, customer):
    html = contact_post(teller_client, customer, mobile="12345").content.decode()
    field = re.search(r'<input type="text" name="mobile"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in field
    assert 'aria-describedby="id_mobile_helptext id_mobile_error"' in field
    after = html[html.index(field):]
    assert after.index('id="id_mobile_helptext"') < after.index('id="id_mobile_error"') < after.index('name="email"')
    assert "is not a valid phone number." in after[:after.index('name="email"')]
