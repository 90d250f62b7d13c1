"""Writes on organisations and memberships. Every function here is audited."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ippo.core.audit import audit_record
from ippo.core.models import RESERVED_SLUGS, Membership, Organization
from ippo.core.roles import Role


def _validate_slug(slug: str) -> None:
    if slug in RESERVED_SLUGS:
        raise ValidationError({"slug": _("This URL name is reserved. Please choose another.")})
    if Organization.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": _("This URL name is already taken. Please choose another.")})


@transaction.atomic
def organization_create(*, actor, name: str, slug: str, is_demo: bool = False, via: str = "web") -> Organization:
    """Create an organisation with `actor` as its owner."""
    _validate_slug(slug)
    org = Organization(name=name.strip(), slug=slug, is_demo=is_demo)
    org.full_clean()
    org.save()
    Membership.objects.create(organization=org, user=actor, role=Role.OWNER)
    audit_record(action="org.created", actor=actor, org=org, target=org, data={"slug": slug}, via=via)
    return org


@transaction.atomic
def membership_change_role(*, actor, org: Organization, membership: Membership, role: str) -> Membership:
    if role not in Role.values:
        raise ValidationError(_("Unknown role."))
    if membership.role == Role.OWNER and role != Role.OWNER and _owner_count(org) <= 1:
        raise ValidationError(_("An organisation needs at least one owner. Make someone else owner first."))
    old = membership.role
    if old == role:
        return membership
    membership.role = role
    membership.save(update_fields=["role"])
    audit_record(
        action="membership.role_changed",
        actor=actor,
        org=org,
        target=membership,
        data={"user": membership.user.email, "from": old, "to": role},
    )
    return membership


@transaction.atomic
def membership_remove(*, actor, org: Organization, membership: Membership) -> None:
    if membership.role == Role.OWNER and _owner_count(org) <= 1:
        raise ValidationError(_("An organisation needs at least one owner. Make someone else owner first."))
    audit_record(
        action="membership.removed",
        actor=actor,
        org=org,
        target=membership,
        data={"user": membership.user.email, "role": membership.role},
    )
    membership.delete()


def _owner_count(org: Organization) -> int:
    return Membership.objects.filter(organization=org, role=Role.OWNER).count()
