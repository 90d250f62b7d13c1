"""Reminders, escalation and the weekly summary for the action plan, run by the clock (`tick`).

Every step takes `today`/`now` explicitly so tests can drive the calendar, and claims each reminder with a
conditional UPDATE before sending it, so two workers ticking at once never send the same reminder twice.

- Due soon: REMIND_BEFORE_DAYS before the due date, to the person responsible (or, if nobody is, to the
  organisation's owners and managers).
- Overdue: the day after the due date, to the same people.
- Escalation: ESCALATE_AFTER_DAYS after the due date, to the owners and managers, and to the team chat.
- Weekly summary: on Mondays, to each member with open items (if they want it), and one to the team chat.
"""

from __future__ import annotations

import importlib
from datetime import date, datetime, timedelta
from functools import lru_cache

from django.apps import apps
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_scopes import scope

from ippo.core.models import Membership, NotificationPreference, Organization
from ippo.core.notify import notification_send
from ippo.program.models import ActionItem, DigestSent
from ippo.program.selectors import control_title

REMIND_BEFORE_DAYS = 3
ESCALATE_AFTER_DAYS = 7
DIGEST_WEEKDAY = 0  # Monday


def _leaders(org: Organization) -> list:
    return [
        m.user
        for m in Membership.objects.filter(organization=org, role__in=["owner", "manager"]).select_related(
            "user"
        )
    ]


def _title(item: ActionItem) -> str:
    return item.title or control_title(item.control_id)


def _claim(item: ActionItem, field: str, now: datetime) -> bool:
    return ActionItem.objects.filter(pk=item.pk, **{f"{field}__isnull": True}).update(**{field: now}) == 1


def _send(org, item, *, event, users, subject, body, webhooks=False):
    url = reverse("org:actionitem_detail", args=[org.slug, item.pk])
    notification_send(
        org=org, event=event, users=users, subject=subject, body=body, url=url, webhooks=webhooks
    )


def reminders_run(*, org: Organization, today: date, now: datetime) -> dict[str, int]:
    counts = {"due": 0, "overdue": 0, "escalated": 0}
    open_items = ActionItem.objects.filter(
        organization=org, status__in=ActionItem.OPEN, due_date__isnull=False
    ).select_related("owner")
    leaders = None

    for item in open_items.filter(
        reminded_at__isnull=True,
        due_date__gte=today,
        due_date__lte=today + timedelta(days=REMIND_BEFORE_DAYS),
    ):
        if _claim(item, "reminded_at", now):
            leaders = leaders if leaders is not None else _leaders(org)
            title, due = _title(item), item.due_date
            _send(
                org,
                item,
                event="task.due",
                users=[item.owner] if item.owner else leaders,
                subject=lambda t=title: _("Due soon: %(title)s") % {"title": t},
                body=lambda t=title, d=due: (
                    _(
                        "“%(title)s” is due on %(date)s. When it is done, mark it as done in ippo and attach what shows it."
                    )
                    % {"title": t, "date": d.isoformat()}
                ),
            )
            counts["due"] += 1

    for item in open_items.filter(overdue_notified_at__isnull=True, due_date__lt=today):
        if _claim(item, "overdue_notified_at", now):
            leaders = leaders if leaders is not None else _leaders(org)
            title, due = _title(item), item.due_date
            _send(
                org,
                item,
                event="task.overdue",
                users=[item.owner] if item.owner else leaders,
                subject=lambda t=title: _("Overdue: %(title)s") % {"title": t},
                body=lambda t=title, d=due: (
                    _(
                        "“%(title)s” was due on %(date)s. If it cannot be done soon, set a new date so that the plan stays honest."
                    )
                    % {"title": t, "date": d.isoformat()}
                ),
            )
            counts["overdue"] += 1

    for item in open_items.filter(
        escalated_at__isnull=True, due_date__lt=today - timedelta(days=ESCALATE_AFTER_DAYS)
    ):
        if _claim(item, "escalated_at", now):
            leaders = leaders if leaders is not None else _leaders(org)
            title, due = _title(item), item.due_date
            who = item.owner.get_short_name() if item.owner else ""
            _send(
                org,
                item,
                event="task.escalated",
                users=leaders,
                webhooks=True,
                subject=lambda t=title: _("Still open a week after its due date: %(title)s") % {"title": t},
                body=lambda t=title, d=due, w=who: (
                    _(
                        "“%(title)s” was due on %(date)s and is still open (responsible: %(who)s). Please check whether it needs help or a new date."
                    )
                    % {"title": t, "date": d.isoformat(), "who": w or _("nobody yet")}
                ),
            )
            counts["escalated"] += 1
    return counts


def _digest_claim(org: Organization, user, week: date) -> bool:
    try:
        with transaction.atomic():
            DigestSent.objects.create(organization=org, user=user, week=week)
    except IntegrityError:
        return False
    return True


def digest_run(*, org: Organization, today: date) -> int:
    """On Mondays: each member's own open items, and one summary for the team chat. Returns e-mails queued."""
    if today.weekday() != DIGEST_WEEKDAY:
        return 0
    week = today
    items = list(
        ActionItem.objects.filter(organization=org, status__in=ActionItem.OPEN).select_related("owner")
    )
    if not items:
        return 0
    opted_out = set(
        NotificationPreference.objects.filter(organization=org, digest_enabled=False).values_list(
            "user_id", flat=True
        )
    )
    by_owner: dict[int, list[ActionItem]] = {}
    for item in items:
        if item.owner_id:
            by_owner.setdefault(item.owner_id, []).append(item)
    sent = 0
    members = {m.user_id: m.user for m in Membership.objects.filter(organization=org).select_related("user")}
    for user_id, own in sorted(by_owner.items()):
        user = members.get(user_id)
        if user is None or user_id in opted_out or not _digest_claim(org, user, week):
            continue
        lines = [f"- {_title(i)}" + (f" ({i.due_date.isoformat()})" if i.due_date else "") for i in own]
        overdue = sum(1 for i in own if i.due_date and i.due_date < today)
        count = len(own)
        notification_send(
            org=org,
            event="digest.weekly",
            users=[user],
            webhooks=False,
            url=reverse("org:actionitem_mine", args=[org.slug]),
            subject=lambda n=count: (
                ngettext("This week: %(count)s security task", "This week: %(count)s security tasks", n)
                % {"count": n}
            ),
            body=lambda lines=lines, overdue=overdue: "\n".join(
                [_("Your open tasks in the security plan:"), *lines]
                + (
                    [
                        ngettext("%(count)s of them is overdue.", "%(count)s of them are overdue.", overdue)
                        % {"count": overdue}
                    ]
                    if overdue
                    else []
                )
            ),
        )
        sent += 1
    if _digest_claim(org, None, week):
        total, overdue = len(items), sum(1 for i in items if i.due_date and i.due_date < today)
        unassigned = sum(1 for i in items if not i.owner_id)
        notification_send(
            org=org,
            event="digest.team",
            users=[],
            webhooks=True,
            url=reverse("org:pillar_controls", args=[org.slug]),
            subject=_("Weekly security plan summary"),
            body=_("Open items: %(total)s, overdue: %(overdue)s, without anyone responsible: %(unassigned)s.")
            % {"total": total, "overdue": overdue, "unassigned": unassigned},
        )
    return sent


def tick(*, now: datetime | None = None) -> dict[str, int]:
    """Everything the clock does, for every organisation: recurring occurrences, ageing evidence,
    reminders and the weekly summary. Safe to run often and from several workers."""
    from ippo.program.services import evidence_age_check, recurring_occurrences_create

    now = now or timezone.now()
    today = timezone.localdate(now)
    totals = {"occurrences": 0, "aged": 0, "due": 0, "overdue": 0, "escalated": 0, "digests": 0}
    for org in Organization.objects.all().order_by("pk"):
        with scope(organization=org):
            totals["occurrences"] += recurring_occurrences_create(org=org, today=today)
            totals["aged"] += len(evidence_age_check(org=org, today=today))
            for key, value in reminders_run(org=org, today=today, now=now).items():
                totals[key] += value
            totals["digests"] += digest_run(org=org, today=today)
            for name, run in app_clocks():
                for key, value in run(org=org, today=today, now=now).items():
                    totals[f"{name}.{key}"] = totals.get(f"{name}.{key}", 0) + value
    return totals


@lru_cache(maxsize=1)
def app_clocks() -> tuple:
    """Every other app's clock work: `ippo/<app>/clock.py` defining `run(*, org, today, now) -> dict[str, int]`
    (counts of what it did). Called once per organisation inside its scope, after the programme's own work.
    An app must make `run` safe to repeat and safe to run from several workers at once (claim with a
    conditional UPDATE)."""
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("ippo.") or config.name == "ippo.program":
            continue
        try:
            module = importlib.import_module(f"{config.name}.clock")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.clock":
                raise
            continue
        found.append((config.label, module.run))
    return tuple(found)
