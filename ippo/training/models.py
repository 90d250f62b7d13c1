"""Training: who must take which lesson by when, what they scored, and how they signed in.

Built-in lessons live in data files (``content.py``); an organisation's own lessons are CustomModule rows.
An Assignment names its lesson by ``module_id``: a built-in id such as ``phishing-bec``, or
``custom-<pk>`` for a CustomModule (then ``custom_module`` points at it as well).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ippo.core.models import TenantModel
from ippo.people.models import Employee

CUSTOM_PREFIX = "custom-"


class CustomModule(TenantModel):
    """A lesson the organisation writes itself, in Markdown, with its own quiz (see ``quiz_parse``)."""

    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = models.TextField(
        _("lesson text (Markdown)"),
        help_text=_("Headings start with #, lists with -. Links and pictures from other sites are not shown."),
    )
    quiz = models.TextField(
        _("quiz"),
        help_text=_(
            "One question per block, blocks separated by an empty line. The question starts with “?”, "
            "wrong answers with “-”, the right answer with “*”, and the explanation with “>”."
        ),
    )
    minutes = models.PositiveSmallIntegerField(_("minutes to read"), default=5)
    pass_mark = models.PositiveSmallIntegerField(_("pass mark (%)"), default=80)
    is_active = models.BooleanField(_("can be assigned"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("own training module")
        verbose_name_plural = _("own training modules")
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def module_id(self) -> str:
        return f"{CUSTOM_PREFIX}{self.pk}"


class Reason(models.TextChoices):
    YEARLY = "yearly", _("Yearly training")
    NEW_HIRE = "new_hire", _("New staff")
    DRILL = "drill", _("Follow-up after a drill")
    MANUAL = "manual", _("Assigned by hand")


class GroupSession(TenantModel):
    """A lesson given to a group in person (集合研修), e.g. for staff without a company mailbox."""

    held_on = models.DateField(_("date held"))
    module_id = models.CharField(_("training module"), max_length=100)
    custom_module = models.ForeignKey(CustomModule, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    facilitator = models.CharField(_("led by"), max_length=100)
    notes = models.TextField(_("notes"), blank=True)
    attendees = models.ManyToManyField(Employee, related_name="+", blank=True, verbose_name=_("attendance"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("group session")
        verbose_name_plural = _("group sessions")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.module_id}"


class Assignment(TenantModel):
    class Via(models.TextChoices):
        QUIZ = "quiz", _("Online quiz")
        SESSION = "session", _("Group session")

    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="training_assignments", verbose_name=_("employee")
    )
    module_id = models.CharField(_("training module"), max_length=100)
    custom_module = models.ForeignKey(
        CustomModule, on_delete=models.CASCADE, null=True, blank=True, related_name="assignments"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices, default=Reason.MANUAL)
    # Set when a rule created the row ("yearly:2026:passwords-mfa"): the unique key makes rules idempotent.
    rule_key = models.CharField(max_length=150, blank=True)
    due_on = models.DateField(_("due date"))
    assigned_at = models.DateTimeField(_("assigned"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completed_via = models.CharField(_("completed through"), max_length=10, choices=Via.choices, blank=True)
    group_session = models.ForeignKey(
        GroupSession, on_delete=models.SET_NULL, null=True, blank=True, related_name="assignments"
    )
    score = models.PositiveSmallIntegerField(_("score (%)"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(pgettext_lazy("quiz", "attempts"), default=0)
    certificate_code = models.CharField(_("certificate number"), max_length=20, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    # Notice claims (conditional UPDATE from NULL), so no notice or reminder is sent twice.
    announced_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("training assignment")
        verbose_name_plural = _("training assignments")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["organization", "completed_at", "due_on"], name="assignment_org_open_due")]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "employee", "rule_key"],
                condition=~Q(rule_key=""),
                name="assignment_unique_rule_key",
                violation_error_message=_("This rule has already assigned this lesson to this person."),
            ),
            models.UniqueConstraint(
                fields=["organization", "certificate_code"],
                condition=~Q(certificate_code=""),
                name="assignment_unique_certificate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id}: {self.module_id}"

    @property
    def is_open(self) -> bool:
        return self.completed_at is None and self.cancelled_at is None

    def is_overdue(self, today) -> bool:
        return self.is_open and self.due_on < today


class QuizAttempt(TenantModel):
    """One submitted quiz: the answers kept for "which questions confuse people", never for judging them."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="quiz_attempts")
    submitted_at = models.DateTimeField(_("submitted"))
    score = models.PositiveSmallIntegerField(_("score (%)"))
    passed = models.BooleanField(_("passed"))
    answers = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        ordering = ["-submitted_at"]


class AssignmentRule(TenantModel):
    class Kind(models.TextChoices):
        YEARLY = "yearly", _("Everyone, once a year")
        NEW_HIRE = "new_hire", _("New staff, soon after joining")
        DRILL = "drill", _("People who clicked in a drill")

    kind = models.CharField(_("who"), max_length=20, choices=Kind.choices)
    module_id = models.CharField(_("training module"), max_length=100)
    month = models.PositiveSmallIntegerField(
        _("month"), null=True, blank=True, help_text=_("Yearly rules: the month the lesson is assigned.")
    )
    days = models.PositiveSmallIntegerField(
        _("days to complete"), default=30, help_text=_("How many days people have to finish the lesson.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")
        ordering = ["kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(month__isnull=True) | Q(month__gte=1, month__lte=12),
                name="assignmentrule_month_range",
                violation_error_message=_("Choose a month from 1 to 12."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.module_id}"


class SignInLink(TenantModel):
    """A one-time sign-in link e-mailed to one employee. Only the token's SHA-256 hash is stored."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    assignment = models.ForeignKey(Assignment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("sent"))
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in link")
        verbose_name_plural = _("sign-in links")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"link for employee {self.employee_id}"


class AwarenessEvidence(TenantModel):
    """Marks that this year's "most staff completed training" evidence was added to the awareness-training
    control. The unique row is the claim: two clocks running at once add the evidence only once."""

    year = models.PositiveSmallIntegerField()
    evidence_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="awarenessevidence_unique_year")]
