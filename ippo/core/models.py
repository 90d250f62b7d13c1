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


# --- Notifications: chat webhooks, personal preferences and the delivery queue (ippo.core.notify).


class ChatWebhook(TenantModel):
    """Where an organisation's chat notifications go. Secrets are stored encrypted (ippo.lib.crypto) and are
    never shown again after they are entered; `hint` (host and last four characters) identifies them."""

    class Kind(models.TextChoices):
        SLACK = "slack", _("Slack")
        TEAMS = "teams", _("Microsoft Teams")
        CHATWORK = "chatwork", _("Chatwork")
        GENERIC = "generic", _("Other service (signed JSON)")

    kind = models.CharField(_("service"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    # Slack, Teams, generic: the webhook URL. Chatwork: the room ID (the API address is fixed).
    url_encrypted = models.TextField(_("address (encrypted)"))
    # Chatwork: the API token.
    token_encrypted = models.TextField(_("API token (encrypted)"), blank=True)
    # Generic: the HMAC-SHA256 signing secret, shown once on creation.
    secret_encrypted = models.TextField(_("signing secret (encrypted)"), blank=True)
    hint = models.CharField(_("destination"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("chat webhook")
        verbose_name_plural = _("chat webhooks")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_url(self) -> str:
        """The decrypted URL (for Chatwork: the room ID). For sending only; never display it."""
        from ippo.lib.crypto import decrypt

        return decrypt(self.url_encrypted)

    def get_token(self) -> str:
        from ippo.lib.crypto import decrypt

        return decrypt(self.token_encrypted) if self.token_encrypted else ""

    def get_secret(self) -> str:
        from ippo.lib.crypto import decrypt

        return decrypt(self.secret_encrypted) if self.secret_encrypted else ""


class NotificationPreference(TenantModel):
    """A person's choices for one organisation. No row means the defaults (everything on)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    email_enabled = models.BooleanField(
        _("notifications by e-mail"),
        default=True,
        help_text=_("Reminders and alerts about this organisation's security programme."),
    )
    digest_enabled = models.BooleanField(
        _("weekly summary"),
        default=True,
        help_text=_("One e-mail a week with what is due and what changed."),
    )

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"],
                name="notificationpreference_unique_user_per_org",
                violation_error_message=_(
                    "This person already has notification settings for the organisation."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization}"


class Delivery(TenantModel):
    """One message to one e-mail recipient or one chat webhook, with its retry state.

    Rows are claimed with a conditional UPDATE (ippo.core.notify.delivery_claim), so any number of workers
    may run at once without sending a message twice.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        WEBHOOK = "webhook", _("Chat webhook")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed, will be retried")
        GAVE_UP = "gave_up", _("Failed, no more retries")

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient"),
    )
    webhook = models.ForeignKey(
        ChatWebhook,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("chat webhook"),
    )
    to_address = models.EmailField(_("e-mail address"), blank=True)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("message"))
    url = models.CharField(_("link"), max_length=500, blank=True)
    event = models.CharField(_("event"), max_length=100)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_status_due")]

    def __str__(self) -> str:
        return f"{self.event} → {self.to_address or self.webhook_id} ({self.status})"
