"""Deadline reminders for incidents, run by the programme clock (`ippo program tick`, every 5 minutes under
`ippo serve`) for each organisation inside its scope.

- Due soon: REMIND_BEFORE before a deadline that is not met, to the person responsible for the incident and
  the organisation's owners and managers.
- Overdue: once the deadline has passed, to the same people and the team chat.
- Response targets (SLA_HOURS by severity, counted from awareness): when an incident is still "new" after its
  acknowledge target, or not yet contained after its contain target, to the same people (near misses excepted
  from the contain target).

Each reminder is claimed with a conditional UPDATE before it is sent, so running twice, or from two workers at
once, sends it once. Messages name the deadline and the incident number, never the incident's details.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from ippo.core.models import Membership, Organization
from ippo.core.notify import notification_send
from ippo.incidents.models import SLA_HOURS, ClockKind, Incident, IncidentClock, Severity, Status

REMIND_BEFORE = timedelta(days=1)


def _claim(clock: IncidentClock, field: str, now: datetime) -> bool:
    return IncidentClock.objects.filter(pk=clock.pk, **{f"{field}__isnull": True}).update(**{field: now}) == 1


def _recipients(org: Organization, clock: IncidentClock, leaders: list) -> list:
    people = {u.pk: u for u in leaders}
    if clock.incident.owner_id:
        people.setdefault(clock.incident.owner_id, clock.incident.owner)
    return list(people.values())


def _leaders(org: Organization) -> list:
    return [
        m.user
        for m in Membership.objects.filter(organization=org, role__in=["owner", "manager"]).select_related(
            "user"
        )
    ]


def _past_target(now: datetime, which: int) -> Q:
    """Incidents whose acknowledge (which=0) or contain (which=1) target has passed."""
    q = Q(pk__in=[])
    for severity, hours in SLA_HOURS.items():
        if hours[which] is not None:
            q |= Q(severity=severity, aware_at__lte=now - timedelta(hours=hours[which]))
    return q


def _sla_run(org: Organization, now: datetime, leaders_get) -> dict[str, int]:
    counts = {"sla_ack": 0, "sla_contain": 0}
    incidents = Incident.objects.filter(organization=org).select_related("owner")
    targets = (
        (
            "sla_ack",
            "sla_ack_notified_at",
            incidents.filter(_past_target(now, 0), status=Status.NEW, sla_ack_notified_at__isnull=True),
            lambda n, sev: (
                _("Not yet acknowledged: incident #%(number)s (%(severity)s)")
                % {"number": n, "severity": Severity(sev).label}
            ),
            lambda n, sev: (
                _(
                    "Incident #%(number)s (%(severity)s) has passed its target time for someone to take it on. "
                    "Open it, choose who is responsible and move it to triage."
                )
                % {"number": n, "severity": Severity(sev).label}
            ),
        ),
        (
            "sla_contain",
            "sla_contain_notified_at",
            incidents.filter(
                _past_target(now, 1),
                status__in=[Status.NEW, Status.TRIAGE, Status.CONTAINMENT],
                near_miss=False,
                contained_at__isnull=True,
                sla_contain_notified_at__isnull=True,
            ),
            lambda n, sev: (
                _("Not yet contained: incident #%(number)s (%(severity)s)")
                % {"number": n, "severity": Severity(sev).label}
            ),
            lambda n, sev: (
                _(
                    "Incident #%(number)s (%(severity)s) has passed its target time for stopping the harm from "
                    "spreading. Check the first-hour checklist and ask for outside help if you are stuck."
                )
                % {"number": n, "severity": Severity(sev).label}
            ),
        ),
    )
    for key, field, rows, subject, body in targets:
        for incident in rows:
            if (
                Incident.objects.filter(pk=incident.pk, **{f"{field}__isnull": True}).update(**{field: now})
                != 1
            ):
                continue
            people = {u.pk: u for u in leaders_get()}
            if incident.owner_id:
                people.setdefault(incident.owner_id, incident.owner)
            number, severity = incident.number, incident.severity
            notification_send(
                org=org,
                event=f"incident.{key}",
                users=list(people.values()),
                subject=lambda n=number, s=severity, f=subject: f(n, s),
                body=lambda n=number, s=severity, f=body: f(n, s),
                url=reverse("org:incident_detail", args=[org.slug, incident.pk]),
                webhooks=False,
            )
            counts[key] += 1
    return counts


def run(*, org: Organization, today: date, now: datetime) -> dict[str, int]:
    counts = {"due": 0, "overdue": 0}
    open_clocks = IncidentClock.objects.filter(organization=org, done_at__isnull=True).select_related(
        "incident", "incident__owner"
    )
    leaders = None

    def send(clock, *, event, subject, body, webhooks):
        nonlocal leaders
        leaders = leaders if leaders is not None else _leaders(org)
        notification_send(
            org=org,
            event=event,
            users=_recipients(org, clock, leaders),
            subject=subject,
            body=body,
            url=reverse("org:incident_detail", args=[org.slug, clock.incident_id]),
            webhooks=webhooks,
        )

    for clock in open_clocks.filter(
        reminded_at__isnull=True, due_at__gt=now, due_at__lte=now + REMIND_BEFORE
    ):
        if _claim(clock, "reminded_at", now):
            number, kind, due = clock.incident.number, clock.kind, clock.due_at
            send(
                clock,
                event="incident.deadline_soon",
                webhooks=False,
                subject=lambda n=number, k=kind: (
                    _("Deadline within a day: %(what)s (incident #%(number)s)")
                    % {"what": ClockKind(k).label, "number": n}
                ),
                body=lambda n=number, k=kind, d=due: (
                    _(
                        "The deadline “%(what)s” for incident #%(number)s is %(due)s. When it is done, mark it as met in ippo."
                    )
                    % {"what": ClockKind(k).label, "number": n, "due": _when(d)}
                ),
            )
            counts["due"] += 1

    for clock in open_clocks.filter(overdue_notified_at__isnull=True, due_at__lte=now):
        if _claim(clock, "overdue_notified_at", now):
            number, kind, due = clock.incident.number, clock.kind, clock.due_at
            send(
                clock,
                event="incident.deadline_overdue",
                webhooks=True,
                subject=lambda n=number, k=kind: (
                    _("Deadline passed: %(what)s (incident #%(number)s)")
                    % {"what": ClockKind(k).label, "number": n}
                ),
                body=lambda n=number, k=kind, d=due: (
                    _(
                        "The deadline “%(what)s” for incident #%(number)s was %(due)s and is not marked as met. "
                        "If it is late, do it now: a late report is better than none."
                    )
                    % {"what": ClockKind(k).label, "number": n, "due": _when(d)}
                ),
            )
            counts["overdue"] += 1

    def leaders_get():
        nonlocal leaders
        leaders = leaders if leaders is not None else _leaders(org)
        return leaders

    counts.update(_sla_run(org, now, leaders_get))
    return counts


def _when(moment: datetime) -> str:
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
