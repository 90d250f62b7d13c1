"""The advisor console: one row per client organisation, built with a fixed number of queries however
many organisations there are (one query per column, grouped by organisation), then sorted in memory.

The console reads across organisations, so it runs outside any django-scopes scope (`scopes_disabled`);
every query here is limited to `organization__in=<the organisations the user's memberships allow>`, which
`console_orgs` computes from the user's own memberships — the same source `ippo.core.tenancy` uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Q
from django_scopes import scopes_disabled

from ippo.core.models import Membership, Organization
from ippo.core.roles import role_has_permission

SORTS = ("name", "score", "-score", "overdue", "last_assessment", "training", "drill", "incidents")
STALE_AFTER = timedelta(days=365)
BENCHMARK_MIN_GROUP = 5


@dataclass
class ConsoleRow:
    org: Organization
    role: str
    score: float | None = None
    tier: int | None = None
    previous_score: float | None = None
    last_assessment: datetime | None = None
    open_items: int = 0
    overdue_items: int = 0
    training_rate: int | None = None
    drill_report_rate: int | None = None
    open_incidents: int | None = None
    extra: dict = field(default_factory=dict)

    @property
    def delta(self) -> float | None:
        if self.score is None or self.previous_score is None:
            return None
        return round(self.score - self.previous_score, 1)

    def needs_attention(self, today: date) -> bool:
        stale = self.last_assessment is None or self.last_assessment.date() < today - STALE_AFTER
        return stale or self.overdue_items > 0 or (self.score is not None and self.score < 40)


def console_orgs(user) -> list[Membership]:
    """The memberships whose organisation the console may show: roles that can see the programme."""
    with scopes_disabled():
        memberships = (
            Membership.objects.filter(user=user).select_related("organization").order_by("organization__name")
        )
        return [m for m in memberships if role_has_permission(m.role, "program.view")]


def _scores(org_ids: list[int]) -> dict[int, list[tuple]]:
    from ippo.assessments.models import Assessment

    out: dict[int, list[tuple]] = {}
    rows = (
        Assessment.objects.filter(organization_id__in=org_ids, status=Assessment.Status.COMPLETED)
        .order_by("organization_id", "-completed_at", "-pk")
        .values_list("organization_id", "completed_at", "result__overall", "result__tier")
    )
    for org_id, completed_at, overall, tier in rows:
        out.setdefault(org_id, []).append((completed_at, overall, tier))
    return out


def _items(org_ids: list[int], today: date) -> dict[int, dict]:
    from ippo.program.models import ActionItem

    rows = (
        ActionItem.objects.filter(organization_id__in=org_ids, status__in=ActionItem.OPEN)
        .values("organization_id")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)))
    )
    return {r["organization_id"]: r for r in rows}


def console_rows(user, *, today: date, extra_columns=None) -> list[ConsoleRow]:
    memberships = console_orgs(user)
    org_ids = [m.organization_id for m in memberships]
    with scopes_disabled():
        scores = _scores(org_ids)
        items = _items(org_ids, today)
        extras = [column(org_ids, today) for column in (extra_columns or console_columns())]
    rows = []
    for m in memberships:
        row = ConsoleRow(org=m.organization, role=m.role)
        history = scores.get(m.organization_id, [])
        if history:
            row.last_assessment, row.score, row.tier = history[0]
            if len(history) > 1:
                row.previous_score = history[1][1]
        counts = items.get(m.organization_id)
        if counts:
            row.open_items, row.overdue_items = counts["open"], counts["overdue"]
        for values in extras:
            for key, value in values.get(m.organization_id, {}).items():
                setattr(row, key, value)
        rows.append(row)
    return rows


def console_columns() -> list:
    """Columns from the people and incident modules: each a function (org_ids, today) → {org_id: {field:
    value}} that runs one grouped query. Missing modules simply leave their columns empty."""
    from ippo.console import columns

    return columns.ALL


def sort_rows(rows: list[ConsoleRow], sort: str) -> list[ConsoleRow]:
    descending = sort.startswith("-")
    key = sort.lstrip("-")

    def value(row: ConsoleRow):
        if key == "name":
            return (0, row.org.name.casefold())
        if key == "last_assessment":
            stamp = row.last_assessment.timestamp() if row.last_assessment else None
            return (stamp is None, stamp or 0)
        number = {
            "score": row.score,
            "overdue": row.overdue_items,
            "training": row.training_rate,
            "drill": row.drill_report_rate,
            "incidents": row.open_incidents,
        }.get(key)
        return (number is None, number or 0)

    ordered = sorted(rows, key=value)
    if descending:
        present = [r for r in ordered if value(r)[0] is False]
        missing = [r for r in ordered if value(r)[0] is not False]
        ordered = list(reversed(present)) + missing
    elif key == "overdue":
        ordered = sorted(rows, key=lambda r: (-r.overdue_items, r.org.name.casefold()))
    return ordered


# --- Benchmarking --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Benchmark:
    industry: str
    headcount: str
    count: int
    lower_quartile: float
    median: float
    upper_quartile: float
    own: float | None


def _quantile(values: list[float], q: float) -> float:
    values = sorted(values)
    if len(values) == 1:
        return values[0]
    position = (len(values) - 1) * q
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return round(values[low] + (values[high] - values[low]) * (position - low), 1)


def benchmark_for(org: Organization) -> Benchmark | None:
    """This organisation's latest score against the opted-in organisations of the same industry and size
    band, or None when it has no profile or fewer than BENCHMARK_MIN_GROUP organisations share the group.
    Only quartiles are returned: nothing that identifies another organisation."""
    from ippo.assessments.models import CompanyProfile
    from ippo.console.models import BenchmarkParticipation

    with scopes_disabled():
        profile = CompanyProfile.objects.filter(organization=org).first()
        if profile is None or not profile.industry or not profile.headcount:
            return None
        peers = list(
            CompanyProfile.objects.filter(
                industry=profile.industry,
                headcount=profile.headcount,
                organization_id__in=BenchmarkParticipation.objects.values("organization_id"),
            ).values_list("organization_id", flat=True)
        )
        scores = {
            org_id: history[0][1]
            for org_id, history in _scores([*peers, org.pk]).items()
            if history[0][1] is not None
        }
    others = [score for org_id, score in scores.items() if org_id != org.pk]
    if len(others) < BENCHMARK_MIN_GROUP:
        return None
    return Benchmark(
        industry=profile.industry,
        headcount=profile.headcount,
        count=len(others),
        lower_quartile=_quantile(others, 0.25),
        median=_quantile(others, 0.5),
        upper_quartile=_quantile(others, 0.75),
        own=scores.get(org.pk),
    )
