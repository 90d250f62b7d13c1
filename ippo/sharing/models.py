"""Partner evidence: signed evidence packs (a frozen snapshot + its PDF) and the share links that show them.

A pack never changes after it is made: its PDF, the PDF's SHA-256 and the instance's Ed25519 signature over
"ippo-pack:v1:<code>:<sha256>" are stored together, so anyone holding the file can check it (see
`ippo.sharing.verification`). A pack can only be withdrawn (revoked). Share links store only the SHA-256 of
their token; the link itself is shown once, when it is created.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ippo.core.models import TenantModel


class EvidencePack(TenantModel):
    class Language(models.TextChoices):
        JA = "ja", "日本語"
        EN = "en", "English"

    code = models.CharField(
        _("verification code"),
        max_length=14,
        unique=True,
        editable=False,
        help_text=_("Printed on the pack; partners type it on the verification page."),
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    contact_name = models.CharField(_("contact person"), max_length=120, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), max_length=254, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    # What the pack says, frozen when it was made (see selectors.pack_content for the shape).
    snapshot = models.JSONField(_("content"), editable=False)
    pdf = models.BinaryField(_("PDF"), editable=False)
    sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, unique=True, editable=False)
    signature = models.CharField(_("signature"), max_length=100, editable=False)
    key_id = models.CharField(_("signing key"), max_length=16, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("made by"),
    )
    created_at = models.DateTimeField(_("made"), default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(_("withdrawn"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )

    class Meta:
        verbose_name = _("evidence pack")
        verbose_name_plural = _("evidence packs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organization", "-created_at"], name="evidencepack_org_created")]

    def __str__(self) -> str:
        return self.code

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def has_contact(self) -> bool:
        return bool(self.contact_name or self.contact_email or self.contact_phone)

    def clean(self) -> None:
        if self.contact_name and not (self.contact_email or self.contact_phone):
            raise ValidationError(
                {
                    "contact_email": _(
                        "Give an e-mail address or a phone number so that partners can reach them."
                    )
                }
            )


class ShareLink(TenantModel):
    """A read-only, expiring, revocable link to one pack for people without an account."""

    VALID_DAYS = (7, 30, 90)

    pack = models.ForeignKey(
        EvidencePack, on_delete=models.CASCADE, related_name="share_links", verbose_name=_("evidence pack")
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    label = models.CharField(
        _("for whom"),
        max_length=120,
        blank=True,
        help_text=_("A note for your own list, e.g. the partner's name. Partners do not see it."),
    )
    expires_at = models.DateTimeField(_("expires"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    access_count = models.PositiveIntegerField(_("times opened"), default=0, editable=False)
    last_accessed_at = models.DateTimeField(_("last opened"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("share link")
        verbose_name_plural = _("share links")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.label or f"{self.pack_id}/{self.pk}"

    def is_active(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now

    @property
    def state(self) -> str:
        """active | expired | revoked (for the list; the pack's own withdrawal is checked separately)."""
        if self.revoked_at is not None:
            return "revoked"
        return "active" if self.expires_at > timezone.now() else "expired"
