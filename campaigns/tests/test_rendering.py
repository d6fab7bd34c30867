"""Messages: placeholders checked at draft time, rendered per customer in their language, safely."""

from __future__ import annotations

import pytest

from campaigns.rendering import message_render, messages_clean, messages_missing

from .factories import MESSAGES

HTML_NAME = '<b>李"雷"</b> & 韩梅梅'


def render(channel: str, language: str, name: str = "张伟", url: str = "https://crm.example/unsubscribe/t/"):
    return message_render(messages=MESSAGES, channel=channel, language=language, name=name,
                          product={"zh-hans": "稳享理财", "en": "Steady Wealth"}, branch="上海浦东支行",
                          unsubscribe_url=url)


def test_sms_in_simplified_chinese_fills_the_placeholders_and_adds_the_unsubscribe_link():
    rendered = render("SMS", "zh-hans")
    assert rendered.language == "zh-hans"
    assert rendered.text.startswith("尊敬的张伟，上海浦东支行为您推荐稳享理财。")
    assert rendered.text.endswith("https://crm.example/unsubscribe/t/")


def test_sms_in_english_uses_the_english_text_and_footer():
    rendered = render("SMS", "en")
    assert rendered.text == ("Dear 张伟, 上海浦东支行 recommends Steady Wealth. "
                             "Unsubscribe: https://crm.example/unsubscribe/t/")


def test_a_language_without_a_text_falls_back_to_simplified_chinese():
    rendered = render("PHONE", "en")
    assert rendered.language == "zh-hans"
    assert rendered.text == "致电张伟介绍稳享理财"


def test_a_name_with_html_is_escaped_in_the_email_html_part_and_kept_as_text_elsewhere():
    email = render("EMAIL", "zh-hans", name=HTML_NAME)
    assert "<b>李" not in email.html
    assert "&lt;b&gt;李&quot;雷&quot;&lt;/b&gt; &amp; 韩梅梅" in email.html
    assert email.subject == f"{HTML_NAME}，新品稳享理财"
    assert email.text.startswith(f"尊敬的{HTML_NAME}：\n")
    assert 'href="https://crm.example/unsubscribe/t/"' in email.html
    sms = render("SMS", "en", name=HTML_NAME)
    assert sms.text.startswith(f"Dear {HTML_NAME},")


def test_email_in_english_has_an_english_subject_and_unsubscribe_link():
    email = render("EMAIL", "en")
    assert email.subject == "张伟, meet Steady Wealth"
    assert '<html lang="en">' in email.html
    assert ">Unsubscribe</a>" in email.html


def test_a_name_that_looks_like_a_placeholder_is_not_expanded():
    assert render("SMS", "en", name="{product}").text.startswith("Dear {product}, ")


@pytest.mark.parametrize(("body", "problem"), [
    ("您好{customer}", "{customer}"),
    ("{name.__class__}", "{name.__class__}"),
    ("{name!r}", "{name!r}"),
    ("{name:>20}", "{name:>20}"),
    ("{0}", "{0}"),
    ("未闭合{name", "pair"),
])
def test_unknown_or_unsafe_placeholders_are_refused_at_draft_time(body, problem):
    _cleaned, errors = messages_clean({"SMS": {"zh-hans": {"body": body}}})
    assert any(problem in message for message in errors["messages.SMS.zh-hans.body"]), errors


def test_messages_are_checked_for_channel_language_and_parts():
    _cleaned, errors = messages_clean({"FAX": {}, "SMS": {"fr": {"body": "x"}, "en": {"subject": "no"}}})
    assert set(errors) == {"messages.FAX", "messages.SMS.fr", "messages.SMS.en.subject"}


def test_literal_braces_are_written_doubled():
    cleaned, errors = messages_clean({"SMS": {"zh-hans": {"body": "回复{{TD}}退订，{name}"}}})
    assert errors == {}
    rendered = message_render(messages=cleaned, channel="SMS", language="zh-hans", name="王芳", product="p", branch="b")
    assert rendered.text == "回复{TD}退订，王芳"


def test_a_campaign_needs_a_chinese_text_per_channel_and_an_email_subject_before_submission():
    missing = messages_missing({"SMS": {"en": {"body": "x"}}, "EMAIL": {"zh-hans": {"body": "x", "subject": ""}}},
                               ["SMS", "EMAIL", "COUNTER"])
    assert set(missing) == {"messages.SMS.zh-hans.body", "messages.EMAIL.zh-hans.subject",
                            "messages.COUNTER.zh-hans.body"}
