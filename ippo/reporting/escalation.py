"""Who is told about a new report, and who next when nobody acknowledges it.

- The first active escalation rule (by order) whose kinds and minimum severity match the report decides the
  contacts. Each rule has steps; each step has office-hours and out-of-hours contacts. Without a matching
  rule, the organisation's owners and managers are step 1.
- Concerns about misconduct go only to the designated handlers (the owners if nobody is designated), and
  never to the chat webhooks.
- Step 1 is notified when the report arrives. When nobody acknowledges within the rule's minutes, the clock
  (clock.py) notifies the next step; after the last step, everybody on every step gets one reminder.
- Messages carry no content: only that a report arrived, and a link into ippo.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ippo.core.models import ChatWebhook, Membership
from ippo.core.notify import notification_send
from ippo.core.roles import role_has_permission
from ippo.reporting.models import (
    DesignatedHandler,
    EscalationContact,
    EscalationNotice,
    EscalationRule,
    Report,
    ReportSettings,
)

DEFAULT_REESCALATE_MINUTES = 30


@dataclass(frozen=True)
class Plan:
    rule: EscalationRule | None
    steps: dict[int, dict[str, list]]  # step → shift → users
    minutes: int
    chat: bool

    @property
    def last_step(self) -> int:
        return max(self.steps) if self.steps else 1


def shift_at(settings_row: ReportSettings | None, now: datetime) -> str:
    local = timezone.localtime(now)
    if settings_row is None:
        starts, ends, weekends_night = None, None, True
    else:
        starts, ends, weekends_night = (
            settings_row.day_starts,
            settings_row.day_ends,
            settings_row.weekends_are_night,
        )
    from datetime import time

    starts = starts or time(9, 0)
    ends = ends or time(18, 0)
    if weekends_night and local.weekday() >= 5:
        return EscalationContact.Shift.NIGHT
    return EscalationContact.Shift.DAY if starts <= local.time() < ends else EscalationContact.Shift.NIGHT


def handlers(org) -> list:
    """Members who may handle reports (owners, managers, advisors)."""
    return [
        m.user
        for m in Membership.objects.filter(organization=org, user__is_active=True).select_related("user")
        if role_has_permission(m.role, "incidents.handle")
    ]


def concern_handlers(org) -> list:
    """Designated handlers who can still open the inbox; the owners when nobody is designated."""
    allowed = {u.pk: u for u in handlers(org)}
    designated = [
        allowed[d.user_id] for d in DesignatedHandler.objects.filter(organization=org) if d.user_id in allowed
    ]
    if designated:
        return designated
    return [m.user for m in Membership.objects.filter(organization=org, role="owner").select_related("user")]


def plan_for(report: Report) -> Plan:
    org = report.organization
    if report.is_concern:
        people = concern_handlers(org)
        steps = {1: {"day": people, "night": people}}
        return Plan(None, steps, DEFAULT_REESCALATE_MINUTES, False)
    rule = next(
        (
            r
            for r in EscalationRule.objects.filter(organization=org, is_active=True)
            if r.matches(kind=report.kind, severity=report.severity)
        ),
        None,
    )
    if rule is not None:
        steps: dict[int, dict[str, list]] = {}
        for contact in EscalationContact.objects.filter(rule=rule).select_related("user"):
            steps.setdefault(contact.step, {"day": [], "night": []})[contact.shift].append(contact.user)
        if steps:
            return Plan(rule, steps, rule.reescalate_minutes, rule.notify_chat)
    leaders = [
        m.user
        for m in Membership.objects.filter(organization=org, role__in=["owner", "manager"]).select_related(
            "user"
        )
    ]
    return Plan(
        rule,
        {1: {"day": leaders, "night": leaders}},
        DEFAULT_REESCALATE_MINUTES,
        rule.notify_chat if rule else True,
    )


def _people(plan: Plan, step: int, shift: str) -> list:
    if step > plan.last_step:  # the final reminder: everybody on every step
        seen, everyone = set(), []
        for shifts in plan.steps.values():
            for user in shifts["day"] + shifts["night"]:
                if user.pk not in seen:
                    seen.add(user.pk)
                    everyone.append(user)
        return everyone
    shifts = plan.steps.get(step, {"day": [], "night": []})
    other = "night" if shift == "day" else "day"
    return shifts[shift] or shifts[other]  # nobody on this shift: better the other shift than nobody


def _notify(report: Report, *, plan: Plan, step: int, now: datetime, reminder: bool) -> EscalationNotice:
    org = report.organization
    settings_row = ReportSettings.objects.filter(organization=org).first()
    shift = shift_at(settings_row, now)
    people = _people(plan, step, shift)
    chat = (
        plan.chat
        and not report.is_concern
        and ChatWebhook.objects.filter(organization=org, is_active=True).exists()
    )
    url = reverse("org:report_detail", args=[org.slug, report.pk])
    if reminder:
        subject = lambda: _("A report is waiting for someone to acknowledge it")  # noqa: E731
        body = lambda: _(  # noqa: E731
            "A report in ippo has not been acknowledged yet. For the reporter's protection this message "
            "holds no details. Please open ippo, read it and press “Acknowledge”."
        )
    else:
        subject = lambda: _("A new report has arrived")  # noqa: E731
        body = lambda: _(  # noqa: E731
            "Someone has sent a report through ippo. For the reporter's protection this message holds no "
            "details. Please open ippo, read it and press “Acknowledge” so that the others know it is in hand."
        )
    notification_send(
        org=org,
        event="report.unacknowledged" if reminder else "report.received",
        users=people,
        subject=subject,
        body=body,
        url=url,
        webhooks=chat,
    )
    return EscalationNotice.objects.create(
        organization=org,
        report=report,
        step=step,
        shift=shift,
        recipient_ids=[u.pk for u in people],
        chat=chat,
        created_at=now,
    )


@transaction.atomic
def escalation_start(*, report: Report, now: datetime) -> EscalationNotice:
    """Notify step 1 and set when step 2 (or the reminder) is due."""
    plan = plan_for(report)
    notice = _notify(report, plan=plan, step=1, now=now, reminder=False)
    Report.objects.filter(pk=report.pk).update(
        escalation_rule=plan.rule,
        escalation_step=1,
        next_escalation_at=now + timedelta(minutes=plan.minutes),
    )
    report.escalation_rule, report.escalation_step = plan.rule, 1
    report.next_escalation_at = now + timedelta(minutes=plan.minutes)
    return notice


def escalations_due(*, org, now: datetime) -> int:
    """Notify the next step for every unacknowledged report whose time has come. Each report is claimed
    with a conditional UPDATE on its current step and due time, so concurrent clocks notify once."""
    done = 0
    due = Report.objects.filter(
        organization=org, acknowledged_at__isnull=True, next_escalation_at__lte=now
    ).values_list("pk", "escalation_step", "next_escalation_at")
    for pk, step, due_at in list(due):
        with transaction.atomic():
            report = Report.objects.select_related("organization").get(pk=pk)
            plan = plan_for(report)
            next_step = step + 1
            final = next_step > plan.last_step
            claimed = Report.objects.filter(
                pk=pk, escalation_step=step, next_escalation_at=due_at, acknowledged_at__isnull=True
            ).update(
                escalation_step=next_step,
                next_escalation_at=None if final else now + timedelta(minutes=plan.minutes),
            )
            if not claimed:
                continue
            _notify(report, plan=plan, step=next_step, now=now, reminder=True)
            done += 1
    return done
