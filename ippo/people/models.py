"""The employee directory: everyone training and drills are for, with or without an ippo account.

An Employee is not a Membership. Memberships are the people who sign in to work on the programme;
employees are everyone on the payroll, including staff without a mailbox (recorded through group
sessions). An employee who signs in (one-time e-mail link or SSO) gets `user` linked.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ippo.core.models import TenantModel


class Department(TenantModel):
    name = models.CharField(_("department"), max_length=100)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "organization",
                Lower("name"),
                name="department_unique_name_per_org",
                violation_error_message=_("A department with this name already exists."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Employee(TenantModel):
    class EmploymentType(models.TextChoices):
        FULL_TIME = "full_time", _("Full-time employee")
        CONTRACT = "contract", _("Contract employee")
        PART_TIME = "part_time", _("Part-time employee")
        DISPATCHED = "dispatched", _("Agency (dispatched) worker")
        EXECUTIVE = "executive", _("Executive / director")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=100)
    email = models.EmailField(
        _("e-mail address"),
        blank=True,
        help_text=_(
            "Leave empty for staff without a company mailbox; record their training through group sessions."
        ),
    )
    employee_number = models.CharField(_("employee number"), max_length=50, blank=True)
    department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="employees",
        verbose_name=_("department"),
    )
    employment_type = models.CharField(
        _("employment type"), max_length=20, choices=EmploymentType.choices, default=EmploymentType.FULL_TIME
    )
    manager = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("manager"),
        help_text=_("Receives a reminder when this person's training is overdue."),
    )
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    is_active = models.BooleanField(
        pgettext_lazy("employee", "active"),
        default=True,
        help_text=_("People who have left are kept, with their history, but get no more work."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="employee_records",
        verbose_name=_("ippo account"),
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["organization", "is_active"], name="employee_org_active_idx")]
        constraints = [
            models.UniqueConstraint(
                "organization",
                Lower("email"),
                condition=~Q(email=""),
                name="employee_unique_email_per_org",
                violation_error_message=_("Another employee already has this e-mail address."),
            ),
            models.UniqueConstraint(
                fields=["organization", "user"],
                condition=Q(user__isnull=False),
                name="employee_unique_user_per_org",
                violation_error_message=_("This ippo account is already linked to another employee."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_mailbox(self) -> bool:
        return bool(self.email)
