"""Reads of the checks app."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery

from ippo.checks.messages import ADVICE, CHECK_LABELS, GROUPS, STATUS_LABELS
from ippo.checks.models import CheckOutcome, CheckRun, Domain
from ippo.checks.results import worst


def domains_for_list(org):
    """Domains with their latest finished run (one query for the domains, one for the runs)."""
    latest = CheckRun.objects.filter(domain=OuterRef("pk"), state=CheckRun.State.DONE).order_by(
        "-created_at", "-pk"
    )
    domains = list(
        Domain.objects.filter(organization=org).annotate(latest_run_id=Subquery(latest.values("pk")[:1]))
    )
    runs = {
        r.pk: r for r in CheckRun.objects.filter(pk__in=[d.latest_run_id for d in domains if d.latest_run_id])
    }
    for domain in domains:
        domain.latest_run = runs.get(domain.latest_run_id)
    return domains


def run_latest(domain: Domain) -> CheckRun | None:
    return domain.runs.filter(state=CheckRun.State.DONE).order_by("-created_at", "-pk").first()


def run_groups(run: CheckRun) -> list[dict]:
    """The run's results grouped (mail, website, exposure), worst first inside each group, with advice."""
    outcomes = {o.check_name: o for o in CheckOutcome.objects.filter(run=run)}
    groups = []
    for key, title, checks in GROUPS:
        rows = []
        for check in checks:
            outcome = outcomes.get(check)
            if outcome is None:
                continue
            impact, fix = ADVICE.get(check, ("", ""))
            rows.append(
                {
                    "check": check,
                    "label": CHECK_LABELS.get(check, check),
                    "status": outcome.status,
                    "status_label": STATUS_LABELS[outcome.status],
                    "message": outcome.message,
                    "impact": impact if outcome.status in ("fail", "warn") else "",
                    "fix": fix if outcome.status in ("fail", "warn") else "",
                }
            )
        if rows:
            order = {"fail": 0, "warn": 1, "unknown": 2, "pass": 3, "na": 4}
            rows.sort(key=lambda r: order[r["status"]])
            status = worst(r["status"] for r in rows)
            groups.append(
                {
                    "key": key,
                    "title": title,
                    "rows": rows,
                    "status": status,
                    "status_label": STATUS_LABELS[status],
                }
            )
    return groups


def run_history(domain: Domain, limit: int = 20) -> list[CheckRun]:
    return list(domain.runs.order_by("-created_at", "-pk")[:limit])
