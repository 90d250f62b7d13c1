"""Reads shared by several apps."""

from __future__ import annotations

from ippo.core.models import Membership, Organization
from ippo.core.roles import Role


def working_memberships(org: Organization):
    """Memberships of the people who can be given work (everyone but read-only viewers), users joined,
    ordered by name. Call sites may filter further (`user_id=…`) or re-order."""
    return (
        Membership.objects.filter(organization=org)
        .exclude(role=Role.VIEWER)
        .select_related("user")
        .order_by("user__name", "user__email")
    )
