"""The organisation's information security policy and internal rules, with their versions.

A `Policy` is one document (the basic policy or a rule), written in one language. Its text lives in
`PolicyVersion` rows numbered 1, 2, 3 …: at most one draft (being edited) and at most one approved (in
force) at a time; approving a draft supersedes the approved one. Approved and superseded versions never
change. A version's text is a list of sections, `[{"heading": str, "paragraphs": [str, ...]}, ...]`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ippo.core.models import TenantModel

# Limits shared by the edit form and the services.
MAX_SECTIONS = 30
MAX_HEADING = 200
MAX_SECTION_TEXT = 5000
MAX_TITLE = 200
MAX_NOTE = 500
MAX_REPORT_CONTACT = 200


class PolicySettings(TenantModel):
    """What the templates ask the organisation, kept for the next generation. One per organisation."""

    report_contact = models.CharField(
        _("who to report to"),
        max_length=MAX_REPORT_CONTACT,
        help_text=_("A person or team and how to reach them. It is written into the documents."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("policy settings")
        verbose_name_plural = _("policy settings")
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                name="policysettings_one_per_org",
                violation_error_message=_("This organisation already has policy settings."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization}: {self.report_contact}"


class Policy(TenantModel):
    class Kind(models.TextChoices):
        POLICY = "policy", _("Basic policy")
        RULE = "rule", _("Internal rule")

    template_id = models.CharField(
        _("template"), max_length=60, blank=True, help_text=_("Empty for a document written from scratch.")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.RULE)
    # The title of the latest version, kept here for lists; each version keeps its own.
    title = models.CharField(_("title"), max_length=MAX_TITLE)
    language = models.CharField(_("language of the document"), max_length=8, choices=settings.LANGUAGES)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "template_id"],
                condition=~models.Q(template_id=""),
                name="policy_one_per_template",
                violation_error_message=_("This organisation already has a document from this template."),
            )
        ]

    def __str__(self) -> str:
        return self.title


class PolicyVersion(TenantModel):
    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("policy status", "Draft")
        APPROVED = "approved", pgettext_lazy("policy status", "Approved")
        SUPERSEDED = "superseded", pgettext_lazy("policy status", "Superseded")

    policy = models.ForeignKey(
        Policy, on_delete=models.CASCADE, related_name="versions", verbose_name=_("policy")
    )
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=MAX_TITLE)
    sections = models.JSONField(_("text"), default=list)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    note = models.CharField(_("what changed"), max_length=MAX_NOTE, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    # The name of the approver when they approved, so the record survives a renamed or deleted account.
    approved_by_name = models.CharField(_("approved by"), max_length=150, blank=True)
    # The date written for {effective_date}: the approval date in the approver's time zone.
    effective_date = models.DateField(_("in force from"), null=True, blank=True)

    class Meta:
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        ordering = ["policy_id", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "number"],
                name="policyversion_unique_number",
                violation_error_message=_("This version number already exists for the document."),
            ),
            models.UniqueConstraint(
                fields=["policy"],
                condition=models.Q(status="draft"),
                name="policyversion_one_draft",
                violation_error_message=_("The document already has a draft."),
            ),
            models.UniqueConstraint(
                fields=["policy"],
                condition=models.Q(status="approved"),
                name="policyversion_one_approved",
                violation_error_message=_("The document already has an approved version."),
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | models.Q(approved_at__isnull=False, effective_date__isnull=False),
                name="policyversion_approved_has_date",
                violation_error_message=_("An approved version needs an approval date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED
