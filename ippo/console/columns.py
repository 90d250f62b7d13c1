"""Console columns from other modules, one grouped query each (see ippo.console.selectors). Each takes the
organisation ids and today's date and returns {org_id: {ConsoleRow field: value}}."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q


def _rate(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def training_rate(org_ids: list[int], today: date) -> dict[int, dict]:
    """Completed / assigned lessons of people still employed (as the training pillar counts them)."""
    from ippo.training.models import Assignment

    rows = (
        Assignment.objects.filter(organization_id__in=org_ids, cancelled_at__isnull=True, employee__is_active=True)
        .values("organization_id")
        .annotate(assigned=Count("pk"), done=Count("pk", filter=Q(completed_at__isnull=False)))
    )
    return {r["organization_id"]: {"training_rate": _rate(r["done"], r["assigned"])} for r in rows}


def drill_report_rate(org_ids: list[int], today: date) -> dict[int, dict]:
    """The report rate of each organisation's last finished drill (from its stored totals once the
    per-person results have been deleted)."""
    from ippo.phishing.models import Drill, Recipient

    last: dict[int, Drill] = {}
    for drill in (
        Drill.objects.filter(organization_id__in=org_ids, status=Drill.Status.FINISHED)
        .order_by("organization_id", "-finished_at", "-pk")
        .only("pk", "organization_id", "purged_at", "summary")
    ):
        last.setdefault(drill.organization_id, drill)
    live = [d.pk for d in last.values() if d.purged_at is None]
    counts = {
        r["drill_id"]: r
        for r in Recipient.objects.filter(drill_id__in=live)
        .values("drill_id")
        .annotate(
            sent=Count("pk", filter=Q(sent_at__isnull=False)),
            reported=Count("pk", filter=Q(sent_at__isnull=False, reported_at__isnull=False)),
        )
    }
    out = {}
    for org_id, drill in last.items():
        if drill.purged_at is None:
            row = counts.get(drill.pk, {"sent": 0, "reported": 0})
            rate = _rate(row["reported"], row["sent"])
        else:
            stored = (drill.summary or {}).get("report_rate")
            rate = round(stored) if stored is not None else None
        out[org_id] = {"drill_report_rate": rate}
    return out


def open_incidents(org_ids: list[int], today: date) -> dict[int, dict]:
    from ippo.incidents.models import Incident, Status

    rows = (
        Incident.objects.filter(organization_id__in=org_ids)
        .exclude(status=Status.CLOSED)
        .values("organization_id")
        .annotate(n=Count("pk"))
    )
    counts = {r["organization_id"]: r["n"] for r in rows}
    return {org_id: {"open_incidents": counts.get(org_id, 0)} for org_id in org_ids}


ALL: list = [training_rate, drill_report_rate, open_incidents]
