"""Domains an organisation declared, proof that it owns them, check runs and their results."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ippo.checks.messages import CHECK_LABELS, STATUS_LABELS, message_render
from ippo.core.models import TenantModel


class Status(models.TextChoices):
    PASS = "pass", _("OK")
    WARN = "warn", _("Needs attention")
    FAIL = "fail", _("Problem")
    UNKNOWN = "unknown", _("Could not check")
    NA = "na", _("Not applicable")


class Domain(TenantModel):
    name = models.CharField(_("domain"), max_length=253)
    verification_token = models.CharField(_("verification code"), max_length=64)
    verified_at = models.DateTimeField(_("ownership proven"), null=True, blank=True)
    verification_checked_at = models.DateTimeField(_("ownership last checked"), null=True, blank=True)
    dkim_selectors = models.CharField(
        _("DKIM selectors"),
        max_length=200,
        blank=True,
        help_text=_("Optional. The selector names your mail service uses, separated by commas."),
    )
    is_active = models.BooleanField(_("checked every week"), default=True)
    next_check_at = models.DateTimeField(_("next check"), null=True, blank=True, db_index=True)
    last_run_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"],
                name="checks_domain_unique_per_org",
                violation_error_message=_("This domain is already on the list."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def txt_value(self) -> str:
        return f"ippo-site-verification={self.verification_token}"

    def selectors_list(self) -> list[str]:
        return [s.strip() for s in self.dkim_selectors.split(",") if s.strip()]


class AddressAttestation(TenantModel):
    """The owner vouches that an address outside the domain's own records is theirs to test."""

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="attestations")
    address = models.GenericIPAddressField(_("address"))
    reason = models.TextField(_("why this address is yours"))
    attested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    attested_at = models.DateTimeField(_("vouched on"))

    class Meta:
        verbose_name = _("attested address")
        verbose_name_plural = _("attested addresses")
        ordering = ["address"]
        constraints = [
            models.UniqueConstraint(
                fields=["domain", "address"],
                name="checks_attestation_unique",
                violation_error_message=_("This address is already on the list."),
            )
        ]

    def __str__(self) -> str:
        return self.address


class CheckRun(TenantModel):
    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Finished")
        ERROR = "error", _("Stopped by an error")

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("Weekly check")
        MANUAL = "manual", _("Run by hand")
        DEMO = "demo", _("Sample data")

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="runs")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    trigger = models.CharField(_("started by"), max_length=10, choices=Trigger.choices)
    active = models.BooleanField(_("included active checks"), default=False)
    created_at = models.DateTimeField(_("requested"), db_index=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)  # status → number of results
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("check run")
        verbose_name_plural = _("check runs")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.domain_id} {self.created_at:%Y-%m-%d %H:%M}"


class CheckOutcome(TenantModel):
    """One result of one check in a run. The message is rendered from code + params in the reader's
    language."""

    run = models.ForeignKey(CheckRun, on_delete=models.CASCADE, related_name="outcomes")
    check_name = models.CharField(_("check"), max_length=40)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    code = models.CharField(max_length=60)
    params = models.JSONField(default=dict, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("check result")
        verbose_name_plural = _("check results")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.check_name}: {self.status}"

    @property
    def message(self) -> str:
        return message_render(self.code, self.params)

    @property
    def label(self) -> str:
        return str(CHECK_LABELS.get(self.check_name, self.check_name))

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))


class FindingTask(TenantModel):
    """The action item made for a finding, so a weekly run does not make it again while it is open."""

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="finding_tasks")
    check_name = models.CharField(max_length=40)
    action_item = models.ForeignKey("program.ActionItem", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["domain", "check_name", "action_item"], name="checks_findingtask_unique"
            )
        ]
