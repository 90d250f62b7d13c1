"""The reporting channel (報告・相談): reports from employees, the two-way thread, receipt codes for people who
report without an account, designated handlers for concerns about misconduct, escalation rules and
acknowledgements.

Anonymous reports hold nothing that identifies the reporter: no user, no name, no address, no browser
details, and their times are rounded to the hour (see services.py and docs/reporting.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ippo.core.models import TenantModel


class Kind(models.TextChoices):
    SUSPICIOUS_MAIL = "suspicious_mail", _("A suspicious e-mail or message")
    CLICKED = "clicked", _("I clicked a link or entered a password")
    LOST_DEVICE = "lost_device", _("A lost or stolen computer, phone or USB stick")
    VIRUS = "virus", _("A virus warning or a computer acting strangely")
    WRONG_RECIPIENT = "wrong_recipient", _("An e-mail or file sent to the wrong person")
    STRANGE_SIGNIN = "strange_signin", _("A strange sign-in or a request to change bank details")
    RANSOM = "ransom", _("A ransom note, or files that no longer open")
    MISCONDUCT = "misconduct", _("A concern about misconduct")
    OTHER = "other", _("Something else")


class When(models.TextChoices):
    JUST_NOW = "just_now", _("Just now")
    TODAY = "today", _("Earlier today")
    YESTERDAY = "yesterday", _("Yesterday")
    THIS_WEEK = "this_week", _("In the last few days")
    EARLIER = "earlier", _("Longer ago")
    NOT_SURE = "not_sure", _("Not sure")


class Identity(models.TextChoices):
    NAMED = "named", _("With my name")
    RESTRICTED = "restricted", _("With my name, shown only to the designated handlers")
    ANONYMOUS = "anonymous", _("Anonymously")


class Severity(models.IntegerChoices):
    UNKNOWN = 0, _("Not sure")
    LOW = 1, _("Probably minor")
    MEDIUM = 2, _("Could be serious")
    HIGH = 3, _("Serious: work or customers are affected")
    CRITICAL = 4, _("Urgent: happening now")


class Status(models.TextChoices):
    NEW = "new", pgettext_lazy("report status", "New")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("report status", "Acknowledged")
    IN_PROGRESS = "in_progress", pgettext_lazy("report status", "Being looked into")
    CLOSED = "closed", pgettext_lazy("report status", "Closed")


class Channel(models.TextChoices):
    LINK = "link", _("Report link")
    SIGNED_IN = "signed_in", pgettext_lazy("reporting", "Signed in")
    MAIL = "mail", _("Reported e-mail")


class ReportSettings(TenantModel):
    """One row per organisation: the public report link's token, office hours and the re-escalation time."""

    token = models.CharField(_("report link token"), max_length=64, unique=True)
    token_rotated_at = models.DateTimeField(_("link last changed"), null=True, blank=True)
    # Salt for the receipt codes' Argon2id hashes (one per organisation, so that a code can be looked up).
    receipt_salt = models.CharField(max_length=32)
    day_starts = models.TimeField(_("office hours start"), default="09:00")
    day_ends = models.TimeField(_("office hours end"), default="18:00")
    weekends_are_night = models.BooleanField(_("weekends count as out of hours"), default=True)

    class Meta:
        verbose_name = _("reporting settings")
        verbose_name_plural = _("reporting settings")
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="reportsettings_one_per_org"),
        ]

    def __str__(self) -> str:
        return f"reporting settings of {self.organization_id}"


class Report(TenantModel):
    kind = models.CharField(pgettext_lazy("reporting", "what happened"), max_length=20, choices=Kind.choices)
    happened = models.CharField(
        pgettext_lazy("reporting", "when"), max_length=20, choices=When.choices, default=When.NOT_SURE
    )
    description = models.TextField(pgettext_lazy("reporting", "details"), blank=True)
    identity = models.CharField(_("identity"), max_length=12, choices=Identity.choices)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reporter"),
    )
    reporter_name = models.CharField(_("name given"), max_length=100, blank=True)
    severity_guess = models.PositiveSmallIntegerField(
        _("how serious it seemed to the reporter"), choices=Severity.choices, default=Severity.UNKNOWN
    )
    severity = models.PositiveSmallIntegerField(
        pgettext_lazy("reporting", "severity"), choices=Severity.choices, default=Severity.UNKNOWN
    )
    status = models.CharField(
        pgettext_lazy("reporting", "status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    channel = models.CharField(_("received through"), max_length=12, choices=Channel.choices)
    created_at = models.DateTimeField(pgettext_lazy("reporting", "received"))
    acknowledged_at = models.DateTimeField(pgettext_lazy("reporting", "acknowledged"), null=True, blank=True)
    reporter_waiting = models.BooleanField(_("new message from the reporter"), default=False)
    # Escalation state: the rule that matched, the last step notified, when the next step is due.
    escalation_rule = models.ForeignKey(
        "reporting.EscalationRule",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("escalation rule"),
    )
    escalation_step = models.PositiveSmallIntegerField(_("escalation step"), default=0)
    next_escalation_at = models.DateTimeField(_("next escalation"), null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("reporting", "report")
        verbose_name_plural = pgettext_lazy("reporting", "reports")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["organization", "next_escalation_at"], name="report_escalation_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(identity="anonymous")
                | (models.Q(reporter__isnull=True) & models.Q(reporter_name="")),
                name="report_anonymous_has_no_reporter",
                violation_error_message=_("An anonymous report cannot name its reporter."),
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()}"

    @property
    def is_concern(self) -> bool:
        """Concerns about misconduct are seen by the designated handlers only."""
        return self.kind == Kind.MISCONDUCT

    @property
    def is_anonymous(self) -> bool:
        return self.identity == Identity.ANONYMOUS

    @property
    def name_is_restricted(self) -> bool:
        return self.identity == Identity.RESTRICTED or self.is_concern


class ReceiptCode(TenantModel):
    """How someone who reported through the link comes back. Only an Argon2id hash of the code (and the
    optional passphrase) is stored, with the organisation's salt, so it can be looked up but not recovered."""

    report = models.OneToOneField(
        Report,
        on_delete=models.CASCADE,
        related_name="receipt",
        verbose_name=pgettext_lazy("reporting", "report"),
    )
    code_hash = models.CharField(_("receipt code (hash)"), max_length=128, unique=True)
    has_passphrase = models.BooleanField(_("has a passphrase"), default=False)
    confirmed = models.BooleanField(_("typed back by the reporter"), default=False)
    returned = models.BooleanField(_("reporter has come back"), default=False)

    class Meta:
        verbose_name = _("receipt code")
        verbose_name_plural = _("receipt codes")

    def __str__(self) -> str:
        return f"receipt of report {self.report_id}"


class GuessCounter(models.Model):
    """Failed receipt-code attempts in a time window, keyed by a keyed hash (of the organisation and the
    first digits typed, or of the organisation alone). No address or browser detail is kept."""

    key = models.CharField(max_length=64)
    window = models.DateTimeField()
    failures = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("receipt code attempts")
        verbose_name_plural = _("receipt code attempts")
        constraints = [
            models.UniqueConstraint(fields=["key", "window"], name="guesscounter_unique_key_window")
        ]

    def __str__(self) -> str:
        return f"{self.key[:8]} {self.window:%Y-%m-%d %H:%M} {self.failures}"


class ReportMessage(TenantModel):
    class Author(models.TextChoices):
        HANDLER = "handler", _("Handler")
        REPORTER = "reporter", _("Reporter")

    report = models.ForeignKey(
        Report,
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=pgettext_lazy("reporting", "report"),
    )
    author_kind = models.CharField(pgettext_lazy("reporting", "from"), max_length=10, choices=Author.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    body = models.TextField(pgettext_lazy("reporting", "message"))
    created_at = models.DateTimeField(pgettext_lazy("reporting", "sent"))

    class Meta:
        verbose_name = pgettext_lazy("reporting", "message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.author_kind} on report {self.report_id}"


def _attachment_path(instance, filename: str) -> str:
    import secrets

    return f"reporting/{instance.organization_id}/{secrets.token_hex(16)}"


class ReportAttachment(TenantModel):
    """A screenshot or photo. The original file name is not kept (it can name a person or a computer)."""

    report = models.ForeignKey(
        Report,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=pgettext_lazy("reporting", "report"),
    )
    message = models.ForeignKey(
        ReportMessage, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(pgettext_lazy("reporting", "file"), upload_to=_attachment_path)
    content_type = models.CharField(pgettext_lazy("reporting", "type"), max_length=40)
    size = models.PositiveIntegerField(pgettext_lazy("reporting", "size"))
    metadata_removed = models.BooleanField(_("hidden details removed"), default=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"attachment {self.pk} of report {self.report_id}"


class DesignatedHandler(TenantModel):
    """A person designated to handle concerns about misconduct (公益通報対応業務従事者)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=pgettext_lazy("reporting", "person"),
    )
    designated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("designated"), auto_now_add=True)

    class Meta:
        verbose_name = _("designated handler")
        verbose_name_plural = _("designated handlers")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"],
                name="designatedhandler_unique_user",
                violation_error_message=_("This person is already designated."),
            )
        ]

    def __str__(self) -> str:
        return str(self.user)


class EscalationRule(TenantModel):
    """Which reports reach whom: kinds and a minimum severity select the rule (the first that matches, by
    position); its contacts are called step by step until someone acknowledges."""

    name = models.CharField(pgettext_lazy("reporting", "name"), max_length=100)
    position = models.PositiveSmallIntegerField(pgettext_lazy("reporting", "order"), default=10)
    kinds = models.JSONField(
        _("kinds of report"), default=list, blank=True, help_text=_("None ticked: every kind.")
    )
    min_severity = models.PositiveSmallIntegerField(
        _("from severity"), choices=Severity.choices, default=Severity.UNKNOWN
    )
    reescalate_minutes = models.PositiveIntegerField(
        _("call the next step after (minutes)"),
        default=30,
        help_text=_("When nobody has acknowledged the report by then."),
    )
    notify_chat = models.BooleanField(
        _("also post to the chat webhooks"),
        default=True,
        help_text=_("The message says only that a report arrived. Never used for concerns about misconduct."),
    )
    is_active = models.BooleanField(pgettext_lazy("reporting", "active"), default=True)

    class Meta:
        verbose_name = _("escalation rule")
        verbose_name_plural = _("escalation rules")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name

    def matches(self, *, kind: str, severity: int) -> bool:
        return self.is_active and (not self.kinds or kind in self.kinds) and severity >= self.min_severity


class EscalationContact(TenantModel):
    class Shift(models.TextChoices):
        DAY = "day", _("Office hours")
        NIGHT = "night", _("Out of hours")

    rule = models.ForeignKey(EscalationRule, on_delete=models.CASCADE, related_name="contacts")
    step = models.PositiveSmallIntegerField(pgettext_lazy("reporting", "step"), default=1)
    shift = models.CharField(pgettext_lazy("reporting", "when"), max_length=10, choices=Shift.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=pgettext_lazy("reporting", "person"),
    )

    class Meta:
        verbose_name = _("escalation contact")
        verbose_name_plural = _("escalation contacts")
        ordering = ["step", "shift", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "step", "shift", "user"], name="escalationcontact_unique")
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} step {self.step} {self.shift}: {self.user_id}"


class EscalationNotice(TenantModel):
    """A record that a step was notified (who and when), for the report's page and the tests."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="notices")
    step = models.PositiveSmallIntegerField(pgettext_lazy("reporting", "step"))
    shift = models.CharField(
        pgettext_lazy("reporting", "when"), max_length=10, choices=EscalationContact.Shift.choices
    )
    recipient_ids = models.JSONField(_("people notified"), default=list, blank=True)
    chat = models.BooleanField(default=False)
    created_at = models.DateTimeField(pgettext_lazy("reporting", "sent"))

    class Meta:
        verbose_name = _("escalation notice")
        verbose_name_plural = _("escalation notices")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"report {self.report_id} step {self.step}"


class Acknowledgement(TenantModel):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="acknowledgements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(pgettext_lazy("reporting", "acknowledged"))

    class Meta:
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["report", "user"], name="acknowledgement_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} acknowledged {self.report_id}"
