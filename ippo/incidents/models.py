"""Incidents: cases with severity, a status workflow, a typed timeline, playbook tasks and deadline clocks;
the external contacts directory; the organisation's clock settings.

Times are stored in UTC. Deadlines under Japan's personal-information law (APPI) count from `aware_at`, the
moment the company became aware, never from triage. The arithmetic lives in `services.py`.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ippo.core.models import TenantModel


class Severity(models.IntegerChoices):
    SEV1 = 1, _("SEV1 – critical")
    SEV2 = 2, _("SEV2 – high")
    SEV3 = 3, _("SEV3 – medium")
    SEV4 = 4, _("SEV4 – low")
    SEV5 = 5, _("SEV5 – minimal")


SEVERITY_HELP = {
    1: _(
        "Work has stopped or customer data has clearly got out, e.g. ransomware on the file server. Call the owner now."
    ),
    2: _(
        "Serious harm is likely soon, e.g. a password was stolen and the account is being misused, or money was sent to a fraudster."
    ),
    3: _(
        "Something went wrong but is contained to one person or device, e.g. a lost phone with a screen lock, or a mail sent to the wrong customer."
    ),
    4: _("Little harm, e.g. a virus warning where the software already blocked the file."),
    5: _("No harm, but worth recording: a near miss or a suspicious mail nobody acted on."),
}

# Targets from the moment the company became aware: (acknowledge, contain). None: no target.
SLA_HOURS: dict[int, tuple[int, int | None]] = {
    1: (1, 4),
    2: (4, 24),
    3: (24, 72),
    4: (72, 168),
    5: (168, None),
}


class Status(models.TextChoices):
    NEW = "new", pgettext_lazy("incident status", "New")
    TRIAGE = "triage", pgettext_lazy("incident status", "Triage")
    CONTAINMENT = "containment", pgettext_lazy("incident status", "Containment")
    RECOVERY = "recovery", pgettext_lazy("incident status", "Recovery")
    REVIEW = "review", pgettext_lazy("incident status", "Review")
    CLOSED = "closed", pgettext_lazy("incident status", "Closed")


STATUS_HELP = {
    Status.NEW: _("Reported, nobody has looked at it yet."),
    Status.TRIAGE: _("Someone is finding out what happened and how bad it is."),
    Status.CONTAINMENT: _(
        "Stopping the harm from spreading: disconnecting, changing passwords, stopping payments."
    ),
    Status.RECOVERY: _("The harm is stopped; getting back to normal work."),
    Status.REVIEW: _("Looking back: what happened, what went well, what to improve."),
    Status.CLOSED: _("Finished."),
}

# Where each status may go next. Skipping ahead is allowed where it makes sense (a near miss or a false
# alarm goes from triage to review or closed); a closed incident can be reopened.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.NEW: (Status.TRIAGE, Status.CLOSED),
    Status.TRIAGE: (Status.CONTAINMENT, Status.REVIEW, Status.CLOSED),
    Status.CONTAINMENT: (Status.RECOVERY, Status.TRIAGE),
    Status.RECOVERY: (Status.REVIEW, Status.CONTAINMENT),
    Status.REVIEW: (Status.CLOSED, Status.RECOVERY),
    Status.CLOSED: (Status.TRIAGE,),
}


class Kind(models.TextChoices):
    """Each kind except "other" has a playbook with the same id (data/playbooks/<id>.yaml)."""

    PHISHING_CLICK = "phishing-click", _("Clicked a phishing link or entered a password")
    BEC = "invoice-fraud", _("Invoice fraud (fake payment request)")
    RANSOMWARE = "ransomware", _("Ransomware")
    LOST_DEVICE = "lost-device", _("Lost or stolen device")
    MISDIRECTED = "misdirected-email", _("E-mail sent to the wrong person")
    ACCOUNT_TAKEOVER = "account-takeover", _("Account taken over")
    WEBSITE = "website-tampering", _("Website tampered with")
    MALWARE = "malware-alert", _("Virus or malware warning")
    OTHER = "other", _("Other")


class Incident(TenantModel):
    number = models.PositiveIntegerField(_("number"), editable=False)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("what happened"), max_length=30, choices=Kind.choices, default=Kind.OTHER)
    severity = models.PositiveSmallIntegerField(
        _("severity"),
        choices=Severity.choices,
        default=Severity.SEV3,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    near_miss = models.BooleanField(
        _("near miss"),
        default=False,
        help_text=_(
            "Nothing was harmed this time, but it nearly went wrong (ヒヤリハット). Worth recording all the same."
        ),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person responsible"),
    )
    assets = models.ManyToManyField(
        "registers.Asset", blank=True, related_name="incidents", verbose_name=_("affected assets")
    )
    aware_at = models.DateTimeField(
        _("company became aware"),
        default=timezone.now,
        help_text=_(
            "When anyone in the company first knew about it, usually the time it was reported. "
            "Legal deadlines count from this moment, not from when someone started looking into it."
        ),
    )
    occurred_at = models.DateTimeField(_("when it happened"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    contained_at = models.DateTimeField(_("contained"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # When the clock warned that a response target was missed (claimed with a conditional UPDATE).
    sla_ack_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    sla_contain_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    playbook_applied = models.CharField(_("playbook used"), max_length=40, blank=True)
    report = models.OneToOneField(
        "reporting.Report",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="incident",
        verbose_name=_("report from an employee"),
    )

    # Personal data (APPI). The four cases in which a report to the PPC is required.
    personal_data = models.BooleanField(_("personal data involved"), default=False)
    appi_sensitive = models.BooleanField(_("sensitive personal data (要配慮個人情報)"), default=False)
    appi_financial = models.BooleanField(_("data that could be used for financial harm"), default=False)
    appi_malicious = models.BooleanField(
        _("possibly caused on purpose (unauthorised access, theft)"), default=False
    )
    appi_over_1000 = models.BooleanField(_("more than 1,000 people"), default=False)
    appi_encrypted = models.BooleanField(_("the data was protected by strong encryption"), default=False)
    people_affected = models.PositiveIntegerField(_("number of people affected"), null=True, blank=True)
    data_kinds = models.TextField(_("kinds of personal data"), blank=True, max_length=2000)
    cause = models.TextField(_("cause"), blank=True, max_length=3000)
    secondary_harm = models.TextField(_("secondary harm, or the risk of it"), blank=True, max_length=2000)
    measures = models.TextField(
        _("measures taken and to prevent it happening again"), blank=True, max_length=3000
    )
    notice_to_individuals = models.TextField(_("notice to the people affected"), blank=True, max_length=2000)
    publication = models.TextField(_("public announcement"), blank=True, max_length=2000)

    # The review after the incident.
    review_what_happened = models.TextField(_("what happened"), blank=True, max_length=5000)
    review_went_well = models.TextField(_("what went well"), blank=True, max_length=3000)
    review_to_improve = models.TextField(_("what to improve"), blank=True, max_length=3000)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_actions = models.ManyToManyField(
        "program.ActionItem", blank=True, related_name="+", verbose_name=_("action items from the review")
    )

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-aware_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number"],
                name="incident_unique_number_per_org",
                violation_error_message=_("An incident with this number already exists."),
            ),
            models.CheckConstraint(
                condition=models.Q(severity__range=(1, 5)),
                name="incident_severity_1_to_5",
                violation_error_message=_("Severity must be from 1 to 5."),
            ),
        ]
        indexes = [models.Index(fields=["organization", "status"], name="incident_org_status")]

    def __str__(self) -> str:
        return f"#{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status != Status.CLOSED

    @property
    def appi_reportable(self) -> bool:
        """A report to the PPC is required: personal data, not strongly encrypted, and one of the four cases."""
        cases = self.appi_sensitive or self.appi_financial or self.appi_malicious or self.appi_over_1000
        return self.personal_data and cases and not self.appi_encrypted

    @property
    def appi_final_days(self) -> int:
        return 60 if self.appi_malicious else 30

    @property
    def severity_help(self) -> str:
        return str(SEVERITY_HELP[self.severity])

    def next_statuses(self) -> list[tuple[str, str]]:
        return [(s, Status(s).label) for s in TRANSITIONS[self.status]]

    def sla(self) -> list[dict]:
        """The acknowledge and contain targets for this severity, each with its due time and whether it was met."""
        ack_hours, contain_hours = SLA_HOURS[self.severity]
        rows = [
            {
                "label": _("Acknowledge"),
                "due": self.aware_at + timedelta(hours=ack_hours),
                "hours": ack_hours,
                "done": self.acknowledged_at,
            }
        ]
        if contain_hours is not None:
            rows.append(
                {
                    "label": _("Contain"),
                    "due": self.aware_at + timedelta(hours=contain_hours),
                    "hours": contain_hours,
                    "done": self.contained_at,
                }
            )
        now = timezone.now()
        for row in rows:
            if row["done"]:
                row["state"] = "met" if row["done"] <= row["due"] else "late"
            else:
                row["state"] = "overdue" if now > row["due"] else "running"
        return rows


class IncidentTask(TenantModel):
    """A checklist item: from a playbook's first-hour steps (`step` set, text read from the playbook in the
    reader's language) or typed by a handler (`title`)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="tasks")
    step = models.CharField(_("playbook step"), max_length=80, blank=True, editable=False)
    title = models.CharField(_("task"), max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person responsible"),
    )
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("incident task")
        verbose_name_plural = _("incident tasks")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "step"],
                condition=~models.Q(step=""),
                name="incidenttask_step_once",
                violation_error_message=_("This playbook step is already on the checklist."),
            )
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        if self.title:
            return self.title
        from ippo.incidents.playbooks import step_text

        return step_text(self.step)

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class EntryKind(models.TextChoices):
    OBSERVATION = "observation", _("Observation")
    ACTION = "action", _("Action")
    DECISION = "decision", _("Decision")
    COMMUNICATION = "communication", _("Communication")
    EVIDENCE = "evidence", _("Evidence kept")


class IncidentEntry(TenantModel):
    """One line of the timeline: what was seen, done, decided, told to whom, or kept as evidence, and when."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(
        _("type"), max_length=20, choices=EntryKind.choices, default=EntryKind.OBSERVATION
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    text = models.TextField(_("what"), max_length=3000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class ClockKind(models.TextChoices):
    APPI_PRELIMINARY = "appi_preliminary", _("Preliminary report to the PPC (速報)")
    APPI_FINAL = "appi_final", _("Final report to the PPC (確報)")
    CONTRACT = "contract", _("Notice under a contract (customer or client)")
    INSURER = "insurer", _("Notice to the cyber insurer")
    PARTNER = "partner", _("Notice to business partners")
    POLICE = "police", _("Report to the police")
    OTHER = "other", _("Other deadline")


APPI_KINDS = (ClockKind.APPI_PRELIMINARY, ClockKind.APPI_FINAL)


class IncidentClock(TenantModel):
    """A deadline counted from the moment the company became aware."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="clocks")
    kind = models.CharField(_("deadline"), max_length=20, choices=ClockKind.choices)
    label = models.CharField(_("note"), max_length=200, blank=True)
    due_at = models.DateTimeField(_("due"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    overdue_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "kind"],
                condition=models.Q(kind__in=["appi_preliminary", "appi_final"]),
                name="incidentclock_appi_once",
                violation_error_message=_("This deadline is already running."),
            )
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    def state(self, now=None) -> str:
        now = now or timezone.now()
        if self.done_at:
            return "done"
        if self.due_at < now:
            return "overdue"
        if self.due_at - now <= timedelta(days=1):
            return "soon"
        return "running"


class IncidentSettings(TenantModel):
    """The organisation's deadlines: how soon a preliminary report is due, and the usual notice periods in
    its contracts and insurance policy. One row per organisation."""

    appi_preliminary_days = models.PositiveSmallIntegerField(
        _("days for the preliminary report to the PPC"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_(
            "The guidance asks for it promptly, in practice within 3 to 5 days of becoming aware. 3 leaves a margin."
        ),
    )
    contract_hours = models.PositiveIntegerField(
        _("hours to notify customers under your contracts"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(24 * 90)],
        help_text=_(
            "Look for an “incident notification” clause in your main contracts. Leave empty if there is none."
        ),
    )
    insurer_hours = models.PositiveIntegerField(
        _("hours to notify the cyber insurer"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(24 * 90)],
        help_text=_(
            "Your insurance policy says how soon to report an accident. Leave empty if you have no cyber insurance."
        ),
    )
    partner_hours = models.PositiveIntegerField(
        _("hours to notify business partners"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(24 * 90)],
        help_text=_(
            "For example a supply-chain agreement with a large customer. Leave empty if there is none."
        ),
    )
    contacts_seeded_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("incident deadlines")
        verbose_name_plural = _("incident deadlines")
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                name="incidentsettings_one_per_org",
                violation_error_message=_("This organisation already has deadline settings."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization}: {self.appi_preliminary_days}"


class ContactKind(models.TextChoices):
    IPA = "ipa", _("IPA (technical advice)")
    JPCERT = "jpcert", _("JPCERT/CC (incident reports)")
    POLICE = "police", _("Police (cybercrime consultation)")
    PPC = "ppc", _("Personal Information Protection Commission")
    INSURER = "insurer", _("Cyber insurer")
    IT_VENDOR = "it_vendor", _("IT vendor")
    LAWYER = "lawyer", _("Lawyer")
    OTHER = "other", _("Other")


class ExternalContact(TenantModel):
    """Someone outside the company to call. Public contact points are filled in from `contacts.py` with an
    empty `name` and `notes`, shown in the reader's language until someone edits them."""

    kind = models.CharField(_("type"), max_length=20, choices=ContactKind.choices, default=ContactKind.OTHER)
    seed_key = models.CharField(max_length=40, blank=True, editable=False)
    name = models.CharField(_("name"), max_length=200, blank=True)
    person = models.CharField(_("contact person"), max_length=100, blank=True)
    url = models.URLField(_("web address"), blank=True, max_length=300)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    notes = models.TextField(_("when to call them"), blank=True, max_length=2000)
    position = models.PositiveIntegerField(default=100)

    class Meta:
        verbose_name = _("external contact")
        verbose_name_plural = _("external contacts")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "seed_key"],
                condition=~models.Q(seed_key=""),
                name="externalcontact_seed_once",
                violation_error_message=_("This contact point is already in the directory."),
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.name:
            return self.name
        from ippo.incidents.contacts import seed_text

        return seed_text(self.seed_key, "name") or self.get_kind_display()

    @property
    def display_notes(self) -> str:
        if self.notes:
            return self.notes
        from ippo.incidents.contacts import seed_text

        return seed_text(self.seed_key, "notes")
