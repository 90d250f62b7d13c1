"""Company profile, assessment runs and their answers.

An answer belongs to one assessment and names the catalog item it answers: a question id in a quick
check, a control id (with the control's version) in a full assessment. A completed assessment stores its
results (`result`) so that history, comparison and reports read one row and never change when the
catalog is updated later.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ippo.core.models import TenantModel


class Industry(models.TextChoices):
    MANUFACTURING = "manufacturing", _("Manufacturing")
    CONSTRUCTION = "construction", _("Construction and real estate")
    WHOLESALE_RETAIL = "wholesale_retail", _("Wholesale and retail")
    SERVICES = "services", _("Professional services (accounting, legal, consulting)")
    IT = "it", _("IT and software")
    HEALTHCARE = "healthcare", _("Healthcare and welfare")
    HOSPITALITY = "hospitality", _("Restaurants, hotels and tourism")
    LOGISTICS = "logistics", _("Transport and logistics")
    EDUCATION = "education", _("Education and learning support")
    OTHER = "other", _("Other")


class Headcount(models.TextChoices):
    UP_TO_5 = "1-5", _("1–5 people")
    UP_TO_20 = "6-20", _("6–20 people")
    UP_TO_50 = "21-50", _("21–50 people")
    UP_TO_100 = "51-100", _("51–100 people")
    UP_TO_300 = "101-300", _("101–300 people")
    MORE = "301+", _("301 people or more")


class ITUse(models.TextChoices):
    """What the company uses; these are the catalog's `applies_to` tags."""

    M365 = "m365", _("Microsoft 365 (Outlook, Teams, OneDrive …)")
    GOOGLE = "google", _("Google Workspace (Gmail, Google Drive …)")
    ONPREM_SERVER = "onprem_server", _("A server or NAS in the office")
    WEBSITE = "website", _("A company website")
    ONLINE_SHOP = "online_shop", _("An online shop")
    REMOTE_WORK = "remote_work", _("Working from home or on the road")
    OUTSOURCED_IT = "outsourced_it", _("An outside company looks after our IT")


class CompanyProfile(TenantModel):
    """The answers of the first-run wizard (はじめの一歩). One per organisation."""

    industry = models.CharField(_("industry"), max_length=30, choices=Industry.choices, blank=True)
    headcount = models.CharField(
        _("number of employees"), max_length=10, choices=Headcount.choices, blank=True
    )
    it_uses = models.JSONField(_("IT the company uses"), default=list, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("company profile")
        verbose_name_plural = _("company profiles")
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                name="companyprofile_one_per_org",
                violation_error_message=_("This organisation already has a company profile."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization}: {self.industry or '-'} / {self.headcount or '-'}"


class Assessment(TenantModel):
    class Kind(models.TextChoices):
        QUICK = "quick", _("Quick check")
        FULL = "full", _("Full assessment")

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("assessment status", "In progress")
        COMPLETED = "completed", pgettext_lazy("assessment status", "Completed")

    class Source(models.TextChoices):
        WEB = "web", _("Answered in ippo")
        ANONYMOUS = "anonymous", _("Answered before signing up")
        IMPORT = "import", _("Imported from a file")
        DEMO = "demo", _("Demo data")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.WEB)
    catalog_version = models.CharField(_("catalog version"), max_length=20)
    it_uses = models.JSONField(_("IT the company used"), default=list, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("completed by"),
    )
    # Stored at completion by services.assessment_complete (see results.py for the shape).
    result = models.JSONField(_("result"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["organization", "status", "completed_at"], name="assessment_org_status")
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | models.Q(completed_at__isnull=False, result__isnull=False),
                name="assessment_completed_has_result",
                violation_error_message=_("A completed assessment needs a completion time and a result."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def date(self):
        return self.completed_at or self.created_at


class Answer(TenantModel):
    class Value(models.TextChoices):
        YES = "yes", pgettext_lazy("answer", "Yes")
        PARTIAL = "partial", pgettext_lazy("answer", "Partly")
        NO = "no", pgettext_lazy("answer", "No")
        UNKNOWN = "unknown", pgettext_lazy("answer", "Don't know")

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="answers", verbose_name=_("self-assessment")
    )
    item_id = models.CharField(_("question or control"), max_length=60)
    control_version = models.PositiveSmallIntegerField(_("control version"), null=True, blank=True)
    value = models.CharField(_("answer"), max_length=10, choices=Value.choices)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    evidence_url = models.URLField(_("evidence link"), blank=True, max_length=500)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "item_id"],
                name="answer_one_per_item",
                violation_error_message=_("This question already has an answer in this assessment."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.value}"


class SectionAssignment(TenantModel):
    """Who answers one section (a NIST CSF function) of a full assessment."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("self-assessment")
    )
    section = models.CharField(_("section"), max_length=2)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("assigned to")
    )
    assigned_at = models.DateTimeField(_("assigned"), auto_now=True)

    class Meta:
        verbose_name = _("section assignment")
        verbose_name_plural = _("section assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "section"],
                name="sectionassignment_one_per_section",
                violation_error_message=_("This section is already assigned."),
            )
        ]
