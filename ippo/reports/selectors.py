"""Everything the owner's dashboard and the board report show, derived from the programme — no double
entry. One function, `overview(org, today)`, gathers it in a fixed number of queries whatever the data
volume, so the dashboard page and the PDF always tell the same story."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q

from ippo.assessments import results, scoring
from ippo.assessments.models import Assessment
from ippo.assessments.selectors import COST_LABELS, TIERS, function_label
from ippo.catalog.loader import catalog_get
from ippo.core.models import Organization
from ippo.program.models import ActionItem, ControlStatus, RecurringTask
from ippo.program.selectors import control_statuses, control_title, it_uses_of, score_from_statuses

# Planning figures for a yearly budget by the catalog's cost band (README: "low" is under about ¥50,000 a
# year). They are rough orders of magnitude to start a budget conversation, not quotes.
BUDGET_YEN = {"free": 0, "low": 50_000, "medium": 300_000}
FUND_NEXT = 8
TOP_RISKS = 5


@dataclass(frozen=True)
class FundItem:
    item: ActionItem
    title: str
    cost: str
    cost_label: str
    budget_yen: int
    effort_hours: float


@dataclass(frozen=True)
class TrendPoint:
    label: str
    score: float
    kind: str  # quick | full | now


@dataclass
class Overview:
    org: Organization
    today: date
    score: scoring.Score
    tier: tuple | None
    previous: Assessment | None
    trend: list[TrendPoint]
    by_function: list[dict]
    risks: list  # registers.selectors.RiskRow, top five
    risk_total_yen: int
    risk_residual_yen: int
    fund_next: list[FundItem]
    fund_total_yen: int
    fund_free_count: int
    open_count: int
    overdue: list[ActionItem]
    overdue_count: int
    unassigned_count: int
    recurring_next: list[RecurringTask]
    in_place: int
    applicable: int
    basic_policy_approved: bool
    decisions: list[dict] = field(default_factory=list)
    # Pillars 3 and 5 (ippo.training, ippo.phishing, ippo.incidents): see people_and_incidents().
    training: dict = field(default_factory=dict)
    drills: dict = field(default_factory=dict)
    incidents: dict = field(default_factory=dict)


def overview(org: Organization, today: date) -> Overview:
    from ippo.policies.selectors import basic_policy_in_force
    from ippo.registers.selectors import risk_register

    catalog = catalog_get()
    it_uses = it_uses_of(org)
    applicable = results.applicable_controls(catalog, it_uses)
    statuses = control_statuses(org)
    score = score_from_statuses(statuses, it_uses)

    history = list(
        Assessment.objects.filter(organization=org, status=Assessment.Status.COMPLETED)
        .order_by("completed_at", "pk")
        .only("pk", "kind", "completed_at", "result", "organization_id")
    )
    previous = history[-1] if history else None
    trend = [TrendPoint(a.completed_at.date().isoformat(), a.result["overall"] or 0, a.kind) for a in history]
    if score.overall is not None:
        trend.append(TrendPoint(today.isoformat(), score.overall, "now"))
    by_function = []
    for fn in scoring.FUNCTIONS:
        now_value = score.by_function.get(fn)
        before = previous.result["by_function"].get(fn) if previous else None
        by_function.append(
            {
                "code": fn,
                "label": function_label(fn),
                "value": now_value,
                "before": before,
                "delta": None if now_value is None or before is None else round(now_value - before, 1),
            }
        )

    register = risk_register(org, statuses)
    live_risks = [r for r in register.rows if not r.is_closed]

    open_items = ActionItem.objects.filter(organization=org, status__in=ActionItem.OPEN)
    counts = open_items.aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(due_date__lt=today)),
        unassigned=Count("pk", filter=Q(owner__isnull=True)),
    )
    fund = []
    for item in open_items.filter(source=ActionItem.Source.GAP).select_related("owner").order_by("-priority", "pk")[:FUND_NEXT]:
        try:
            control = catalog.control(item.control_id)
        except KeyError:
            continue
        fund.append(
            FundItem(
                item,
                str(control.title),
                control.cost,
                str(COST_LABELS[control.cost]),
                BUDGET_YEN[control.cost],
                control.effort_hours,
            )
        )
    overdue = list(open_items.filter(due_date__lt=today).select_related("owner").order_by("due_date", "pk")[:5])
    for item in overdue:
        item.display_title = item.title or control_title(item.control_id)
    recurring = list(
        RecurringTask.objects.filter(organization=org, is_active=True).select_related("owner").order_by("next_due", "pk")[:5]
    )
    for task in recurring:
        task.display_title = task.title or control_title(task.control_id)
    applicable_ids = {c.id for c in applicable}
    data = Overview(
        org=org,
        today=today,
        score=score,
        tier=TIERS.get(score.tier),
        previous=previous,
        trend=trend,
        by_function=by_function,
        risks=live_risks[:TOP_RISKS],
        risk_total_yen=register.expected_total_yen,
        risk_residual_yen=register.residual_total_yen,
        fund_next=fund,
        fund_total_yen=sum(f.budget_yen for f in fund),
        fund_free_count=sum(1 for f in fund if f.cost == "free"),
        open_count=counts["open"],
        overdue=overdue,
        overdue_count=counts["overdue"],
        unassigned_count=counts["unassigned"],
        recurring_next=recurring,
        in_place=sum(1 for cid, s in statuses.items() if s == ControlStatus.Status.IMPLEMENTED and cid in applicable_ids),
        applicable=len(applicable_ids),
        basic_policy_approved=basic_policy_in_force(org) is not None,
    )
    data.training, data.drills, data.incidents = people_and_incidents(org, today)
    data.decisions = decisions(data)
    return data


def people_and_incidents(org: Organization, today: date) -> tuple[dict, dict, dict]:
    """Training completion, the last phishing drill (report rate first) and open incidents, from each
    module's own summary selector (a fixed number of queries each)."""
    from ippo.incidents.selectors import incident_summary
    from ippo.phishing.results import drill_summary
    from ippo.training.selectors import training_summary

    return training_summary(org, today=today), drill_summary(org), incident_summary(org, today=today)


def decisions(data: Overview) -> list[dict]:
    """What the report asks the executive to decide, each with the numbers behind it."""
    from django.utils.translation import gettext as _

    from ippo.lib.text import quote

    asks = []
    if data.fund_next and data.fund_total_yen:
        asks.append(
            {
                "title": _("Approve the budget for the next measures"),
                "detail": _(
                    "%(count)s measures, about %(yen)s yen a year in total; %(free)s of them cost nothing but working time."
                )
                % {"count": len(data.fund_next), "yen": f"{data.fund_total_yen:,}", "free": data.fund_free_count},
            }
        )
    elif data.fund_next:
        hours = sum(f.effort_hours for f in data.fund_next)
        asks.append(
            {
                "title": _("Give staff the time for the next measures"),
                "detail": _("%(count)s measures cost nothing but working time: about %(hours)s hours in total.")
                % {"count": len(data.fund_next), "hours": f"{hours:g}"},
            }
        )
    if data.unassigned_count:
        asks.append(
            {
                "title": _("Name who is responsible for the open items"),
                "detail": _("%(count)s items in the plan have nobody responsible yet.") % {"count": data.unassigned_count},
            }
        )
    if data.overdue_count:
        asks.append(
            {
                "title": _("Unblock the overdue items"),
                "detail": _("%(count)s items are past their due date: give them time or set realistic dates.")
                % {"count": data.overdue_count},
            }
        )
    if data.risks:
        top = data.risks[0]
        asks.append(
            {
                "title": _("Decide how to treat the largest risk"),
                "detail": _("%(risk)s: about %(yen)s yen a year expected. Reduce it with the planned measures, insure it, or accept it knowingly.")
                % {"risk": quote(top.risk.title_text), "yen": f"{top.estimate.expected_annual_yen:,}"},
            }
        )
    if not data.basic_policy_approved:
        asks.append(
            {
                "title": _("Approve the basic security policy"),
                "detail": _("It tells staff and partners that management owns security. ippo prepares a draft to review."),
            }
        )
    return asks
