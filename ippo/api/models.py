"""API tokens: personal (act as their user, in every organisation the user belongs to, never beyond the
user's role) or organisation tokens (one organisation; read = viewer rights, write = manager rights).

Only the SHA-256 of a token is stored; the token itself is shown once, when it is made. Tokens expire,
can be revoked, are limited to reading unless made for writing, and every creation, revocation and first
use of the day is in the audit log.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ippo.core.models import Organization


class ApiToken(models.Model):
    """Not a TenantModel: a personal token belongs to a user, not to one organisation. Organisation tokens
    are listed and managed through `organization`; lookups by token hash happen before any scope exists."""

    class Scope(models.TextChoices):
        READ = "read", _("Read only")
        WRITE = "write", _("Read and write")

    name = models.CharField(
        _("name"), max_length=100, help_text=_("What the token is for, e.g. “monthly report script”.")
    )
    prefix = models.CharField(_("token starts with"), max_length=16)
    token_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(_("access"), max_length=10, choices=Scope.choices, default=Scope.READ)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="api_tokens",
        verbose_name=_("person"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="api_tokens",
        verbose_name=_("organisation"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(organization__isnull=True))
                | (Q(user__isnull=True) & Q(organization__isnull=False)),
                name="apitoken_personal_xor_organisation",
                violation_error_message=_("A token belongs either to a person or to an organisation."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
