"""The registers: information assets, risks in yen, vendors and who does / who decides each basic measure.

Numbers for the yen model live on each risk (days down, records, direct loss); the organisation-wide
figures (daily revenue, cost per leaked record) live in `RiskSettings`, one row per organisation. The
arithmetic is in `risk_model.py`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ippo.core.models import TenantModel
from ippo.registers.risk_model import DEFAULT_COST_PER_RECORD_YEN


class AssetType(models.TextChoices):
    """The same codes as `asset_types` in the risk scenarios (ippo/program/data/risk_scenarios.yaml)."""

    PC = "pc", _("PC or laptop")
    PHONE = "phone", _("Smartphone or tablet")
    SERVER = "server", _("Server")
    NAS = "nas", _("NAS (network storage)")
    CLOUD = "cloud", _("Cloud service")
    WEBSITE = "website", _("Website")
    DATA = "data", _("Data and files")
    NETWORK = "network", _("Network equipment (router, UTM, Wi-Fi)")
    PAPER = "paper", _("Paper documents")


class Importance(models.IntegerChoices):
    LOW = 1, _("1 – low")
    MEDIUM = 2, _("2 – medium")
    HIGH = 3, _("3 – high")


class Likelihood(models.IntegerChoices):
    """A planning scale, each step read as a rough chance within the next year (risk_model.py)."""

    RARE = 1, _("1 – rare (about 5% a year)")
    UNLIKELY = 2, _("2 – unlikely (about 10% a year)")
    POSSIBLE = 3, _("3 – possible (about 25% a year)")
    LIKELY = 4, _("4 – likely (about 50% a year)")
    ALMOST_CERTAIN = 5, _("5 – almost certain (about 90% a year)")


def _importance_field(label, help_text):
    return models.PositiveSmallIntegerField(
        label,
        choices=Importance.choices,
        default=Importance.MEDIUM,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
        help_text=help_text,
    )


class Asset(TenantModel):
    """An information asset: a device, a cloud service, a body of data or papers that matters to the work."""

    name = models.CharField(_("name"), max_length=200)
    asset_type = models.CharField(_("type"), max_length=20, choices=AssetType.choices)
    location = models.CharField(
        _("where it lives"),
        max_length=200,
        blank=True,
        help_text=_(
            "The device, server or cloud service that holds it, e.g. “NAS in the office” or “Microsoft 365”."
        ),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    owner_name = models.CharField(
        _("owner (name)"),
        max_length=100,
        blank=True,
        help_text=_("For an owner who does not use ippo, such as a department or an outside company."),
    )
    personal_data = models.BooleanField(_("holds personal data"), default=False)
    confidentiality = _importance_field(
        _("confidentiality"), _("How much harm if outsiders saw it: 1 low, 2 medium, 3 high.")
    )
    integrity = _importance_field(
        _("integrity"), _("How much harm if it were wrong or tampered with: 1 low, 2 medium, 3 high.")
    )
    availability = _importance_field(
        _("availability"), _("How much harm if it were unavailable for a day: 1 low, 2 medium, 3 high.")
    )
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("information asset")
        verbose_name_plural = _("information assets")
        ordering = ["asset_type", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"],
                name="asset_unique_name_per_org",
                violation_error_message=_("An asset with this name already exists."),
            ),
            models.CheckConstraint(
                condition=models.Q(confidentiality__range=(1, 3))
                & models.Q(integrity__range=(1, 3))
                & models.Q(availability__range=(1, 3)),
                name="asset_importance_1_to_3",
                violation_error_message=_("Importance must be 1, 2 or 3."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def owner_display(self) -> str:
        return self.owner.get_short_name() if self.owner else self.owner_name

    @property
    def importance(self) -> int:
        """The highest of the three: what a list sorted by importance looks at first."""
        return max(self.confidentiality, self.integrity, self.availability)


class RiskSettings(TenantModel):
    """The organisation-wide figures of the yen model. One row per organisation."""

    daily_revenue_yen = models.PositiveBigIntegerField(
        _("revenue per working day (yen)"),
        default=0,
        validators=[MaxValueValidator(10**12)],
        help_text=_("Roughly annual revenue divided by 240 working days. Used for the cost of downtime."),
    )
    cost_per_record_yen = models.PositiveIntegerField(
        _("cost per leaked record (yen)"),
        default=DEFAULT_COST_PER_RECORD_YEN,
        validators=[MaxValueValidator(10_000_000)],
        help_text=_(
            "What one person's leaked data costs you: notice, apology, questions, part of the investigation. "
            "5,000 yen is a rough planning figure, not a statistic; sensitive data costs far more."
        ),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("risk settings")
        verbose_name_plural = _("risk settings")
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                name="risksettings_one_per_org",
                violation_error_message=_("This organisation already has risk settings."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization}: {self.daily_revenue_yen} / {self.cost_per_record_yen}"


class Risk(TenantModel):
    """A threat scenario in business terms: what could happen, how likely, and what it would cost in yen."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("risk status", "Open")
        ACCEPTED = "accepted", pgettext_lazy("risk status", "Accepted")
        CLOSED = "closed", pgettext_lazy("risk status", "Closed")

    scenario_id = models.CharField(_("starter scenario"), max_length=40, blank=True, editable=False)
    # Starter risks keep title and description empty while they follow the scenario's text, which is then
    # shown in the reader's language; an edited text is stored as typed.
    title = models.CharField(_("title"), max_length=200, blank=True)
    description = models.TextField(_("what could happen"), blank=True, max_length=3000)
    assets = models.ManyToManyField(
        Asset, blank=True, related_name="risks", verbose_name=_("assets affected")
    )
    control_ids = models.JSONField(_("measures that reduce it"), default=list, blank=True)
    likelihood = models.PositiveSmallIntegerField(
        _("likelihood"),
        choices=Likelihood.choices,
        default=Likelihood.POSSIBLE,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("How likely within the next year, as things stand today."),
    )
    days_down = models.PositiveIntegerField(
        _("days of downtime"),
        default=0,
        validators=[MaxValueValidator(365)],
        help_text=_("Working days the business would stand still."),
    )
    records = models.PositiveIntegerField(
        _("records leaked"),
        default=0,
        validators=[MaxValueValidator(10_000_000)],
        help_text=_("People whose personal data would have to be treated as leaked."),
    )
    loss_yen = models.PositiveBigIntegerField(
        _("direct loss (yen)"),
        default=0,
        validators=[MaxValueValidator(10**12)],
        help_text=_("Money lost outright: a fraudulent transfer, a recovery bill, rebuilding a website."),
    )
    residual_likelihood = models.PositiveSmallIntegerField(
        _("likelihood after the planned measures"),
        choices=Likelihood.choices,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("Leave empty to use ippo's suggestion from the measures in place."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "scenario_id"],
                condition=~models.Q(scenario_id=""),
                name="risk_one_per_scenario",
                violation_error_message=_("This starter risk is already in the register."),
            ),
            models.CheckConstraint(
                condition=models.Q(likelihood__range=(1, 5))
                & (models.Q(residual_likelihood__isnull=True) | models.Q(residual_likelihood__range=(1, 5))),
                name="risk_likelihood_1_to_5",
                violation_error_message=_("Likelihood must be between 1 and 5."),
            ),
        ]

    def __str__(self) -> str:
        return self.title_text

    def clean(self) -> None:
        if not self.scenario_id and not self.title.strip():
            raise ValidationError({"title": _("Enter a title.")})

    @property
    def scenario(self):
        from ippo.registers.content import scenario

        return scenario(self.scenario_id) if self.scenario_id else None

    @property
    def title_text(self) -> str:
        if self.title or not self.scenario:
            return self.title
        return self.scenario.title.get()

    @property
    def description_text(self) -> str:
        if self.description or not self.scenario:
            return self.description
        return self.scenario.description.get()


class Vendor(TenantModel):
    """An outsourcer, IT provider or cloud service that does work for us or holds our information."""

    class ServiceKind(models.TextChoices):
        PC_SETUP = "pc_setup", _("PC set-up and support")
        NETWORK = "network", _("Network and internet connection")
        WEBSITE = "website", _("Website production or hosting")
        ACCOUNTING_SAAS = "accounting_saas", _("Accounting or payroll cloud service")
        EMAIL_CLOUD = "email_cloud", _("E-mail and office cloud (Microsoft 365, Google Workspace)")
        BACKUP = "backup", _("Backup")
        OTHER = "other", pgettext_lazy("vendor service", "Other")

    class Answer(models.TextChoices):
        """Answers to the contract checklist; the labels are the self-assessment's."""

        YES = "yes", pgettext_lazy("answer", "Yes")
        PARTIAL = "partial", pgettext_lazy("answer", "Partly")
        NO = "no", pgettext_lazy("answer", "No")
        UNKNOWN = "unknown", pgettext_lazy("answer", "Don't know")

    name = models.CharField(_("name"), max_length=200)
    service_kinds = models.JSONField(_("kinds of service"), default=list, blank=True)
    services = models.TextField(
        _("what they do for us"),
        blank=True,
        max_length=2000,
        help_text=_("In your words: which systems, which data, which work."),
    )
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    checklist = models.JSONField(_("contract checklist"), default=dict, blank=True)
    last_review = models.DateField(_("last reviewed"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("vendor")
        verbose_name_plural = _("vendors")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"],
                name="vendor_unique_name_per_org",
                violation_error_message=_("A vendor with this name already exists."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def service_kind_labels(self) -> list[str]:
        labels = dict(self.ServiceKind.choices)
        return [str(labels[k]) for k in self.service_kinds if k in labels]

    def checklist_count(self, value: str = "yes") -> int:
        return sum(1 for v in self.checklist.values() if v == value)


class Responsibility(TenantModel):
    """Who does and who decides one basic measure: the answer to "IT is delegated but nobody governs it"."""

    class Doer(models.TextChoices):
        UNDECIDED = "", _("Not decided")
        US = "us", _("Us (in house)")
        VENDOR = "vendor", _("A vendor")

    control_id = models.CharField(_("measure"), max_length=60)
    doer = models.CharField(_("who does it"), max_length=10, choices=Doer.choices, blank=True)
    vendor = models.ForeignKey(
        Vendor,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="responsibilities",
        verbose_name=_("vendor"),
    )
    decider = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who decides"),
    )
    decider_name = models.CharField(_("who decides (name)"), max_length=100, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("responsibility")
        verbose_name_plural = _("responsibilities")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "control_id"],
                name="responsibility_one_per_control",
                violation_error_message=_("This measure already has a row in the responsibility table."),
            )
        ]

    def __str__(self) -> str:
        return self.control_id

    @property
    def does_key(self) -> str:
        """The value of the "who does it" select: "", "us" or "vendor:<id>"."""
        if self.doer == self.Doer.VENDOR and self.vendor_id:
            return f"vendor:{self.vendor_id}"
        return self.Doer.US if self.doer == self.Doer.US else ""

    @property
    def decider_display(self) -> str:
        return self.decider.get_short_name() if self.decider else self.decider_name
