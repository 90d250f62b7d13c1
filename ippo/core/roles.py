"""Roles and named permissions: the one table that says who may do what inside an organisation.

Views declare the permission they need (`@org_view("members.invite")`); the tenancy test harness reads
the same declaration to prove that every role reaches exactly what this table allows.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("Owner (executive)")
    MANAGER = "manager", _("Manager (IT / security lead)")
    MEMBER = "member", _("Member (employee)")
    ADVISOR = "advisor", _("Advisor (outside support)")
    VIEWER = "viewer", _("Viewer (read only)")


# Roles that see the organisation's security posture and administration screens.
ROLES_REQUIRING_MFA = frozenset({Role.OWNER, Role.MANAGER, Role.ADVISOR})

_ALL = frozenset(Role)
_STAFF = frozenset({Role.OWNER, Role.MANAGER, Role.ADVISOR, Role.VIEWER})
_EDITORS = frozenset({Role.OWNER, Role.MANAGER, Role.ADVISOR})

PERMISSIONS: dict[str, frozenset[Role]] = {
    # Everyone who belongs to the organisation.
    "org.view": _ALL,
    # The security programme: assessments, plans, reports, incidents (read / change).
    "program.view": _STAFF,
    "program.change": _EDITORS,
    # Answering self-assessment questions: editors anywhere, employees in the sections assigned to them.
    "assessments.answer": frozenset({Role.OWNER, Role.MANAGER, Role.ADVISOR, Role.MEMBER}),
    # Working on action items: editors on any item, employees on the items they are responsible for.
    "plan.work": frozenset({Role.OWNER, Role.MANAGER, Role.ADVISOR, Role.MEMBER}),
    # People and administration.
    "members.view": _STAFF,
    "members.invite": frozenset({Role.OWNER, Role.MANAGER}),
    "members.change_role": frozenset({Role.OWNER}),
    "org.settings": frozenset({Role.OWNER}),
    "audit.view": frozenset({Role.OWNER}),
    # Approving the information security policy and rules: the owner signs them (ippo.policies).
    "policies.approve": frozenset({Role.OWNER}),
    # Giving business partners evidence: making evidence packs, share links, revoking them (ippo.sharing).
    "sharing.manage": frozenset({Role.OWNER, Role.MANAGER, Role.ADVISOR}),
    # The employee directory, training assignments and group sessions (ippo.people, ippo.training).
    "people.manage": frozenset({Role.OWNER, Role.MANAGER, Role.ADVISOR}),
    # Running phishing drills: sending profiles, campaigns, results (ippo.phishing).
    "drills.manage": frozenset({Role.OWNER, Role.MANAGER, Role.ADVISOR}),
    # Handling reports and incidents, playbooks, contacts, tabletop exercises (ippo.incidents, ippo.tabletop).
    "incidents.handle": frozenset({Role.OWNER, Role.MANAGER, Role.ADVISOR}),
    # Domains, automated checks, devices and cloud connectors (ippo.checks, ippo.devices).
    "checks.manage": frozenset({Role.OWNER, Role.MANAGER, Role.ADVISOR}),
    # Organisation API tokens (ippo.api); personal tokens need no permission.
    "api.manage": frozenset({Role.OWNER, Role.MANAGER}),
}


def role_has_permission(role: str | None, permission: str) -> bool:
    if permission not in PERMISSIONS:
        raise KeyError(f"Unknown permission {permission!r}; add it to ippo.core.roles.PERMISSIONS.")
    return role is not None and role in PERMISSIONS[permission]
