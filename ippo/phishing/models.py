"""Phishing drills (標的型メール訓練): sending profiles, drills, recipients and their tracking events.

What is stored about a person, on purpose, is only *that* something happened and *when*: the event type
and its time. Never an IP address, a user agent, a location or anything typed into a landing page.
Recipient tokens are 128-bit random values that exist only in the e-mail; the database keeps their
SHA-256, so a copy of the database cannot be used to forge events. Per-person events are deleted after the
retention period (`Drill.purged_at`); the drill's aggregate figures (`Drill.summary`) stay.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ippo.core.models import TenantModel


class SendingProfile(TenantModel):
    """An SMTP server drills are sent through. The password is encrypted at rest (ippo.lib.crypto) and never
    shown again; `password_hint` is empty or "••••" so forms can say that one is stored."""

    class Security(models.TextChoices):
        STARTTLS = "starttls", _("STARTTLS (usually port 587)")
        TLS = "tls", _("TLS from the start (usually port 465)")
        NONE = "none", _("None (only for a mail server on this machine or a test server)")

    name = models.CharField(_("name"), max_length=100)
    host = models.CharField(_("SMTP server"), max_length=255)
    port = models.PositiveIntegerField(_("port"), default=587)
    security = models.CharField(
        _("encryption"), max_length=10, choices=Security.choices, default=Security.STARTTLS
    )
    username = models.CharField(_("user name"), max_length=255, blank=True)
    password_encrypted = models.TextField(_("password (encrypted)"), blank=True)
    from_address = models.EmailField(
        _("sender address"),
        help_text=_(
            "The address drills are sent from. Use a dedicated drill domain, or your own mail server."
        ),
    )
    messages_per_minute = models.PositiveIntegerField(
        _("messages per minute"),
        default=30,
        help_text=_("Sending is spread out so your mail server and the recipients' filters are not flooded."),
    )
    # The last SPF/DKIM/DMARC check of the sender domain: {"checked_at": iso, "results": [...]}.
    domain_check = models.JSONField(_("sender domain check"), default=dict, blank=True)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("sending profile")
        verbose_name_plural = _("sending profiles")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_password(self) -> str:
        """The decrypted password, for sending only; never display it."""
        from ippo.lib.crypto import decrypt

        return decrypt(self.password_encrypted) if self.password_encrypted else ""


class DrillProgramme(TenantModel):
    """A recurring drill: every `every_months` a new Drill is created from this programme by the clock."""

    name = models.CharField(_("name"), max_length=200)
    every_months = models.PositiveSmallIntegerField(_("every (months)"), default=3)
    # Template ids to draw from; one is picked at random per recipient when `random_template` is set.
    template_ids = models.JSONField(_("templates"), default=list)
    random_template = models.BooleanField(_("a random template for each person"), default=True)
    departments = models.ManyToManyField(
        "people.Department", blank=True, verbose_name=_("departments"), help_text=_("Empty means everyone.")
    )
    profile = models.ForeignKey(SendingProfile, on_delete=models.PROTECT, verbose_name=_("sending profile"))
    next_run_on = models.DateField(_("next drill on"))
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("recurring drill")
        verbose_name_plural = _("recurring drills")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Drill(TenantModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        RUNNING = "running", _("Sent, collecting results")
        FINISHED = "finished", _("Finished")
        CANCELLED = "cancelled", _("Cancelled")

    class Landing(models.TextChoices):
        TEACHING = "teaching", _("Show the teaching page at once")
        FORM = "form", _("Show a practice sign-in form first, then the teaching page")

    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    programme = models.ForeignKey(
        DrillProgramme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="drills",
        verbose_name=_("recurring drill"),
    )
    # Who the drill is for, saved by the wizard's first step: {"mode": "everyone" | "departments" | "people",
    # "departments": [id, ...], "employees": [id, ...]}. Recipients are created from it when the drill is
    # scheduled (people who left by then, or have no mailbox, are skipped).
    audience = models.JSONField(_("audience"), default=dict, blank=True)
    # One template for everyone, or (random_template) one drawn per recipient from template_ids.
    template_ids = models.JSONField(_("templates"), default=list)
    random_template = models.BooleanField(_("a random template for each person"), default=False)
    landing = models.CharField(
        _("landing page"), max_length=20, choices=Landing.choices, default=Landing.TEACHING
    )
    profile = models.ForeignKey(
        SendingProfile, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("sending profile")
    )
    window_start = models.DateTimeField(_("send from"), null=True, blank=True)
    window_end = models.DateTimeField(_("send by"), null=True, blank=True)
    business_hours_only = models.BooleanField(
        _("only during business hours"),
        default=True,
        help_text=_(
            "Weekdays 9:00–18:00 Japan time, skipping Japanese public holidays and the New Year break."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("sending started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Per-person events are deleted after the retention period; these aggregate figures stay.
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    purged_at = models.DateTimeField(_("personal results deleted"), null=True, blank=True)

    class Meta:
        verbose_name = _("phishing drill")
        verbose_name_plural = _("phishing drills")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name


class Recipient(TenantModel):
    """One person in one drill. The `*_at` fields are the first time each thing happened (denormalised from
    the events for fast result pages); `DrillEvent` keeps every occurrence until the retention purge."""

    drill = models.ForeignKey(
        Drill, on_delete=models.CASCADE, related_name="recipients", verbose_name=_("drill")
    )
    employee = models.ForeignKey(
        "people.Employee",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="drill_recipients",
        verbose_name=_("employee"),
    )
    # Snapshots at scheduling time, so results by department survive later changes and the purge.
    department_name = models.CharField(_("department"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    template_id = models.CharField(_("template"), max_length=100)
    language = models.CharField(_("language"), max_length=8, default="ja")
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    send_after = models.DateTimeField(_("send after"), null=True, blank=True)
    # Set by the one worker that claims this recipient (conditional UPDATE) before sending, so nobody is
    # sent twice; also what the per-profile messages-per-minute throttle counts.
    claimed_at = models.DateTimeField(_("picked up for sending"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    send_error = models.CharField(_("sending error"), max_length=300, blank=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    clicked_at = models.DateTimeField(_("clicked"), null=True, blank=True)
    # A click confirmed by an action on the page (not a link scanner).
    verified_click_at = models.DateTimeField(_("click confirmed"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted the form"), null=True, blank=True)
    reported_at = models.DateTimeField(_("reported"), null=True, blank=True)

    class Meta:
        verbose_name = _("drill recipient")
        verbose_name_plural = _("drill recipients")
        ordering = ["pk"]
        indexes = [models.Index(fields=["drill", "sent_at"], name="recipient_drill_sent_idx")]

    def __str__(self) -> str:
        return self.email or str(self.pk)


class DrillEvent(TenantModel):
    """That something happened, and when. Nothing else about the request is ever stored."""

    class Kind(models.TextChoices):
        SENT = "sent", _("Sent")
        OPENED = "opened", _("Opened")
        CLICKED = "clicked", _("Clicked the link")
        CLICK_CONFIRMED = "click_confirmed", _("Click confirmed on the page")
        SUBMITTED = "submitted", _("Submitted the practice form")
        REPORTED = "reported", _("Reported")

    recipient = models.ForeignKey(Recipient, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("time"))
    # Set on clicks that look automatic: within seconds of delivery, or never followed by a human action.
    likely_scanner = models.BooleanField(_("probably a link scanner"), default=False)

    class Meta:
        verbose_name = _("drill event")
        verbose_name_plural = _("drill events")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["recipient", "kind"], name="drillevent_recipient_kind_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"
