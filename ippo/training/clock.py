"""The training clock, run for each organisation by the programme tick (``ippo program tick``, ``ippo serve``).

1. Rules: yearly rules assign their lesson to every active employee from the rule's month on (once per
   year); new-staff rules assign theirs to people who joined within the last N days, due N days after
   joining. A unique ``rule_key`` per person makes this safe to repeat and to run from several workers.
2. Notices: when a lesson is assigned, to the person; REMIND_BEFORE_DAYS before the due date, to the person
   again; the day after it, to the person and to their manager (the employee's manager's ippo account, else the organisation's owners and
   managers). Each reminder is claimed with a conditional UPDATE first, so none is sent twice.

3. Evidence: once a year, when 80 % of active employees have completed a lesson that year, a note is added as
   evidence to the awareness-training control (``pr-awareness-training``).

People with an ippo account get a normal notification; people without one get a one-time sign-in link by
e-mail (which is how most staff first sign in); people without a mailbox get nothing, and their manager is
told when their lesson is overdue (group sessions are the way to record their training).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from ippo.core.models import Membership, Organization
from ippo.core.notify import notification_send
from ippo.people.models import Employee
from ippo.training import lessons, services
from ippo.training.models import Assignment, AssignmentRule, AwarenessEvidence, Reason
from ippo.training.selectors import awareness_completion, title_of

REMIND_BEFORE_DAYS = 3
MIN_DAYS_LEFT = 7  # a rule never assigns a lesson due in less than this
QUIET_AFTER_NOTICE = timedelta(hours=20)  # no "due soon" reminder right after the "new lesson" notice
AWARENESS_CONTROL = "pr-awareness-training"
EVIDENCE_SHARE = 80  # percent of active employees


def _rule_assignments(org: Organization, today: date, now: datetime) -> int:
    rules = list(AssignmentRule.objects.filter(organization=org, is_active=True).exclude(kind=AssignmentRule.Kind.DRILL))
    if not rules:
        return 0
    titles = lessons.custom_titles(org)
    employees = list(Employee.objects.filter(organization=org, is_active=True))
    rows: list[Assignment] = []
    for rule in rules:
        if not (lessons.is_builtin(rule.module_id) or rule.module_id in titles):
            continue  # the lesson was removed
        custom_id = int(rule.module_id.removeprefix("custom-")) if rule.module_id in titles else None
        if rule.kind == AssignmentRule.Kind.YEARLY:
            if not rule.month or today.month < rule.month:
                continue
            start = date(today.year, rule.month, 1)
            key = f"yearly:{today.year}:{rule.module_id}"
            due = start + timedelta(days=rule.days)
            if due < today + timedelta(days=MIN_DAYS_LEFT):  # the rule came late in the year: full period
                due = today + timedelta(days=rule.days)
            targets = [(e, due) for e in employees]
            reason = Reason.YEARLY
        else:
            key = f"new_hire:{rule.module_id}"
            since = today - timedelta(days=rule.days)
            targets = [
                (e, e.joined_on + timedelta(days=rule.days))
                for e in employees
                if e.joined_on and since <= e.joined_on <= today
            ]
            reason = Reason.NEW_HIRE
        rows += [
            Assignment(
                organization=org,
                employee=e,
                module_id=rule.module_id,
                custom_module_id=custom_id,
                reason=reason,
                rule_key=key,
                due_on=max(due, today),
                assigned_at=now,
            )
            for e, due in targets
        ]
    if not rows:
        return 0
    existing = set(
        Assignment.objects.filter(organization=org, rule_key__in={r.rule_key for r in rows}).values_list(
            "employee_id", "rule_key"
        )
    )
    new = [r for r in rows if (r.employee_id, r.rule_key) not in existing]
    # ignore_conflicts: another worker may have created the same rows a moment ago.
    Assignment.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def _claim(pks: list[int], field: str, now: datetime) -> list[int]:
    claimed = []
    for pk in pks:
        if Assignment.objects.filter(pk=pk, **{f"{field}__isnull": True}).update(**{field: now}) == 1:
            claimed.append(pk)
    return claimed


def _leaders(org: Organization) -> list:
    return [
        m.user
        for m in Membership.objects.filter(organization=org, role__in=["owner", "manager"]).select_related("user")
    ]


NOTICES = {
    # kind: (event, subject, first line of the body)
    "new": ("training.assigned", lambda: _("New security lessons for you"), lambda: _(
        "You have new short security lessons (about 5–10 minutes each, with a quiz). Please finish them by "
        "their due date:"
    )),
    "due": ("training.due", lambda: _("Training due soon"), lambda: _(
        "Please finish these short lessons by their due date:"
    )),
    "overdue": ("training.overdue", lambda: _("Training overdue"), lambda: _(
        "These lessons are past their due date. Each takes about 5–10 minutes:"
    )),
}


def _tell_person(org: Organization, employee: Employee, rows: list[Assignment], *, kind: str) -> bool:
    lines = [f"- {title_of(a)} ({a.due_on.isoformat()})" for a in rows]
    event, subject, first_line = NOTICES[kind]
    if employee.user_id and Membership.objects.filter(organization=org, user_id=employee.user_id).exists():
        notification_send(
            org=org,
            event=event,
            users=[employee.user],
            webhooks=False,
            url=reverse("org:training_mine", args=[org.slug]),
            subject=subject,
            body=lambda: "\n".join([first_line(), *lines]),
        )
        return True
    if employee.email:
        return services.signinlink_send(employee=employee, assignment=rows[0])
    return False


def _tell_manager(org: Organization, employee: Employee, rows: list[Assignment], leaders_cache: dict) -> None:
    manager_user = employee.manager.user if employee.manager_id and employee.manager.user_id else None
    if manager_user is not None and manager_user.pk != employee.user_id:
        users = [manager_user]
    else:
        if "leaders" not in leaders_cache:
            leaders_cache["leaders"] = _leaders(org)
        users = leaders_cache["leaders"]
    lines = [f"- {title_of(a)} ({a.due_on.isoformat()})" for a in rows]
    name = employee.name
    notification_send(
        org=org,
        event="training.overdue_manager",
        users=users,
        webhooks=False,
        url=reverse("org:training_people", args=[org.slug]),
        subject=lambda: _("Training overdue: %(name)s") % {"name": name},
        body=lambda: "\n".join(
            [
                _("%(name)s has not finished these lessons by their due date. A word of encouragement usually helps:")
                % {"name": name},
                *lines,
            ]
        ),
    )


def _reminders(org: Organization, today: date, now: datetime) -> dict[str, int]:
    counts = {"announced": 0, "reminded": 0, "overdue": 0}
    base = Assignment.objects.filter(
        organization=org, completed_at__isnull=True, cancelled_at__isnull=True, employee__is_active=True
    ).select_related("employee", "employee__user", "employee__manager", "employee__manager__user", "custom_module")
    leaders_cache: dict = {}
    told: set[int] = set()  # one message per lesson per run: a new lesson due tomorrow is not also "due soon"
    for kind, field, flt, count in (
        ("new", "announced_at", Q(due_on__gte=today), "announced"),
        (
            "due",
            "reminded_at",
            Q(due_on__gte=today, due_on__lte=today + timedelta(days=REMIND_BEFORE_DAYS))
            & (Q(announced_at__isnull=True) | Q(announced_at__lte=now - QUIET_AFTER_NOTICE)),
            "reminded",
        ),
        ("overdue", "overdue_notified_at", Q(due_on__lt=today), "overdue"),
    ):
        candidates = {a.pk: a for a in base.filter(flt, **{f"{field}__isnull": True}) if a.pk not in told}
        claimed = _claim(sorted(candidates), field, now)
        told.update(claimed)
        by_employee: dict[int, list[Assignment]] = defaultdict(list)
        for pk in claimed:
            by_employee[candidates[pk].employee_id].append(candidates[pk])
        for rows in by_employee.values():
            employee = rows[0].employee
            _tell_person(org, employee, rows, kind=kind)
            if kind == "overdue":
                _tell_manager(org, employee, rows, leaders_cache)
            counts[count] += len(rows)
    return counts


def _awareness_evidence(org: Organization, today: date) -> int:
    """Once a year, when at least EVIDENCE_SHARE of active employees completed a lesson that year, add a note
    as evidence to the awareness-training control (which feeds the control status)."""
    if AwarenessEvidence.objects.filter(organization=org, year=today.year).exists():
        return 0
    done, total = awareness_completion(org, year=today.year)
    if not total or done * 100 < EVIDENCE_SHARE * total:
        return 0
    from ippo.program.services import evidence_add

    try:
        with transaction.atomic():
            claim = AwarenessEvidence.objects.create(organization=org, year=today.year)
            note = _(
                "%(done)s of %(total)s active employees (%(rate)s%%) completed security training in %(year)s. "
                "Details per person: Training records export."
            ) % {"done": done, "total": total, "rate": round(100 * done / total), "year": today.year}
            evidence = evidence_add(
                org=org,
                actor=None,
                control_id=AWARENESS_CONTROL,
                title=_("Training completion %(year)s") % {"year": today.year},
                note=note,
                performed_on=today,
            )
            claim.evidence_id = evidence.pk
            claim.save(update_fields=["evidence_id"])
    except IntegrityError:
        return 0
    return 1


def run(*, org: Organization, today: date, now: datetime) -> dict[str, int]:
    counts = {"assigned": _rule_assignments(org, today, now)}
    counts.update(_reminders(org, today, now))
    counts["evidence"] = _awareness_evidence(org, today)
    return counts
