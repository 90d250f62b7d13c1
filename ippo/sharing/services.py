"""Writes for partner evidence: make and withdraw packs, create and revoke share links, count link opens.
Every write is audited."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from ippo.core.audit import audit_record
from ippo.core.models import Organization
from ippo.sharing import document, selectors, signing
from ippo.sharing.models import EvidencePack, ShareLink

# Unambiguous upper-case letters and digits (no 0/O, 1/I): 32 symbols, 5 bits each; 12 symbols = 60 bits.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12


def code_generate() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return code_format(raw)


def code_format(raw: str) -> str:
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def code_normalize(value: str) -> str | None:
    """What a person typed → the stored form "ABCD-EFGH-JKLM", or None when it cannot be a code."""
    raw = "".join(ch for ch in (value or "").upper() if ch not in " -\u3000\t")
    if len(raw) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in raw):
        return None
    return code_format(raw)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _unused_code() -> str:
    with scopes_disabled():
        for _attempt in range(10):
            code = code_generate()
            if not EvidencePack.objects.filter(code=code).exists():
                return code
    raise RuntimeError("could not find an unused verification code")  # 60 bits: practically unreachable


def evidencepack_create(
    *,
    org: Organization,
    actor,
    language: str,
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    via: str = "web",
) -> EvidencePack:
    """Compute the content from today's control status, print and sign the PDF, store it all.

    Not one big transaction on purpose: printing takes about a second, and on SQLite a write transaction
    holds the database's only write lock. The reads and the printing happen first; the save and its audit
    event are atomic."""
    if language not in EvidencePack.Language.values:
        raise ValidationError({"language": _("Choose Japanese or English.")})
    contact = {"name": contact_name.strip(), "email": contact_email.strip(), "phone": contact_phone.strip()}
    pack = EvidencePack(
        organization=org,
        language=language,
        contact_name=contact["name"],
        contact_email=contact["email"],
        contact_phone=contact["phone"],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    checked = {"language", "contact_name", "contact_email", "contact_phone"}
    pack.clean_fields(exclude=[f.name for f in EvidencePack._meta.fields if f.name not in checked])
    pack.clean()
    pack.snapshot = selectors.pack_content(org=org, language=language, contact=contact)
    pack.code = _unused_code()
    pack.pdf = document.pack_pdf(pack.snapshot, code=pack.code)
    pack.sha256 = hashlib.sha256(pack.pdf).hexdigest()
    pack.signature = signing.sign(signing.pack_message(pack.code, pack.sha256))
    pack.key_id = signing.key_id()
    with transaction.atomic():
        pack.save()
        audit_record(
            action="evidencepack.created",
            actor=actor,
            org=org,
            target=pack,
            data={"code": pack.code, "language": language, "sha256": pack.sha256},
            via=via,
        )
    return pack


@transaction.atomic
def evidencepack_revoke(*, pack: EvidencePack, actor) -> EvidencePack:
    """Withdraw a pack: the verification page and `ippo report verify` then say so, and its share links stop."""
    if pack.revoked_at is not None:
        raise ValidationError(_("This pack has already been withdrawn."))
    now = timezone.now()
    pack.revoked_at = now
    pack.revoked_by = actor
    pack.save(update_fields=["revoked_at", "revoked_by"])
    links = ShareLink.objects.filter(organization=pack.organization, pack=pack, revoked_at__isnull=True)
    stopped = links.update(revoked_at=now, revoked_by=actor)
    audit_record(
        action="evidencepack.revoked",
        actor=actor,
        org=pack.organization,
        target=pack,
        data={"code": pack.code, "links_revoked": stopped},
    )
    return pack


@transaction.atomic
def sharelink_create(*, pack: EvidencePack, actor, days: int, label: str = "") -> tuple[ShareLink, str]:
    """A new link; returns it with its token, which is shown once and never stored."""
    if pack.revoked_at is not None:
        raise ValidationError(_("A withdrawn pack cannot be shared."))
    if days not in ShareLink.VALID_DAYS:
        raise ValidationError({"days": _("Choose 7, 30 or 90 days.")})
    token = secrets.token_urlsafe(32)
    link = ShareLink.objects.create(
        organization=pack.organization,
        pack=pack,
        token_hash=token_hash(token),
        label=label.strip(),
        expires_at=timezone.now() + timedelta(days=days),
        created_by=actor,
    )
    audit_record(
        action="sharelink.created",
        actor=actor,
        org=pack.organization,
        target=link,
        data={"code": pack.code, "days": days, "label": link.label},
    )
    return link, token


@transaction.atomic
def sharelink_revoke(*, link: ShareLink, actor) -> ShareLink:
    if link.revoked_at is not None:
        raise ValidationError(_("This link has already been revoked."))
    link.revoked_at = timezone.now()
    link.revoked_by = actor
    link.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        action="sharelink.revoked",
        actor=actor,
        org=link.organization,
        target=link,
        data={"code": link.pack.code, "label": link.label},
    )
    return link


def sharelink_lookup(token: str, *, with_pdf: bool = False) -> ShareLink | None:
    """The link for a token if it still works: known, not revoked, not expired, and its pack not withdrawn.
    One answer (None) for every failure, so the share page cannot be used to probe tokens."""
    if not token or len(token) > 100:
        return None
    with scopes_disabled():
        links = ShareLink.objects.select_related("pack", "organization").filter(token_hash=token_hash(token))
        link = (links if with_pdf else links.defer("pack__pdf")).first()
    if link is None or not link.is_active() or link.pack.revoked_at is not None:
        return None
    return link


@transaction.atomic
def sharelink_record_access(*, link: ShareLink, what: str) -> None:
    """Count the opening and audit it. Partners are anonymous: no IP address or browser is recorded."""
    now = timezone.now()
    with scopes_disabled():
        ShareLink.objects.filter(pk=link.pk).update(access_count=F("access_count") + 1, last_accessed_at=now)
    audit_record(
        action="sharelink.accessed",
        actor="partner",
        org=link.organization,
        target=link,
        data={"code": link.pack.code, "what": what},
        via="share",
    )


def evidencepack_record_check(*, pack: EvidencePack, what: str) -> None:
    """Someone looked the pack up on the verification page (by code, or by uploading the file). Anonymous:
    usually a partner, but anyone with the code can look."""
    audit_record(
        action="evidencepack.checked",
        actor="visitor",
        org=pack.organization,
        target=pack,
        data={"code": pack.code, "what": what},
        via="verify",
    )
