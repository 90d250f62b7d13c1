"""Reads for the programme: the live score from control status, the plan with its filters, evidence age."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Max, Q

from ippo.assessments import results, scoring
from ippo.catalog.loader import catalog_get
from ippo.core.models import Organization
from ippo.program.models import RECURRENCE_MONTHS, ActionItem, ControlStatus, Evidence

ANSWER_FOR_STATUS = {
    ControlStatus.Status.IMPLEMENTED: "yes",
    ControlStatus.Status.PARTIAL: "partial",
    ControlStatus.Status.NOT_IMPLEMENTED: "no",
    ControlStatus.Status.UNKNOWN: "unknown",
}


def it_uses_of(org: Organization) -> list[str]:
    from ippo.assessments.services import profile_get

    profile = profile_get(org=org)
    return profile.it_uses if profile else []


def control_statuses(org: Organization) -> dict[str, str]:
    """Control id → status code (implemented, partial, not_implemented, unknown), one query."""
    return dict(ControlStatus.objects.filter(organization=org).values_list("control_id", "status"))


def score_from_statuses(statuses: dict[str, str], it_uses) -> scoring.Score:
    """The assessment rules applied to control statuses (no query)."""
    answers = {cid: ANSWER_FOR_STATUS[status] for cid, status in statuses.items()}
    return scoring.assessment_score(answers, results.applicable_controls(catalog_get(), it_uses))


def current_score(org: Organization) -> scoring.Score:
    """The score as things stand now: the assessment rules applied to today's control status, so a
    completed action item moves it straight away (two queries)."""
    return score_from_statuses(control_statuses(org), it_uses_of(org))


def control_title(control_id: str) -> str:
    try:
        return str(catalog_get().control(control_id).title)
    except KeyError:
        return control_id


@dataclass
class PlanFilters:
    status: str = "open"  # open | done | all
    owner: str = ""  # "" | "me" | "none" | user id
    source: str = ""
    function: str = ""
    overdue: bool = False

    @classmethod
    def from_query(cls, query) -> PlanFilters:
        status = query.get("status", "open")
        return cls(
            status=status if status in ("open", "done", "all") else "open",
            owner=query.get("owner", ""),
            source=query.get("source", "") if query.get("source", "") in ActionItem.Source.values else "",
            function=query.get("function", "") if query.get("function", "") in scoring.FUNCTIONS else "",
            overdue=query.get("overdue") == "1",
        )


def plan_items(org: Organization, filters: PlanFilters, user, today: date):
    """The action plan as a queryset (one query when evaluated; owners joined)."""
    qs = ActionItem.objects.filter(organization=org).select_related("owner")
    if filters.status == "open":
        qs = qs.filter(status__in=ActionItem.OPEN)
    elif filters.status == "done":
        qs = qs.filter(status__in=[ActionItem.Status.DONE, ActionItem.Status.DROPPED])
    if filters.owner == "me":
        qs = qs.filter(owner=user)
    elif filters.owner == "none":
        qs = qs.filter(owner__isnull=True)
    elif filters.owner.isdigit():
        qs = qs.filter(owner_id=int(filters.owner))
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.function:
        ids = [c.id for c in catalog_get().controls if c.function == filters.function]
        qs = qs.filter(control_id__in=ids)
    if filters.overdue:
        qs = qs.filter(status__in=ActionItem.OPEN, due_date__lt=today)
    return (
        qs.order_by("-priority", "due_date", "pk")
        if filters.status != "done"
        else qs.order_by("-completed_at", "-pk")
    )


def my_items(org: Organization, user):
    return (
        ActionItem.objects.filter(organization=org, owner=user, status__in=ActionItem.OPEN)
        .select_related("owner")
        .order_by("due_date", "-priority", "pk")
    )


@dataclass(frozen=True)
class EvidenceAge:
    control_id: str
    latest: date
    months: int

    @property
    def stale_since(self) -> date:
        from ippo.program.services import add_months

        return add_months(self.latest, self.months)


def stale_evidence(org: Organization, today: date, control_ids=None) -> dict[str, EvidenceAge]:
    """Controls with a recurrence whose newest evidence is older than that recurrence (one query)."""
    catalog = catalog_get()
    evidence = Evidence.objects.filter(organization=org).exclude(control_id="")
    if control_ids is not None:
        evidence = evidence.filter(control_id__in=list(control_ids))
    latest = dict(
        evidence.values_list("control_id")
        .annotate(latest=Max("performed_on"))
        .values_list("control_id", "latest")
    )
    stale = {}
    for control_id, newest in latest.items():
        try:
            control = catalog.control(control_id)
        except KeyError:
            continue
        if control.recurrence:
            age = EvidenceAge(control_id, newest, RECURRENCE_MONTHS[control.recurrence])
            if age.stale_since < today:
                stale[control_id] = age
    return stale


def open_item_counts(org: Organization, today: date) -> dict[str, int]:
    from django.db.models import Count

    return ActionItem.objects.filter(organization=org, status__in=ActionItem.OPEN).aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(due_date__lt=today)),
        unassigned=Count("pk", filter=Q(owner__isnull=True)),
    )
