"""Reads for incidents: the list, the dashboard summary, the people who may handle incidents."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from ippo.core.models import Membership, Organization
from ippo.core.roles import PERMISSIONS
from ippo.incidents.models import Incident, IncidentClock, Status

CLOCK_HORIZON_DAYS = 7


def handlers(org: Organization) -> list:
    """Members whose role may handle incidents: the choices for "person responsible" (one query)."""
    roles = [str(r) for r in PERMISSIONS["incidents.handle"]]
    return [
        m.user
        for m in Membership.objects.filter(organization=org, role__in=roles)
        .select_related("user")
        .order_by("user__name", "user__email")
    ]


def incidents_for_list(org: Organization, *, state: str = "open", near_miss: str = ""):
    """Incidents with their owner, task counts and the next open deadline, in a constant number of queries."""
    qs = Incident.objects.filter(organization=org)
    if state == "open":
        qs = qs.exclude(status=Status.CLOSED)
    elif state == "closed":
        qs = qs.filter(status=Status.CLOSED)
    if near_miss == "yes":
        qs = qs.filter(near_miss=True)
    elif near_miss == "no":
        qs = qs.filter(near_miss=False)
    return (
        qs.select_related("owner")
        .annotate(
            tasks_total=Count("tasks", distinct=True),
            tasks_done=Count("tasks", filter=Q(tasks__done_at__isnull=False), distinct=True),
        )
        .prefetch_related(
            Prefetch(
                "clocks",
                queryset=IncidentClock.objects.filter(done_at__isnull=True).order_by("due_at"),
                to_attr="open_clocks",
            )
        )
        .order_by("-aware_at", "-pk")
    )


def _end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max))


def incident_summary(org: Organization, *, today: date) -> dict:
    """For the dashboard: open incidents, open ones by severity, near misses recorded this year, and legal or
    contractual deadlines due within 7 days or already overdue (not yet met)."""
    open_rows = (
        Incident.objects.filter(organization=org)
        .exclude(status=Status.CLOSED)
        .values("severity")
        .annotate(n=Count("pk"))
    )
    by_severity = dict.fromkeys(range(1, 6), 0)
    for row in open_rows:
        by_severity[row["severity"]] = row["n"]
    year_start = timezone.make_aware(datetime(today.year, 1, 1))
    near_misses = Incident.objects.filter(
        organization=org, near_miss=True, aware_at__gte=year_start, aware_at__lte=_end_of(today)
    ).count()
    clocks_due = IncidentClock.objects.filter(
        organization=org,
        done_at__isnull=True,
        due_at__lte=_end_of(today + timedelta(days=CLOCK_HORIZON_DAYS)),
    ).count()
    return {
        "open": sum(by_severity.values()),
        "by_severity": by_severity,
        "near_misses_this_year": near_misses,
        "clocks_due": clocks_due,
    }
