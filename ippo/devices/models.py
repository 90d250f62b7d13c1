"""Devices (PCs with the ippo agent), their reports, cloud sign-in (MFA) coverage and attestations for
services without an API.

Secrets are never stored in the clear: enrolment codes and device tokens as SHA-256 hashes (they are
random, ≥128 bits, so a plain hash is enough), cloud credentials encrypted with ippo.lib.crypto.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ippo.core.models import TenantModel


class Platform(models.TextChoices):
    WINDOWS = "windows", _("Windows")
    MACOS = "macos", _("macOS")
    LINUX = "linux", _("Linux")


class EnrolmentCode(TenantModel):
    """A one-time code a manager gives to the person installing the agent. Short-lived, single-use."""

    code_hash = models.CharField(max_length=64, unique=True)
    label = models.CharField(_("device name"), max_length=100, blank=True)
    owner = models.ForeignKey(
        "people.Employee",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("used by"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("valid until"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    device = models.ForeignKey("Device", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("enrolment code")
        verbose_name_plural = _("enrolment codes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.label or str(self.pk)


class Device(TenantModel):
    """One computer that reports through the agent. `results` holds the latest verdicts (a list of dicts,
    see ippo.devices.evaluators), so the device list needs no join to the report history."""

    name = models.CharField(_("device name"), max_length=200)
    platform = models.CharField(_("operating system"), max_length=10, choices=Platform.choices)
    os_label = models.CharField(_("version"), max_length=200, blank=True)
    owner = models.ForeignKey(
        "people.Employee",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="devices",
        verbose_name=_("used by"),
    )
    token_hash = models.CharField(max_length=64, unique=True)
    agent_version = models.CharField(_("agent version"), max_length=20, blank=True)
    enrolled_at = models.DateTimeField(_("enrolled"))
    last_seen_at = models.DateTimeField(_("last report"), null=True, blank=True)
    results = models.JSONField(_("latest results"), default=list, blank=True)
    stale_notified_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["organization", "is_active"], name="device_org_active_idx")]

    def __str__(self) -> str:
        return self.name

    def result_for(self, key: str) -> dict | None:
        for row in self.results or []:
            if row.get("key") == key:
                return row
        return None


class DeviceReport(TenantModel):
    """One report as received: the raw evidence (bounded) and what the server made of it."""

    device = models.ForeignKey(
        Device, on_delete=models.CASCADE, related_name="reports", verbose_name=_("device")
    )
    received_at = models.DateTimeField(_("received"))
    evidence = models.JSONField(_("raw evidence"), default=dict)
    results = models.JSONField(_("results"), default=list)
    size = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("device report")
        verbose_name_plural = _("device reports")
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["device", "-received_at"], name="devicereport_device_time")]

    def __str__(self) -> str:
        return f"{self.device_id} @ {self.received_at:%Y-%m-%d %H:%M}"


class CloudConnector(TenantModel):
    """A read-only connection to Microsoft 365 or Google Workspace, to count who uses two-step sign-in."""

    class Kind(models.TextChoices):
        M365 = "m365", _("Microsoft 365")
        GOOGLE = "google", _("Google Workspace")

    kind = models.CharField(_("service"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    credentials_encrypted = models.TextField(_("credentials (encrypted)"))
    hint = models.CharField(_("account"), max_length=200, blank=True)
    # Empty in production (the real API addresses); tests point it at a local server.
    base_url = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    last_run_at = models.DateTimeField(_("last checked"), null=True, blank=True)

    class Meta:
        verbose_name = _("cloud connection")
        verbose_name_plural = _("cloud connections")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_credentials(self) -> dict:
        """The decrypted credentials. For calling the API only; never display them."""
        import json

        from ippo.lib.crypto import decrypt

        return json.loads(decrypt(self.credentials_encrypted))


class MfaSnapshot(TenantModel):
    """What one run of a cloud connector found: the figures and the verdict."""

    connector = models.ForeignKey(
        CloudConnector, on_delete=models.CASCADE, related_name="snapshots", verbose_name=_("cloud connection")
    )
    taken_at = models.DateTimeField(_("checked"))
    method = models.CharField(_("method"), max_length=30)
    users_total = models.PositiveIntegerField(_("people"), null=True, blank=True)
    users_mfa = models.PositiveIntegerField(_("people with two-step sign-in"), null=True, blank=True)
    admins_total = models.PositiveIntegerField(_("administrators"), null=True, blank=True)
    admins_mfa = models.PositiveIntegerField(_("administrators with two-step sign-in"), null=True, blank=True)
    security_defaults = models.BooleanField(_("security defaults on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10)
    reason = models.CharField(max_length=60)
    params = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("two-step sign-in snapshot")
        verbose_name_plural = _("two-step sign-in snapshots")
        ordering = ["-taken_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.connector_id} @ {self.taken_at:%Y-%m-%d}"

    @property
    def members_percent(self) -> int | None:
        if not self.users_total:
            return None
        return round(100 * (self.users_mfa or 0) / self.users_total)


class SaasService(TenantModel):
    """A cloud service with no API for sign-in settings (freee, Money Forward, Chatwork, LINE WORKS …):
    someone confirms by hand, with a screenshot, every `interval_months`."""

    class Area(models.TextChoices):
        FINANCE = "pr-mfa-finance", _("Banking, accounting or payroll")
        EMAIL = "pr-mfa-email", _("E-mail, chat or other cloud work tools")

    name = models.CharField(_("service"), max_length=100)
    control_id = models.CharField(
        _("kind of service"), max_length=60, choices=Area.choices, default=Area.FINANCE
    )
    interval_months = models.PositiveSmallIntegerField(
        _("confirm every (months)"), default=6, help_text=_("How often someone checks the setting again.")
    )
    next_due = models.DateField(_("next check due"))
    reminded_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("service checked by hand")
        verbose_name_plural = _("services checked by hand")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"],
                name="saasservice_unique_name_per_org",
                violation_error_message=_("This service is already on the list."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class SaasAttestation(TenantModel):
    """One confirmation: who looked, when, what they saw, and the screenshot (as programme evidence)."""

    class Answer(models.TextChoices):
        REQUIRED = "required", _("Required for everyone")
        SOME = "some", _("Used by some people only")
        NONE = "none", _("Not used")

    service = models.ForeignKey(
        SaasService, on_delete=models.CASCADE, related_name="attestations", verbose_name=_("service")
    )
    answer = models.CharField(_("two-step sign-in"), max_length=10, choices=Answer.choices)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    attested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    attested_at = models.DateTimeField(_("confirmed"))
    evidence = models.ForeignKey(
        "program.Evidence",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("screenshot"),
    )

    class Meta:
        verbose_name = _("confirmation")
        verbose_name_plural = _("confirmations")
        ordering = ["-attested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.service_id} @ {self.attested_at:%Y-%m-%d}"


class DeviceEvidenceDay(TenantModel):
    """The day's evidence notes for the device controls were written: claimed by inserting this row, so two
    clock workers never write them twice."""

    day = models.DateField()

    class Meta:
        verbose_name = _("device evidence day")
        constraints = [
            models.UniqueConstraint(fields=["organization", "day"], name="deviceevidenceday_once_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.day}"
