"""The campaign builder's form: the HTML face of the data that campaigns.services checks.

The form only reads the request (text, choices, lists) and shapes it into the services' data dict
(DESIGN §7's audience JSON, the messages object). The rules — ranges, age_min ≤ age_max, placeholders,
required texts — are the services' (CampaignInvalid.errors); `add_domain_errors` puts each message
next to its field, so every problem is shown in one round.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import Product, ProductKind
from customers.models import ContactChannel, Gender, Segment
from scoring.models import Tier
from transactions.models import Category

from .models import MESSAGE_LANGUAGES, Campaign, CampaignChannel, OfferOutcome

LANGUAGE_LABELS = {"zh-hans": _("Simplified Chinese"), "en": _("English")}
PLACEHOLDER_HELP = _("Placeholders: {name}, {product}, {branch}.")


def _text(label, *, help_text="", max_length=None, input_type="text", attrs=None):
    widget = forms.TextInput(attrs={"type": input_type, **(attrs or {})})
    return forms.CharField(label=label, required=False, help_text=help_text, max_length=max_length, widget=widget)


def _number(label, *, help_text="", **attrs):
    return _text(label, help_text=help_text, max_length=30, attrs={"inputmode": "decimal", **attrs})


def _checkboxes(label, choices):
    return forms.MultipleChoiceField(label=label, required=False, choices=choices,
                                     widget=forms.CheckboxSelectMultiple)


class PercentField(forms.CharField):
    """A share typed as a percentage ("10", "10 %", "12.5") and cleaned to the share as a decimal string ("0.1",
    "0.125"), as the services and the audience JSON store it; empty stays empty."""

    unit = "%"  # shown after the input (_field.html)

    def __init__(self, label, *, maximum: int = 100, decimals: int = 2, help_text=""):
        self.maximum, self.decimals = Decimal(maximum), decimals
        super().__init__(label=label, required=False, max_length=12, help_text=help_text,
                         widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6}))

    def clean(self, value):
        """The share; text that is no number passes as it is, for the services to refuse with the other problems
        of the form in one round (add_domain_errors words their message as a percentage's)."""
        text = self._number_text(super().clean(value))
        try:
            number = Decimal(text)
        except InvalidOperation:
            return text
        return format((number / 100).normalize(), "f") if number.is_finite() else text

    @staticmethod
    def _number_text(value) -> str:
        return str(value or "").strip().rstrip("%％").strip()

    def problem(self, value) -> str | None:
        """What is wrong with the typed percentage, in its own terms; None when it reads well."""
        text = self._number_text(value)
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            return str(_("A percentage is required, e.g. 10."))
        if not Decimal("0") <= number <= self.maximum:
            return str(_("From 0 to %(maximum)s %%.") % {"maximum": self.maximum})
        if number.as_tuple().exponent < -self.decimals:
            return str(_("At most %(n)d decimal places.") % {"n": self.decimals})
        return None

    @staticmethod
    def from_share(share) -> str:
        """The percentage a stored share reads as in the form: 0.1 → "10", 0.125 → "12.5"."""
        if share in (None, ""):
            return ""
        return format((Decimal(str(share)) * 100).normalize(), "f")


class CityChoiceField(forms.MultipleChoiceField):
    """Cities ticked from those the user's customers live in; a city no longer in that list (a saved draft's)
    stays valid: the audience's own check limits the names."""

    def valid_value(self, value) -> bool:
        return isinstance(value, str) and 0 < len(value.strip()) <= 50


def message_field_name(channel: str, language: str, part: str) -> str:
    return f"msg_{channel}_{language.replace('-', '_')}_{part}"


@dataclass
class MessageGroup:
    channel: str
    label: str
    fields: list  # [(language label, language code, [BoundField, ...])]
    open: bool  # chosen, written or wrong: shown unfolded


class CampaignForm(forms.Form):
    # --- the campaign ---------------------------------------------------------------------------
    name = forms.CharField(label=_("Campaign name"), max_length=120, required=False)
    product = forms.ChoiceField(label=_("Product"), required=False)
    channels = forms.MultipleChoiceField(
        label=_("Channels"), required=False, choices=CampaignChannel.choices, widget=forms.CheckboxSelectMultiple,
        help_text=_("In order of preference: a customer gets their preferred channel if consented and chosen, "
                    "else the first consented one in this order. Move a channel with its arrows."))
    holdout_share = PercentField(_("Holdout share (%)"), maximum=50, decimals=1,
                                 help_text=_("0 to 50; e.g. 10 keeps one customer in ten out, to measure lift."))
    send_at = _text(_("Send at"), input_type="datetime-local", help_text=_("Empty: as soon as it is launched."))
    quiet_start = _text(_("Quiet hours from"), input_type="time")
    quiet_end = _text(_("Quiet hours until"), input_type="time")
    frequency_cap = _number(_("Frequency cap"), help_text=_("Most messages a customer may get in 30 days, "
                                                           "across campaigns; empty: the bank's default."))
    conversion_window_days = _number(_("Conversion window (days)"),
                                     help_text=_("A customer who opens the product this many days after "
                                                 "contact counts as converted."))

    # --- the audience (DESIGN §7; every filter optional) --------------------------------------
    age_min = _number(_("Age from"), inputmode="numeric")
    age_max = _number(_("Age to"), inputmode="numeric")
    aum_min = _number(_("AUM from (CNY)"))
    aum_max = _number(_("AUM to (CNY)"))
    value_tiers = _checkboxes(_("Value tiers"), Tier.choices)
    segments = _checkboxes(_("Segments"), Segment.choices)
    branches = _checkboxes(_("Branches"), [])
    cities = CityChoiceField(label=_("Cities"), required=False, widget=forms.CheckboxSelectMultiple,
                             help_text=_("None ticked: every city."))
    gender = forms.ChoiceField(label=_("Gender"), required=False,
                               choices=[("", _("Any")), (Gender.MALE, Gender.MALE.label),
                                        (Gender.FEMALE, Gender.FEMALE.label)])
    holds_product_kinds = _checkboxes(_("Holds product kinds"), ProductKind.choices)
    lacks_product_kinds = _checkboxes(_("Does not hold product kinds"), ProductKind.choices)
    preferred_channels = _checkboxes(_("Preferred contact channel"), ContactChannel.choices)
    category_code = forms.ChoiceField(label=_("Spending category"), required=False,
                                      choices=[("", _("Any")), *Category.choices])
    category_min_share = PercentField(_("Category share at least (%)"),
                                      help_text=_("Of the customer's card spend, 0 to 100, e.g. 20."))
    inactive_days_min = _number(_("Inactive for at least (days)"), inputmode="numeric")
    self_service_ratio_max = PercentField(_("Self-service ratio at most (%)"),
                                          help_text=_("0 to 100: the share of transactions outside the counter."))
    # the `propensity` key (DESIGN §7b): customers a product's model finds likely to take it
    propensity_product = forms.ChoiceField(label=_("Likely to take (model)"), required=False)
    propensity_min = _number(_("Probability at least"), help_text=_("0 to 1, e.g. 0.2."))
    propensity_top_percent = _number(_("Or the top percent"), inputmode="numeric",
                                     help_text=_("1 to 100: the customers the model ranks highest."))

    AUDIENCE_TEXT = ("age_min", "age_max", "aum_min", "aum_max", "inactive_days_min", "self_service_ratio_max")
    AUDIENCE_LISTS = ("value_tiers", "segments", "branches", "holds_product_kinds", "lacks_product_kinds",
                      "preferred_channels")
    AUDIENCE_FIELDS = (*AUDIENCE_TEXT, *AUDIENCE_LISTS, "cities", "gender", "category_code", "category_min_share",
                       "propensity_product", "propensity_min", "propensity_top_percent")
    CAMPAIGN_FIELDS = ("name", "product", "channels", "holdout_share", "send_at", "quiet_start", "quiet_end",
                       "frequency_cap", "conversion_window_days")

    def __init__(self, *args, branches=(), cities=(), **kwargs):
        """`branches`: the branches whose codes the user may pick (none shown to a manager: own branch only);
        `cities`: the cities offered (those the user's customers live in)."""
        super().__init__(*args, **kwargs)
        chosen = [city for city in (self["cities"].value() or []) if isinstance(city, str)]
        self.fields["cities"].choices = [(city, city) for city in sorted({*cities, *chosen})]
        self.fields["product"].choices = [("", "—")] + [
            (p.code, f"{p.code} · {p.name}") for p in Product.objects.filter(active=True).order_by("code")]
        self.fields["propensity_product"].choices = [("", _("Any")), *self.fields["product"].choices[1:]]
        self.fields["branches"].choices = [(b.code, f"{b.code} · {b.name}") for b in branches]
        # AUM is in the bank's base currency (settings.BASE_CURRENCY), read at request time
        self.fields["aum_min"].label = _("AUM from (%(currency)s)") % {"currency": settings.BASE_CURRENCY}
        self.fields["aum_max"].label = _("AUM to (%(currency)s)") % {"currency": settings.BASE_CURRENCY}
        if not branches:
            del self.fields["branches"]
        for channel, channel_label in CampaignChannel.choices:
            for language in MESSAGE_LANGUAGES:
                parts = ("subject", "body") if channel == CampaignChannel.EMAIL else ("body",)
                for part in parts:
                    label = _("Subject") if part == "subject" else _("Text")
                    # the visible label is short (the channel and language head its group); a screen reader hears all
                    attrs = {"aria-label": format_lazy("{} · {} · {}", channel_label, LANGUAGE_LABELS[language], label)}
                    widget = forms.TextInput(attrs=attrs) if part == "subject" else forms.Textarea(
                        attrs={**attrs, "rows": 3})
                    self.fields[message_field_name(channel, language, part)] = forms.CharField(
                        label=label, required=False, widget=widget,
                        help_text=PLACEHOLDER_HELP if part == "body" else "")
        self._order_channels()

    def _order_channels(self) -> None:
        """Show the chosen channels first, in their order: the order of the boxes is the order submitted."""
        chosen = self["channels"].value() or []
        order = {code: i for i, code in enumerate(chosen)}
        codes = CampaignChannel.values
        self.fields["channels"].choices = sorted(
            CampaignChannel.choices, key=lambda choice: order.get(choice[0], len(order) + codes.index(choice[0])))

    # --- shaping the request into the services' data -------------------------------------------

    def audience(self) -> dict:
        """The audience JSON from the filters given (empty ones are no restriction)."""
        data = self.cleaned_data
        audience: dict = {}
        for name in self.AUDIENCE_TEXT:
            if data.get(name, "").strip():
                audience[name] = data[name].strip()
        for name in self.AUDIENCE_LISTS:
            if data.get(name):
                audience[name] = list(data[name])
        cities = [city.strip() for city in data.get("cities") or () if city.strip()]
        if cities:
            audience["cities"] = cities
        if data.get("gender"):
            audience["gender"] = data["gender"]
        code, share = data.get("category_code", ""), data.get("category_min_share", "").strip()
        if code or share:  # half a category is the services' error to report, not ours to drop
            audience["category"] = {key: value for key, value in (("code", code), ("min_share", share)) if value}
        product = data.get("propensity_product", "")
        least, top = data.get("propensity_min", "").strip(), data.get("propensity_top_percent", "").strip()
        if product or least or top:
            audience["propensity"] = {key: value for key, value in (("product", product), ("min", least),
                                                                    ("top_percent", top)) if value}
            if top.isdigit():
                audience["propensity"]["top_percent"] = int(top)
        return audience

    def messages(self) -> dict:
        messages: dict = {}
        for channel in CampaignChannel.values:
            for language in MESSAGE_LANGUAGES:
                parts = {}
                for part in ("subject", "body"):
                    name = message_field_name(channel, language, part)
                    if name in self.fields and self.cleaned_data.get(name, "").strip():
                        parts[part] = self.cleaned_data[name]
                if parts:
                    messages.setdefault(channel, {})[language] = parts
        return messages

    def campaign_data(self) -> dict:
        """The services' data dict (campaign_create / campaign_update)."""
        data = self.cleaned_data
        result = {"name": data["name"], "channels": list(data["channels"]), "messages": self.messages(),
                  "audience": self.audience()}
        if data["product"]:
            result["product"] = data["product"]
        for name in ("send_at", "quiet_start", "quiet_end", "frequency_cap"):
            result[name] = data[name].strip()  # empty: none (the bank's default for the cap)
        for name in ("holdout_share", "conversion_window_days"):
            if data[name].strip():  # empty: the model's default
                result[name] = data[name].strip()
        return result

    # --- the services' errors, next to their fields ---------------------------------------------

    def add_domain_errors(self, errors: dict[str, list[str]]) -> None:
        for key, messages in errors.items():
            name = self._field_for(key)
            field = self.fields.get(name) if name else None
            if isinstance(field, PercentField):  # the services speak of shares (0.1); the form of percentages
                messages = [field.problem(self.data.get(name, "")) or message for message in messages]
            for message in messages:
                self.add_error(name, message)

    def _field_for(self, key: str) -> str | None:
        parts = key.split(".")
        if parts[0] == "audience" and len(parts) > 1:
            name = "category_code" if parts[1] == "category" else parts[1]
            if parts[1] == "category" and len(parts) > 2 and parts[2] == "min_share":
                name = "category_min_share"
            if parts[1] == "propensity":
                name = {"min": "propensity_min", "top_percent": "propensity_top_percent"}.get(
                    parts[2] if len(parts) > 2 else "", "propensity_product")
            return name if name in self.fields else None
        if parts[0] == "messages" and len(parts) >= 2:
            channel = parts[1]
            language = parts[2] if len(parts) > 2 else "zh-hans"
            part = parts[3] if len(parts) > 3 else "body"
            name = message_field_name(channel, language, part)
            return name if name in self.fields else None
        return key if key in self.fields else None

    # --- for the template --------------------------------------------------------------------------

    def message_groups(self) -> list[MessageGroup]:
        groups = []
        chosen = self["channels"].value() or []
        for channel, label in CampaignChannel.choices:
            fields = []
            for language in MESSAGE_LANGUAGES:
                parts = ("subject", "body") if channel == CampaignChannel.EMAIL else ("body",)
                fields.append((LANGUAGE_LABELS[language], language,
                               [self[message_field_name(channel, language, part)] for part in parts]))
            bound = [field for _label, _code, row in fields for field in row]
            is_open = channel in chosen or any(field.value() or field.errors for field in bound)
            groups.append(MessageGroup(channel=channel, label=label, fields=fields, open=is_open))
        return groups

    @classmethod
    def initial_from(cls, campaign: Campaign) -> dict:
        """The form's values for a saved campaign (the reverse of campaign_data)."""
        audience = campaign.audience or {}
        initial = {
            "name": campaign.name, "product": campaign.product.code, "channels": list(campaign.channels),
            "holdout_share": PercentField.from_share(campaign.holdout_share),
            "send_at": timezone.localtime(campaign.send_at).strftime("%Y-%m-%dT%H:%M") if campaign.send_at else "",
            "quiet_start": campaign.quiet_start.strftime("%H:%M") if campaign.quiet_start else "",
            "quiet_end": campaign.quiet_end.strftime("%H:%M") if campaign.quiet_end else "",
            "frequency_cap": "" if campaign.frequency_cap is None else str(campaign.frequency_cap),
            "conversion_window_days": str(campaign.conversion_window_days),
            "cities": list(audience.get("cities", [])), "gender": audience.get("gender", ""),
            "category_code": (audience.get("category") or {}).get("code", ""),
            "category_min_share": PercentField.from_share((audience.get("category") or {}).get("min_share")),
            "propensity_product": (audience.get("propensity") or {}).get("product", ""),
            "propensity_min": (audience.get("propensity") or {}).get("min", ""),
            "propensity_top_percent": str((audience.get("propensity") or {}).get("top_percent", "")),
        }
        for name in (*cls.AUDIENCE_TEXT, *cls.AUDIENCE_LISTS):
            if name in audience:
                initial[name] = audience[name] if isinstance(audience[name], list) else str(audience[name])
        if "self_service_ratio_max" in audience:
            initial["self_service_ratio_max"] = PercentField.from_share(audience["self_service_ratio_max"])
        for channel, by_language in (campaign.messages or {}).items():
            for language, parts in by_language.items():
                for part, text in parts.items():
                    initial[message_field_name(channel, language, part)] = text
        return initial


class OutcomeForm(forms.Form):
    """What the customer said to a counter pitch or a call (services.recipient_outcome_record)."""

    outcome = forms.ChoiceField(label=_("Outcome"))
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args, outcomes=None, **kwargs):
        super().__init__(*args, **kwargs)
        outcomes = outcomes or OfferOutcome.values
        self.fields["outcome"].choices = [(code, OfferOutcome(code).label) for code in outcomes]
