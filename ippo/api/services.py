from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from ippo.api.models import ApiToken
from ippo.core.audit import audit_record

TOKEN_PREFIX = "ippo_"  # noqa: S105 — a label, not a secret
MAX_DAYS = 366


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def apitoken_create(*, actor, name: str, scope: str, days: int, org=None, user=None) -> tuple[ApiToken, str]:
    """Make a token for `user` (personal) or `org`; returns the token object and the token text, which is
    shown once and never stored."""
    if (org is None) == (user is None):
        raise ValueError("a token belongs to a person or to an organisation")
    days = max(1, min(int(days), MAX_DAYS))
    text = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        name=name.strip()[:100],
        prefix=text[:12],
        token_hash=token_hash(text),
        scope=scope,
        user=user,
        organization=org,
        created_by=actor,
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit_record(
        action="apitoken.created",
        actor=actor,
        org=org,
        target=token,
        data={"name": token.name, "scope": scope, "days": days, "personal": user is not None},
    )
    return token, text


@transaction.atomic
def apitoken_revoke(*, token: ApiToken, actor) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            action="apitoken.revoked",
            actor=actor,
            org=token.organization,
            target=token,
            data={"name": token.name},
        )
    return token


def apitoken_authenticate(text: str) -> ApiToken | None:
    """The usable token for this text, or None. Records the use (at most once a minute per token, and in
    the audit log once a day) without slowing every request with a write."""
    if not text.startswith(TOKEN_PREFIX) or len(text) > 100:
        return None
    token = (
        ApiToken.objects.select_related("user", "organization").filter(token_hash=token_hash(text)).first()
    )
    if token is None or not token.is_usable:
        return None
    if token.user is not None and not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        first_today = token.last_used_at is None or timezone.localdate(
            token.last_used_at
        ) != timezone.localdate(now)
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        if first_today:
            audit_record(
                action="apitoken.used",
                actor=token.user,
                org=token.organization,
                target=token,
                data={"name": token.name},
                via="api",
            )
        token.last_used_at = now
    return token
