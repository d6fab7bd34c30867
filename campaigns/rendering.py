"""Campaign messages: checked when drafted, rendered per customer when sent.

A message is plain text with three placeholders, `{name}`, `{product}`, `{branch}`, filled with
`str.format_map` from a dict of those three only: attribute and index look-ups, conversions and
format specs are refused at draft time, so a template can't reach into Python objects. The EMAIL
HTML part escapes both the template and the values (a customer named `<b>Li</b>` stays text); SMS
and APP are plain text.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from .models import FALLBACK_LANGUAGE, MESSAGE_CHANNELS, MESSAGE_LANGUAGES, CampaignChannel
from .sms import SmsLength, sms_length

PLACEHOLDERS = ("name", "product", "branch")
MAX_LENGTH = {"subject": 200, "body": 4000}
SMS_MAX_LENGTH = 500


def _template_errors(text: str) -> list[str]:
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError:
        return [_("A { or } without its pair; write {{ or }} for a brace in the text.")]
    errors = []
    for _literal, field, spec, conversion in parts:
        if field is None:
            continue
        if field not in PLACEHOLDERS or spec or conversion:
            errors.append(_("Unknown placeholder {%(field)s}; use {name}, {product} or {branch}.")
                          % {"field": field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")})
    return errors


def messages_clean(messages: object) -> tuple[dict, dict[str, list[str]]]:
    """The messages normalised ({CHANNEL: {language: {"subject"?, "body"}}}) and errors keyed by path."""
    errors: dict[str, list[str]] = {}
    if messages in (None, ""):
        return {}, errors
    if not isinstance(messages, dict):
        return {}, {"messages": [_("Messages must be an object: {CHANNEL: {language: {body}}}.")]}
    cleaned: dict = {}
    for channel, by_language in messages.items():
        key = f"messages.{channel}"
        if channel not in CampaignChannel.values:
            errors[key] = [_("Unknown channel; choose from %(codes)s.") % {"codes": ", ".join(CampaignChannel.values)}]
            continue
        if not isinstance(by_language, dict):
            errors[key] = [_("An object of languages is required: {\"zh-hans\": {...}, \"en\": {...}}.")]
            continue
        for language, parts in by_language.items():
            lkey = f"{key}.{language}"
            if language not in MESSAGE_LANGUAGES:
                errors[lkey] = [_("Unknown language; use zh-hans or en.")]
                continue
            if isinstance(parts, str):
                parts = {"body": parts}
            if not isinstance(parts, dict):
                errors[lkey] = [_("An object with a body (and a subject for email) is required.")]
                continue
            allowed = {"subject", "body"} if channel == CampaignChannel.EMAIL else {"body"}
            for extra in sorted(set(parts) - allowed):
                errors[f"{lkey}.{extra}"] = [_("Unknown key.")]
            entry = {}
            for part in sorted(allowed):
                text = parts.get(part, "")
                if not isinstance(text, str):
                    errors[f"{lkey}.{part}"] = [_("Text is required.")]
                    continue
                text = text.strip()
                limit = SMS_MAX_LENGTH if channel == CampaignChannel.SMS else MAX_LENGTH[part]
                problems = _template_errors(text)
                if len(text) > limit:
                    problems.append(_("At most %(n)d characters.") % {"n": limit})
                if part == "subject" and ("\n" in text or "\r" in text):  # a header: Django's mail refuses it
                    problems.append(_("The subject is one line: remove the line breaks."))
                if problems:
                    errors[f"{lkey}.{part}"] = problems
                entry[part] = text
            if any(entry.values()):
                cleaned.setdefault(channel, {})[language] = entry
    return cleaned, errors


def messages_missing(messages: dict, channels: list[str]) -> dict[str, list[str]]:
    """What a campaign needs before it can be submitted: a zh-hans text (and email subject) per channel."""
    errors = {}
    for channel in channels:
        entry = (messages.get(channel) or {}).get(FALLBACK_LANGUAGE) or {}
        key = f"messages.{channel}.{FALLBACK_LANGUAGE}"
        if not entry.get("body"):
            errors[f"{key}.body"] = [_("Write the Simplified Chinese text for this channel.")]
        if channel == CampaignChannel.EMAIL and not entry.get("subject"):
            errors[f"{key}.subject"] = [_("Write the Simplified Chinese subject of the email.")]
    return errors


@dataclass(frozen=True)
class Rendered:
    language: str
    text: str
    subject: str = ""
    html: str = ""


class _Values(dict):
    def __missing__(self, key):  # only reachable for a template saved before a rule change
        return "{" + key + "}"


@lru_cache(maxsize=8)
def _footer(language: str) -> tuple[str, str]:
    """The unsubscribe footer and link text in `language` (activating a language per message is slow)."""
    with translation.override(language):
        return _("Unsubscribe: %(url)s"), _("Unsubscribe")


def message_language(messages: dict, channel: str, preferred: str) -> str:
    """The customer's language if the campaign has a text in it, else Simplified Chinese."""
    return preferred if preferred in (messages.get(channel) or {}) else FALLBACK_LANGUAGE


def message_render(*, messages: dict, channel: str, language: str, name: str, product: str | Mapping[str, str],
                   branch: str, unsubscribe_url: str = "") -> Rendered:
    """One customer's message, in their language if the campaign has a text in it, else in Simplified Chinese.

    `product` is the product's name per language ({"zh-hans": …, "en": …}, from Product.display_name),
    so the name matches the language the text falls back to; a plain string is used as it is.
    """
    language = message_language(messages, channel, language)
    if not isinstance(product, str):
        product = product.get(language) or product.get(FALLBACK_LANGUAGE, "")
    entry = (messages.get(channel) or {}).get(language) or {}
    plain = _Values(name=name, product=product, branch=branch)
    text = entry.get("body", "").format_map(plain)
    subject = entry.get("subject", "").format_map(plain)
    if channel not in MESSAGE_CHANNELS:
        return Rendered(language=language, text=text)
    footer_text, link_text = _footer(language)
    footer = footer_text % {"url": unsubscribe_url} if unsubscribe_url else ""
    if channel != CampaignChannel.EMAIL:
        return Rendered(language=language, text=f"{text} {footer}".strip())
    escaped = _Values(name=escape(name), product=escape(product), branch=escape(branch))
    html_body = escape(entry.get("body", "")).format_map(escaped).replace("\n", "<br>\n")
    html_footer = ""
    if unsubscribe_url:
        html_footer = f'<p><a href="{escape(unsubscribe_url)}">{escape(link_text)}</a></p>'
    html = f'<!DOCTYPE html>\n<html lang="{language}"><body><p>{html_body}</p>{html_footer}</body></html>'
    return Rendered(language=language, text=f"{text}\n\n{footer}".strip(), subject=subject, html=html)


@dataclass(frozen=True)
class MessageSample:
    channel: str
    language: str
    subject: str
    text: str  # the name masked: the builder shows it to staff who have not opened this customer
    sms: SmsLength | None  # SMS only: the length of the real text, as sent (full name, unsubscribe link)
    to_customer: bool  # the language this customer would get it in


def message_samples(*, messages: dict, channels: list[str], name: str, masked_name: str,
                    product: str | Mapping[str, str], branch: str, language: str,
                    unsubscribe_url: Callable[[str], str]) -> list[MessageSample]:
    """Every written text of the chosen channels as the sample customer would read it, in order of channels."""
    samples = []
    for channel in channels:
        written = [code for code in MESSAGE_LANGUAGES if ((messages.get(channel) or {}).get(code) or {}).get("body")]
        to_customer = message_language(messages, channel, language)
        link = unsubscribe_url(channel) if channel in MESSAGE_CHANNELS else ""
        for code in written:
            sent = message_render(messages=messages, channel=channel, language=code, name=name, product=product,
                                  branch=branch, unsubscribe_url=link)
            shown = message_render(messages=messages, channel=channel, language=code, name=masked_name,
                                   product=product, branch=branch, unsubscribe_url=link)
            samples.append(MessageSample(channel=channel, language=code, subject=shown.subject, text=shown.text,
                                         sms=sms_length(sent.text) if channel == CampaignChannel.SMS else None,
                                         to_customer=code == to_customer))
    return samples
