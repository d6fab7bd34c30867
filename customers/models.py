import datetime as dt

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from branches.models import Branch
from crm_site import pii


class IdType(models.TextChoices):
    RESIDENT_ID = "RESIDENT_ID", _("Resident ID card")
    PASSPORT = "PASSPORT", _("Passport")
    HK_MACAO_PERMIT = "HK_MACAO_PERMIT", _("Hong Kong/Macao permit")
    TAIWAN_PERMIT = "TAIWAN_PERMIT", _("Taiwan permit")
    FOREIGN_PR = "FOREIGN_PR", _("Foreign permanent residence card")
    OTHER = "OTHER", _("Other")


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")
    UNKNOWN = "U", _("Not stated")


class CustomerStatus(models.TextChoices):
    ACTIVE = "ACTIVE", _("Active")
    DORMANT = "DORMANT", _("Dormant")
    CLOSED = "CLOSED", _("Closed")
    DECEASED = "DECEASED", _("Deceased")
    MERGED = "MERGED", _("Merged into another profile")


class Segment(models.TextChoices):
    MASS = "MASS", _("Mass")
    AFFLUENT = "AFFLUENT", _("Affluent")
    PRIVATE = "PRIVATE", _("Private banking")
    SMALL_BUSINESS = "SMALL_BUSINESS", _("Small business")


class IncomeBand(models.TextChoices):
    LOW = "LOW", _("Under ¥60,000 a year")
    MIDDLE = "MIDDLE", _("¥60,000–200,000 a year")
    HIGH = "HIGH", _("¥200,000–1,000,000 a year")
    VERY_HIGH = "VERY_HIGH", _("Over ¥1,000,000 a year")


class KycStatus(models.TextChoices):
    PENDING = "PENDING", _("Pending")
    VERIFIED = "VERIFIED", _("Verified")
    REVIEW_DUE = "REVIEW_DUE", _("Review due")
    REJECTED = "REJECTED", _("Rejected")


class RiskRating(models.TextChoices):
    LOW = "LOW", _("Low")
    MEDIUM = "MEDIUM", _("Medium")
    HIGH = "HIGH", _("High")


class ContactChannel(models.TextChoices):
    """The channels a customer can be contacted through, and consent is recorded for."""

    SMS = "SMS", _("SMS")
    EMAIL = "EMAIL", _("Email")
    APP = "APP", _("Mobile app")
    PHONE = "PHONE", _("Phone call")
    POST = "POST", _("Post")


class ContactTime(models.TextChoices):
    ANY = "ANY", _("Any time")
    MORNING = "MORNING", _("Morning")
    AFTERNOON = "AFTERNOON", _("Afternoon")
    EVENING = "EVENING", _("Evening")


# the longest customer number: the column, and the URLs that name a profile (customers.converters)
CUSTOMER_NO_MAX_LENGTH = 32


class Customer(models.Model):
    """The unified profile: one row per person, fed by the channel systems."""

    customer_no = models.CharField(_("customer number"), max_length=CUSTOMER_NO_MAX_LENGTH, unique=True)
    full_name = models.CharField(_("full name"), max_length=100)
    name_pinyin = models.CharField(_("name in pinyin"), max_length=200, blank=True, editable=False)
    name_initials = models.CharField(_("pinyin initials"), max_length=50, blank=True, editable=False)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, default=Gender.UNKNOWN)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)

    id_type = models.CharField(_("ID type"), max_length=20, choices=IdType.choices, default=IdType.RESIDENT_ID)
    id_number = pii.EncryptedTextField(_("ID number"), blank=True)
    id_number_hmac = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    id_number_last4 = models.CharField(_("ID number (last 4)"), max_length=4, blank=True, editable=False)
    id_expiry = models.DateField(_("ID expiry date"), null=True, blank=True)

    mobile = models.CharField(_("mobile"), max_length=20, blank=True, db_index=True,
                              help_text=_("E.164, e.g. +8613812345678"))
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    city = models.CharField(_("city"), max_length=50, blank=True)
    occupation = models.CharField(_("occupation"), max_length=100, blank=True)
    employer = models.CharField(_("employer"), max_length=100, blank=True)
    income_band = models.CharField(_("income band"), max_length=16, choices=IncomeBand.choices, blank=True)

    home_branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="customers",
                                    verbose_name=_("home branch"))
    relationship_manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                             blank=True, related_name="managed_customers",
                                             verbose_name=_("relationship manager"))
    segment = models.CharField(_("segment"), max_length=16, choices=Segment.choices, default=Segment.MASS)
    status = models.CharField(_("status"), max_length=10, choices=CustomerStatus.choices, default=CustomerStatus.ACTIVE)
    kyc_status = models.CharField(_("KYC status"), max_length=12, choices=KycStatus.choices, default=KycStatus.PENDING)
    kyc_review_date = models.DateField(_("KYC review date"), null=True, blank=True)
    risk_rating = models.CharField(_("risk rating"), max_length=8, choices=RiskRating.choices, default=RiskRating.LOW)

    # service preferences: how this customer likes to be served
    preferred_name = models.CharField(_("preferred name"), max_length=50, blank=True)
    salutation = models.CharField(_("salutation"), max_length=20, blank=True)
    preferred_language = models.CharField(_("preferred language"), max_length=10, choices=settings.LANGUAGES,
                                          default="zh-hans")
    preferred_contact_channel = models.CharField(_("preferred contact channel"), max_length=8,
                                                 choices=ContactChannel.choices, blank=True)
    preferred_contact_time = models.CharField(_("preferred contact time"), max_length=10,
                                              choices=ContactTime.choices, default=ContactTime.ANY)
    service_notes = models.TextField(_("service notes for staff"), blank=True)
    do_not_contact = models.BooleanField(_("do not contact"), default=False,
                                         help_text=_("Overrides every consent: no marketing through any channel."))

    # a merged duplicate stays as a tombstone pointing to the profile that absorbed it (customers.merge)
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, editable=False,
                                    related_name="merged_records", verbose_name=_("merged into"),
                                    db_index=False)  # the partial index customer_tombstones serves it
    merged_at = models.DateTimeField(_("merged at"), null=True, blank=True, editable=False)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["name_pinyin", "name_initials", "updated_at"])

    class Meta:
        ordering = ["customer_no"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            GinIndex(fields=["full_name"], name="customer_name_trgm", opclasses=["gin_trgm_ops"]),
            # exact and starts-with matches of names and pinyin (also for names too short for trigrams),
            # and ends-with through the reversed name ("娜娜" finds 欧阳娜娜)
            models.Index(fields=["full_name"], name="customer_name_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(OpClass(Reverse("full_name"), name="varchar_pattern_ops"), name="customer_name_suffix"),
            models.Index(fields=["name_pinyin"], name="customer_pinyin_prefix", opclasses=["varchar_pattern_ops"]),
            GinIndex(fields=["name_pinyin"], name="customer_pinyin_trgm", opclasses=["gin_trgm_ops"]),
            # varchar_pattern_ops: initials are matched by prefix (LIKE 'zw%'), whatever the collation
            models.Index(fields=["name_initials"], name="customer_initials", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["home_branch", "status"], name="customer_branch_status"),
            # the few tombstones only: an index of every live profile's NULL would serve nothing but make a
            # whole-table read look like an index scan
            models.Index(fields=["merged_into"], name="customer_tombstones",
                         condition=models.Q(merged_into__isnull=False)),
        ]
        permissions = [
            ("change_customer_contact", _("Can update contact details and preferences")),
            ("change_customer_identity", _("Can edit identity fields")),
            ("reveal_customer_pii", _("Can reveal a masked identifier (with a reason)")),
            ("merge_customers", _("Can merge duplicate customers")),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.customer_no})"

    def set_id_number(self, normalised: str) -> None:
        """Keep the ciphertext, the look-up HMAC and the display digits in step."""
        self.id_number = normalised
        self.id_number_hmac = pii.lookup_hmac(normalised) if normalised else ""
        self.id_number_last4 = normalised[-4:] if normalised else ""

    @property
    def masked_id_number(self) -> str:
        return pii.mask_id_number(self.id_number_last4)

    @property
    def masked_mobile(self) -> str:
        return pii.mask_mobile(self.mobile)

    @property
    def masked_email(self) -> str:
        return pii.mask_email(self.email)

    def age(self, on: dt.date | None = None) -> int | None:
        if not self.date_of_birth:
            return None
        on = on or timezone.localdate()
        born = self.date_of_birth
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))

    @property
    def display_name(self) -> str:
        return self.preferred_name or self.full_name

    @property
    def is_tombstone(self) -> bool:
        return self.merged_into_id is not None


class ConsentSource(models.TextChoices):
    COUNTER = "counter", _("At the counter")
    IMPORT = "import", _("File import")
    API = "api", _("API")
    ADMIN = "admin", _("Admin")
    UNSUBSCRIBE = "unsubscribe", _("Unsubscribe link")
    MERGE = "merge", _("Customer merge")


class ConsentRecord(models.Model):
    """Consent to be contacted for marketing, per channel. The newest record per channel wins."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="consents",
                                 verbose_name=_("customer"))
    channel = models.CharField(_("channel"), max_length=8, choices=ContactChannel.choices)
    granted = models.BooleanField(_("granted"))
    source = models.CharField(_("source"), max_length=16, choices=ConsentSource.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("recorded by"))
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        indexes = [models.Index(fields=["customer", "channel", "-at"], name="consent_current")]

    def __str__(self) -> str:
        state = _("granted") if self.granted else _("revoked")
        return _("%(channel)s: %(state)s") % {"channel": self.get_channel_display(), "state": state}


class InteractionChannel(models.TextChoices):
    COUNTER = "COUNTER", _("Counter")
    PHONE = "PHONE", _("Phone")
    EMAIL = "EMAIL", _("Email")
    SMS = "SMS", _("SMS")
    APP = "APP", _("Mobile app")
    VISIT = "VISIT", _("Visit")


class InteractionKind(models.TextChoices):
    NOTE = "note", _("Note")
    SERVICE = "service", _("Service")
    COMPLAINT = "complaint", _("Complaint")
    OFFER_OUTCOME = "offer_outcome", _("Offer outcome")
    LIFE_EVENT = "life_event", _("Life event")


class Interaction(models.Model):
    """The teller's memory of the customer."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="interactions",
                                 verbose_name=_("customer"))
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="interactions", verbose_name=_("staff"))
    channel = models.CharField(_("channel"), max_length=8, choices=InteractionChannel.choices,
                               default=InteractionChannel.COUNTER)
    kind = models.CharField(_("kind"), max_length=16, choices=InteractionKind.choices, default=InteractionKind.NOTE)
    text = models.TextField(_("text"))
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        indexes = [models.Index(fields=["customer", "-at"], name="interaction_timeline")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"


class AccessVia(models.TextChoices):
    PAGE = "page", _("Page")
    API = "api", _("API")
    ADMIN = "admin", _("Admin")
    COUNTER = "counter", _("Counter call")


class AccessAction(models.TextChoices):
    VIEW = "view", _("Viewed the profile")
    REVEAL = "reveal", _("Revealed a masked field")


class CustomerAccessLog(models.Model):
    """Who opened which profile, when, from where, and why a masked field was revealed. Append-only."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="access_log",
                                 verbose_name=_("customer"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="customer_access_log",
                             verbose_name=_("staff"))
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    via = models.CharField(_("via"), max_length=8, choices=AccessVia.choices)
    action = models.CharField(_("action"), max_length=8, choices=AccessAction.choices, default=AccessAction.VIEW)
    field = models.CharField(_("field revealed"), max_length=32, blank=True)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("profile access")
        verbose_name_plural = _("profile access log")
        indexes = [
            models.Index(fields=["customer", "-at"], name="access_by_customer"),
            models.Index(fields=["user", "-at"], name="access_by_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.action} {self.customer_id} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("the access log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("the access log is append-only")


class CustomerMerge(models.Model):
    """One merge of a duplicate into the profile that survives: who, when, which values won, what moved."""

    survivor = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="merges_absorbed",
                                 verbose_name=_("surviving customer"))
    merged = models.OneToOneField(Customer, on_delete=models.PROTECT, related_name="merge",
                                  verbose_name=_("merged customer"))
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("merged by"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    # field (group) -> "survivor" or "merged": whose value the surviving profile kept; no values (PII) here
    field_choices = models.JSONField(_("values kept"), default=dict, blank=True)
    # "app_label.model.field" -> rows moved to the survivor / kept with the merged record / deleted (derived)
    moved = models.JSONField(_("rows moved"), default=dict, blank=True)
    kept = models.JSONField(_("rows kept with the merged record"), default=dict, blank=True)
    deleted = models.JSONField(_("derived rows deleted"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("customer merge")
        verbose_name_plural = _("customer merges")

    def __str__(self) -> str:
        return f"{self.merged_id} -> {self.survivor_id} {self.at:%Y-%m-%d %H:%M}"


class DuplicateDismissal(models.Model):
    """An admin looked at a likely duplicate pair and said: two different people. The pair is no longer listed."""

    customer_a = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+",
                                   verbose_name=_("customer"))
    customer_b = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+",
                                   verbose_name=_("other customer"))
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("dismissed by"))
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("dismissed duplicate")
        verbose_name_plural = _("dismissed duplicates")
        constraints = [
            models.UniqueConstraint(fields=["customer_a", "customer_b"], name="duplicate_dismissed_once"),
            models.CheckConstraint(condition=models.Q(customer_a__lt=models.F("customer_b")),
                                   name="duplicate_dismissal_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_a_id} ≠ {self.customer_b_id}"
