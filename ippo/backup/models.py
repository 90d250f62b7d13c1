"""Records of backups and restore tests. Installation-wide (not tenant data): one backup covers every
organisation, so these rows belong to no organisation; owners see the latest of each on their settings."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class BackupRun(models.Model):
    """One backup. Scheduled runs carry `day` (unique): the clock of whichever organisation comes first
    inserts the day's row and claims it with a conditional UPDATE, so the backup runs once a day however
    many organisations and workers there are. Manual runs (`ippo backup create`) have no day."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        OK = "ok", _("Succeeded")
        ERROR = "error", _("Failed")

    day = models.DateField(_("day"), null=True, blank=True, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    path = models.CharField(_("file"), max_length=500, blank=True)
    size = models.BigIntegerField(_("size in bytes"), default=0)
    encrypted = models.BooleanField(_("encrypted"), default=False)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("backup")
        verbose_name_plural = _("backups")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.path or self.day} ({self.status})"


class RestoreTest(models.Model):
    """One restore of a backup into a scratch instance, checked against the backup's manifest."""

    path = models.CharField(_("file"), max_length=500)
    tested_at = models.DateTimeField(_("tested"))
    ok = models.BooleanField(_("succeeded"), default=False)
    detail = models.TextField(_("details"), blank=True)

    class Meta:
        verbose_name = _("restore test")
        verbose_name_plural = _("restore tests")
        ordering = ["-tested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.path} ({'ok' if self.ok else 'failed'})"
