"""Control status per organisation: the hub every module feeds or reads (DESIGN.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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
        ACTION_ITEM = "action_item", _("Action item completed")
        POLICY = "policy", _("Policy approved")
        EVIDENCE_AGED = "evidence_aged", _("Evidence out of date")
        CHECK = "check", _("Automated check")
        DEVICE_AGENT = "device_agent", _("Device agent and sign-in checks")

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


class Recurrence(models.TextChoices):
    MONTHLY = "monthly", _("Every month")
    QUARTERLY = "quarterly", _("Every three months")
    HALF_YEARLY = "half_yearly", _("Every six months")
    YEARLY = "yearly", _("Every year")


RECURRENCE_MONTHS = {"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12}


class RecurringTask(TenantModel):
    """A habit: a control's work that comes back (restore test every quarter …). Each occurrence becomes an
    action item shortly before it is due; completing it schedules the next one."""

    control_id = models.CharField(_("control"), max_length=60, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    recurrence = models.CharField(_("how often"), max_length=20, choices=Recurrence.choices)
    next_due = models.DateField(_("next due"))
    last_done = models.DateField(_("last done"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("recurring task")
        verbose_name_plural = _("recurring tasks")
        ordering = ["next_due", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "control_id"],
                condition=~models.Q(control_id=""),
                name="recurringtask_one_per_control",
                violation_error_message=_("This control already has a recurring task."),
            )
        ]

    def __str__(self) -> str:
        return self.title or self.control_id


class ActionItem(TenantModel):
    """One thing to do in the action plan: from an assessment gap, a recurring task, or added by hand."""

    class Status(models.TextChoices):
        TODO = "todo", pgettext_lazy("action item", "To do")
        IN_PROGRESS = "in_progress", pgettext_lazy("action item", "In progress")
        DONE = "done", pgettext_lazy("action item", "Done")
        DROPPED = "dropped", pgettext_lazy("action item", "Not doing")

    class Source(models.TextChoices):
        GAP = "gap", _("Self-assessment gap")
        RECURRING = "recurring", _("Recurring task")
        MANUAL = "manual", _("Added by hand")

    OPEN = (Status.TODO, Status.IN_PROGRESS)

    control_id = models.CharField(_("control"), max_length=60, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    description = models.TextField(_("details"), blank=True, max_length=5000)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.MANUAL)
    source_ref = models.CharField(_("source reference"), max_length=60, blank=True)
    priority = models.FloatField(
        _("priority"), default=0, help_text=_("Risk reduction per cost; higher first.")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible"),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.TODO)
    recurring_task = models.ForeignKey(
        RecurringTask,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="occurrences",
        verbose_name=_("recurring task"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # When each reminder went out (one of each per item; see reminders.py).
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    overdue_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    escalated_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["-priority", "due_date", "pk"]
        indexes = [
            models.Index(fields=["organization", "status", "due_date"], name="actionitem_org_status_due"),
            models.Index(fields=["organization", "owner", "status"], name="actionitem_org_owner"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "control_id"],
                condition=models.Q(source="gap", status__in=["todo", "in_progress"]),
                name="actionitem_one_open_gap_per_control",
                violation_error_message=_("This control already has an open action item."),
            ),
            models.CheckConstraint(
                condition=~models.Q(control_id="", title=""),
                name="actionitem_has_title_or_control",
                violation_error_message=_("An action item needs a title."),
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.control_id

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class ActionComment(TenantModel):
    item = models.ForeignKey(
        ActionItem, on_delete=models.CASCADE, related_name="comments", verbose_name=_("action item")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(_("comment"), max_length=5000)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]


def evidence_storage():
    """Evidence files: <data dir>/private/, never under STATIC_ROOT or MEDIA_URL."""
    from django.core.files.storage import FileSystemStorage

    return FileSystemStorage(location=settings.DATA_DIR / "private", base_url=None)


def _evidence_path(instance, filename: str) -> str:
    import uuid

    return f"evidence/{instance.organization_id}/{uuid.uuid4().hex}"


class Evidence(TenantModel):
    """A file, link or note that shows a control is in place. Files live in the data directory, outside any
    static path, are served only to members of the organisation, always as a download."""

    class Kind(models.TextChoices):
        FILE = "file", _("File")
        LINK = "link", _("Link")
        NOTE = "note", _("Note")

    control_id = models.CharField(_("control"), max_length=60, blank=True)
    action_item = models.ForeignKey(
        ActionItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("action item"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(
        _("file"), upload_to=_evidence_path, storage=evidence_storage, blank=True, max_length=300
    )
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    url = models.URLField(_("link"), blank=True, max_length=500)
    note = models.TextField(_("note"), blank=True, max_length=5000)
    performed_on = models.DateField(
        _("date done"), help_text=_("When the work it shows was done, e.g. the day of the restore test.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["-performed_on", "-pk"]
        indexes = [
            models.Index(fields=["organization", "control_id", "performed_on"], name="evidence_org_control")
        ]

    def __str__(self) -> str:
        return self.title


class DigestSent(TenantModel):
    """One weekly summary per person per week, however many times the clock ticks."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    week = models.DateField(_("week starting"))
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("weekly summary sent")
        verbose_name_plural = _("weekly summaries sent")
        constraints = [
            models.UniqueConstraint(fields=["organization", "user", "week"], name="digestsent_once_per_week"),
            models.UniqueConstraint(
                fields=["organization", "week"],
                condition=models.Q(user__isnull=True),
                name="digestsent_team_once_per_week",
            ),
        ]
