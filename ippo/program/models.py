"""Control status per organisation: the hub every module feeds or reads (DESIGN.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ippo.core.models import TenantModel


class ControlStatus(TenantModel):
    """Where one organisation stands on one catalog control, and what last changed it."""

    class Status(models.TextChoices):
        IMPLEMENTED = "implemented", _("In place")
        PARTIAL = "partial", _("Partly in place")
        NOT_IMPLEMENTED = "not_implemented", _("Not in place")
        UNKNOWN = "unknown", _("Not known yet")

    class Source(models.TextChoices):
        QUICK_CHECK = "quick_check", _("Quick check")
        ASSESSMENT = "assessment", _("Full assessment")
        MANUAL = "manual", _("Set by hand")

    control_id = models.CharField(_("control"), max_length=60)
    control_version = models.PositiveSmallIntegerField(_("control version"), default=1)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.UNKNOWN)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    source_ref = models.CharField(_("source reference"), max_length=60, blank=True)
    updated_at = models.DateTimeField(_("updated"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("control status")
        verbose_name_plural = _("control statuses")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "control_id"],
                name="controlstatus_one_per_control",
                violation_error_message=_("This control already has a status in this organisation."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.control_id}: {self.status}"
