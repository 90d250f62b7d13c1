"""Bulk actions over client organisations. Each organisation is handled on its own, with the user's role
there: an organisation where the role does not allow the action is skipped and reported, never forced."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_scopes import scope, scopes_disabled

from ippo.core.audit import audit_record
from ippo.core.models import Membership
from ippo.core.roles import role_has_permission

ACTIONS = {
    # action: the permission it needs in each organisation
    "start_quick": "program.change",
    "start_full": "program.change",
    "remind": "program.change",
}


@dataclass
class BulkResult:
    done: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def _remind(org, actor) -> None:
    from ippo.core.notify import notification_send
    from ippo.program.models import ActionItem

    today = timezone.localdate()
    overdue = ActionItem.objects.filter(
        organization=org, status__in=ActionItem.OPEN, due_date__lt=today
    ).count()
    leaders = [
        m.user
        for m in Membership.objects.filter(organization=org, role__in=("owner", "manager")).select_related(
            "user"
        )
    ]
    sender = actor.get_short_name() if hasattr(actor, "get_short_name") else str(actor)

    def subject():
        return _("A reminder about your security programme")

    def body():
        text = _("%(sender)s asks you to look at your security programme in ippo.") % {"sender": sender}
        if overdue:
            text += " " + ngettext("%(count)s task is overdue.", "%(count)s tasks are overdue.", overdue) % {
                "count": overdue
            }
        return text

    notification_send(
        org=org,
        event="console.reminder",
        users=leaders,
        subject=subject,
        body=body,
        url=f"/o/{org.slug}/plan/",
        webhooks=False,
    )


def console_bulk_action(
    *, actor, action: str, org_slugs: list[str], options: dict | None = None
) -> BulkResult:
    """Run `action` in each selected organisation the actor belongs to; see ACTIONS for what each needs."""
    from ippo.assessments.services import assessment_start
    from ippo.console import bulk_extra

    handlers = bulk_extra.HANDLERS
    permission = ACTIONS.get(action) or (handlers[action][0] if action in handlers else None)
    if permission is None:
        raise ValueError(f"unknown bulk action {action!r}")
    result = BulkResult()
    with scopes_disabled():
        memberships = list(
            Membership.objects.filter(user=actor, organization__slug__in=org_slugs).select_related(
                "organization"
            )
        )
    for membership in memberships:
        org = membership.organization
        if not role_has_permission(membership.role, permission):
            result.skipped.append(org.name)
            continue
        try:
            with scope(organization=org), transaction.atomic():
                if action == "start_quick":
                    assessment_start(org=org, actor=actor, kind="quick")
                elif action == "start_full":
                    assessment_start(org=org, actor=actor, kind="full")
                elif action == "remind":
                    _remind(org, actor)
                else:
                    handlers[action][1](org=org, actor=actor, options=options or {})
                audit_record(action="console.bulk_action", actor=actor, org=org, data={"action": action})
        except ValidationError as exc:
            result.failed.append(f"{org.name} ({' '.join(exc.messages)})")
            continue
        result.done.append(org.name)
    return result
