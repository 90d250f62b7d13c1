from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from ippo.core.roles import Role

slug_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{1,48}[a-z0-9])$",
    _("Use 3–50 lower-case letters, digits and hyphens, starting and ending with a letter or digit."),
)

RESERVED_SLUGS = frozenset({"new", "admin", "api", "static", "accounts", "demo-new", "o", "verify", "www"})


class Organization(models.Model):
    """A tenant: one company. Every tenant-owned row points here (see TenantModel)."""

    name = models.CharField(_("organisation name"), max_length=200)
    slug = models.SlugField(
        _("URL name"),
        max_length=50,
        unique=True,
        validators=[slug_validator],
        help_text=_("Used in addresses such as /o/your-company/. Lower-case letters, digits and hyphens."),
    )
    is_demo = models.BooleanField(_("demo organisation"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TenantModel(models.Model):
    """Base for every tenant-owned model.

    Its default manager is scoped (django-scopes): inside an organisation's request, queries see only that
    organisation's rows; outside any scope, a query raises ScopeError instead of leaking across tenants.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, verbose_name=_("organisation"))

    objects = ScopedManager(organization="organization")

    class Meta:
        abstract = True


class Membership(TenantModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"],
                name="membership_unique_user_per_org",
                violation_error_message=_("This person already belongs to the organisation."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.role})"


GENESIS_HASH = "0" * 64


class AuditEvent(models.Model):
    """One security-relevant event. Append-only and hash-chained: see ippo.core.audit.

    Not a TenantModel on purpose: login events belong to no organisation. Its only reader is
    `ippo.core.audit.audit_events_for_org`, which scopes explicitly.
    """

    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    created_at = models.DateTimeField(_("time"))
    organization = models.ForeignKey(
        Organization,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    target_type = models.CharField(_("target type"), max_length=100, blank=True)
    target_id = models.CharField(_("target"), max_length=100, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    via = models.CharField(_("via"), max_length=20, default="web")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-seq"]
        indexes = [models.Index(fields=["organization", "-seq"], name="audit_org_seq")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RuntimeError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Audit events are append-only.")

    def payload(self) -> bytes:
        """The canonical bytes the hash covers: every field except the hash itself."""
        body = [
            self.seq,
            self.created_at.isoformat(timespec="microseconds"),
            self.organization_id,
            self.actor_id,
            self.actor_label,
            self.action,
            self.target_type,
            self.target_id,
            self.data,
            self.via,
            self.prev_hash,
        ]
        return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()

    def compute_hash(self) -> str:
        return hashlib.sha256(self.payload()).hexdigest()


class AuditHead(models.Model):
    """A single row holding the chain's length and last hash; updating it serialises writers."""

    seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"audit head #{self.seq}"
