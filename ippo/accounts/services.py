"""Invitations: create, look up by token, accept, revoke. Every write is audited."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from ippo.accounts.models import Invitation, User, hash_token
from ippo.core.audit import audit_record
from ippo.core.models import Membership, Organization
from ippo.core.roles import Role

INVITATION_VALID_DAYS = 7
logger = logging.getLogger(__name__)


def invitation_url(token: str) -> str:
    return settings.BASE_URL + reverse("accounts:invitation_accept", args=[token])


@transaction.atomic
def invitation_create(*, actor, org: Organization, email: str, role: str, language: str | None = None) -> Invitation:
    email = email.strip().lower()
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if Membership.objects.filter(organization=org, user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person already belongs to the organisation.")})
    # A new invitation replaces any pending one for the same address.
    Invitation.objects.filter(
        organization=org, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organization=org,
        email=email,
        role=role,
        token_hash=hash_token(token),
        invited_by=actor,
        expires_at=timezone.now() + timedelta(days=INVITATION_VALID_DAYS),
    )
    audit_record(action="invitation.created", actor=actor, org=org, target=invitation, data={"email": email, "role": role})
    lang = language or getattr(actor, "language", "") or settings.LANGUAGE_CODE
    transaction.on_commit(lambda: _send_invitation(invitation, token, lang))
    return invitation


def _send_invitation(invitation: Invitation, token: str, language: str) -> None:
    """Runs after commit. A mail failure must not turn a saved invitation into an error page: it is logged,
    and the invitation stays listed so it can be cancelled and sent again."""
    try:
        _render_and_send_invitation(invitation, token, language)
    except Exception:
        logger.exception("Could not send the invitation e-mail for invitation %s", invitation.pk)


def _render_and_send_invitation(invitation: Invitation, token: str, language: str) -> None:
    with translation.override(language):
        context = {
            "invitation": invitation,
            "org_name": invitation.organization.name,
            "inviter": invitation.invited_by,
            "role_label": invitation.get_role_display(),
            "url": invitation_url(token),
            "days": INVITATION_VALID_DAYS,
        }
        subject = _("Invitation to %(org)s on ippo") % {"org": invitation.organization.name}
        body = render_to_string("accounts/email/invitation.txt", context)
        send_mail(subject, body, None, [invitation.email])


@dataclass(frozen=True)
class InvitationLookup:
    invitation: Invitation | None
    problem: str | None  # None when usable; else a message for the person


def invitation_lookup(token: str) -> InvitationLookup:
    with scopes_disabled():
        invitation = (
            Invitation.objects.select_related("organization", "invited_by").filter(token_hash=hash_token(token)).first()
        )
    if invitation is None:
        return InvitationLookup(None, _("This invitation link is not valid. Please check that you copied the whole link."))
    if invitation.accepted_at is not None:
        return InvitationLookup(
            invitation, _("This invitation has already been used. Sign in to reach the organisation.")
        )
    if invitation.revoked_at is not None:
        return InvitationLookup(
            invitation, _("This invitation was cancelled. Please ask the person who invited you to send a new one.")
        )
    if invitation.expires_at <= timezone.now():
        return InvitationLookup(
            invitation, _("This invitation has expired. Please ask the person who invited you to send a new one.")
        )
    return InvitationLookup(invitation, None)


@transaction.atomic
def invitation_accept(*, token: str, user: User | None, name: str = "", password: str = "") -> User:
    """Accept an invitation. With no signed-in user, the link itself proves the mailbox: an account is
    created for the invited address (a password is optional — people may sign in with an e-mailed code)."""
    lookup = invitation_lookup(token)
    if lookup.problem:
        raise ValidationError(lookup.problem)
    with scopes_disabled():
        # Lock the row so the same link cannot be used twice at once.
        invitation = Invitation.objects.select_for_update().get(pk=lookup.invitation.pk)
        if invitation.accepted_at is not None:
            raise ValidationError(_("This invitation has already been used. Sign in to reach the organisation."))
        org = invitation.organization
        if user is None:
            if User.objects.filter(email__iexact=invitation.email).exists():
                raise ValidationError(
                    _("An account for %(email)s already exists. Please sign in first, then open the link again.")
                    % {"email": invitation.email}
                )
            user = User.objects.create_user(email=invitation.email, password=password or None, name=name.strip())
            user.language = translation.get_language() or settings.LANGUAGE_CODE
            user.save(update_fields=["language"])
            _mark_email_verified(user)
        elif user.email.lower() != invitation.email.lower():
            raise ValidationError(
                _("This invitation was sent to %(email)s. Please sign in with that address to accept it.")
                % {"email": invitation.email}
            )
        if Membership.objects.filter(organization=org, user=user).exists():
            raise ValidationError(_("You already belong to this organisation."))
        Membership.objects.create(organization=org, user=user, role=invitation.role)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        audit_record(
            action="invitation.accepted", actor=user, org=org, target=invitation, data={"role": invitation.role}
        )
    return user


def _mark_email_verified(user: User) -> None:
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


@transaction.atomic
def invitation_revoke(*, actor, org: Organization, invitation: Invitation) -> None:
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        return
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_record(action="invitation.revoked", actor=actor, org=org, target=invitation, data={"email": invitation.email})
