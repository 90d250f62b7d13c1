"""Drill results: report rate and time-to-report first, then verified clicks and submits.

Every figure is counted over the recipients the mail was *sent* to. Rates are percentages (0–100, one
decimal) and are None when nothing was sent. "Clicks" are verified clicks (confirmed by a human action on
the page); clicks never confirmed are counted separately as likely link-scanner clicks. Departments with
fewer than `MIN_GROUP` recipients are never shown, so that no one can be singled out.

Each function runs a fixed number of queries, however many recipients a drill has. After the retention
purge a drill's figures come from `Drill.summary` (written by `drill_results_compute(for_storage=True)`).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date, datetime

from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ippo.phishing.models import Drill, Recipient

MIN_GROUP = 5
SUMMARY_VERSION = 1

def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


_COUNTS = {
    "recipients": Count("pk", filter=Q(sent_at__isnull=False)),
    "opened": Count("pk", filter=Q(sent_at__isnull=False, opened_at__isnull=False)),
    "reported": Count("pk", filter=Q(sent_at__isnull=False, reported_at__isnull=False)),
    "verified_clicks": Count("pk", filter=Q(sent_at__isnull=False, verified_click_at__isnull=False)),
    "submitted": Count("pk", filter=Q(sent_at__isnull=False, submitted_at__isnull=False)),
    "scanner_clicks": Count(
        "pk", filter=Q(sent_at__isnull=False, clicked_at__isnull=False, verified_click_at__isnull=True)
    ),
    "total": Count("pk"),
}


def _figures(counts: dict, minutes: list[float]) -> dict:
    n = counts.get("recipients") or 0
    return {
        "recipients": n,
        "opened": counts.get("opened") or 0,
        "reported": counts.get("reported") or 0,
        "report_rate": _rate(counts.get("reported") or 0, n),
        "median_minutes_to_report": _median(minutes),
        "verified_clicks": counts.get("verified_clicks") or 0,
        "click_rate": _rate(counts.get("verified_clicks") or 0, n),
        "submitted": counts.get("submitted") or 0,
        "submit_rate": _rate(counts.get("submitted") or 0, n),
        "scanner_clicks": counts.get("scanner_clicks") or 0,
    }


def _minutes(sent_at: datetime, reported_at: datetime) -> float:
    return max((reported_at - sent_at).total_seconds() / 60, 0.0)


def drill_results_compute(drill: Drill, *, for_storage: bool = False) -> dict:
    """The figures of one drill from its recipient rows (three queries). JSON-serialisable."""
    recipients = Recipient.objects.filter(drill=drill)
    overall = recipients.aggregate(**_COUNTS)
    by_department = {
        row["department_name"]: row
        for row in recipients.values("department_name").annotate(**_COUNTS).order_by("department_name")
    }
    minutes_all: list[float] = []
    minutes_by_dept: dict[str, list[float]] = defaultdict(list)
    for dept, sent_at, reported_at in recipients.filter(
        sent_at__isnull=False, reported_at__isnull=False
    ).values_list("department_name", "sent_at", "reported_at"):
        m = _minutes(sent_at, reported_at)
        minutes_all.append(m)
        minutes_by_dept[dept].append(m)
    departments, hidden = [], 0
    for name, counts in by_department.items():
        if not counts["recipients"]:
            continue
        if counts["recipients"] < MIN_GROUP:
            hidden += 1
            continue
        departments.append({"name": name, **_figures(counts, minutes_by_dept.get(name, []))})
    result = {
        "version": SUMMARY_VERSION,
        **_figures(overall, minutes_all),
        "not_sent": (overall["total"] or 0) - (overall["recipients"] or 0),
        "departments": departments,
        "hidden_departments": hidden,
    }
    if for_storage:
        result["not_sent"] = 0
    return result


def drill_results(drill: Drill) -> dict:
    """The results of one drill for its detail page (`phishing/_results.html` reads `results`).

    Keys: recipients, opened, reported, report_rate, median_minutes_to_report, verified_clicks, click_rate,
    submitted, submit_rate, scanner_clicks, not_sent, departments (list of the same figures with a `name`,
    only groups of MIN_GROUP or more), hidden_departments, purged (True when the figures come from the
    stored summary), min_group, drill."""
    if drill.purged_at is not None and drill.summary:
        data = dict(drill.summary)
        data.setdefault("departments", [])
        data.setdefault("hidden_departments", 0)
        data.setdefault("not_sent", 0)
        purged = True
    else:
        data = drill_results_compute(drill)
        purged = False
    data.update(purged=purged, min_group=MIN_GROUP, drill=drill)
    return data


FINISHED = (Drill.Status.FINISHED,)
SHOWN = (Drill.Status.SENDING, Drill.Status.RUNNING, Drill.Status.FINISHED)


def _drill_date(drill: Drill) -> date | None:
    moment = drill.started_at or drill.window_start or drill.created_at
    return timezone.localdate(moment) if moment else None


def drill_summary(org) -> dict:
    """For the dashboard and board report: the organisation's finished drills, and the figures of the last
    one. Keys: drills (count of finished drills), last_drill ({"name", "date"} or None), recipients,
    report_rate, median_minutes_to_report, click_rate (verified clicks), submit_rate — the figures are
    those of the last finished drill and are None when there is none. Rates are percentages (0–100).
    Five queries at most. Call it inside the organisation's scope."""
    finished = list(Drill.objects.filter(organization=org, status=Drill.Status.FINISHED).order_by(
        "-finished_at", "-pk"
    )[:1])
    count = Drill.objects.filter(organization=org, status=Drill.Status.FINISHED).count() if finished else 0
    summary = {
        "drills": count,
        "last_drill": None,
        "recipients": None,
        "report_rate": None,
        "median_minutes_to_report": None,
        "click_rate": None,
        "submit_rate": None,
    }
    if not finished:
        return summary
    last = finished[0]
    figures = drill_results(last)
    summary.update(
        last_drill={"name": last.name, "date": _drill_date(last)},
        recipients=figures["recipients"],
        report_rate=figures["report_rate"],
        median_minutes_to_report=figures["median_minutes_to_report"],
        click_rate=figures["click_rate"],
        submit_rate=figures["submit_rate"],
    )
    return summary


def results_overview(org) -> dict:
    """Results across drills (the results page): one row per drill that was sent, the trend of the
    finished ones, departments across finished drills (only cohorts of MIN_GROUP or more count), and the
    people who clicked in more than one drill. Five queries, whatever the number of recipients."""
    drills = list(Drill.objects.filter(organization=org, status__in=SHOWN).order_by("started_at", "created_at", "pk"))
    live_ids = [d.pk for d in drills if d.purged_at is None]
    live = Recipient.objects.filter(organization=org, drill_id__in=live_ids)

    per_drill = {row["drill_id"]: row for row in live.values("drill_id").annotate(**_COUNTS).order_by()}
    per_cohort = {
        (row["drill_id"], row["department_name"]): row
        for row in live.values("drill_id", "department_name").annotate(**_COUNTS).order_by()
    }
    minutes_drill: dict[int, list[float]] = defaultdict(list)
    minutes_cohort: dict[tuple[int, str], list[float]] = defaultdict(list)
    for drill_id, dept, sent_at, reported_at in live.filter(
        sent_at__isnull=False, reported_at__isnull=False
    ).values_list("drill_id", "department_name", "sent_at", "reported_at"):
        m = _minutes(sent_at, reported_at)
        minutes_drill[drill_id].append(m)
        minutes_cohort[(drill_id, dept)].append(m)

    rows = []
    dept_totals: dict[str, dict] = {}
    for drill in drills:
        if drill.purged_at is not None and drill.summary:
            figures = {k: drill.summary.get(k) for k in _figures({}, []).keys()}
            cohorts = drill.summary.get("departments", [])
        else:
            figures = _figures(per_drill.get(drill.pk, {}), minutes_drill.get(drill.pk, []))
            cohorts = [
                {"name": dept, **_figures(counts, minutes_cohort.get((drill.pk, dept), []))}
                for (drill_id, dept), counts in per_cohort.items()
                if drill_id == drill.pk and counts["recipients"] >= MIN_GROUP
            ]
        rows.append({"drill": drill, "date": _drill_date(drill), "purged": drill.purged_at is not None, **figures})
        if drill.status != Drill.Status.FINISHED:
            continue
        for cohort in cohorts:
            total = dept_totals.setdefault(
                cohort["name"],
                {"name": cohort["name"], "drills": 0, "recipients": 0, "reported": 0, "verified_clicks": 0,
                 "submitted": 0, "medians": []},
            )
            total["drills"] += 1
            for key in ("recipients", "reported", "verified_clicks", "submitted"):
                total[key] += cohort.get(key) or 0
            if cohort.get("median_minutes_to_report") is not None:
                total["medians"].append(cohort["median_minutes_to_report"])
    departments = []
    for total in sorted(dept_totals.values(), key=lambda t: t["name"]):
        n = total["recipients"]
        departments.append(
            {
                "name": total["name"],
                "drills": total["drills"],
                "recipients": n,
                "report_rate": _rate(total["reported"], n),
                "median_minutes_to_report": _median(total.pop("medians")),
                "click_rate": _rate(total["verified_clicks"], n),
                "submit_rate": _rate(total["submitted"], n),
            }
        )
    finished_rows = [r for r in rows if r["drill"].status == Drill.Status.FINISHED and r["recipients"]]
    return {
        "rows": list(reversed(rows)),
        "trend": finished_rows,
        "departments": departments,
        "repeat_clickers": repeat_clickers(org),
        "summary": _overall(finished_rows),
        "min_group": MIN_GROUP,
    }


def _overall(rows: list[dict]) -> dict:
    n = sum(r["recipients"] or 0 for r in rows)
    medians = [r["median_minutes_to_report"] for r in rows if r["median_minutes_to_report"] is not None]
    return {
        "drills": len(rows),
        "recipients": n,
        "report_rate": _rate(sum(r["reported"] or 0 for r in rows), n),
        "median_minutes_to_report": _median(medians),
        "click_rate": _rate(sum(r["verified_clicks"] or 0 for r in rows), n),
        "submit_rate": _rate(sum(r["submitted"] or 0 for r in rows), n),
        "scanner_clicks": sum(r["scanner_clicks"] or 0 for r in rows),
    }


def repeat_clickers(org, *, minimum: int = 2) -> list[dict]:
    """Employees with a verified click in `minimum` or more drills whose personal results are still kept
    (one query). Each: employee_id, name, department, drills, last_click."""
    rows = (
        Recipient.objects.filter(organization=org, verified_click_at__isnull=False, employee__isnull=False)
        .values("employee_id", "employee__name", "employee__department__name")
        .annotate(drills=Count("drill", distinct=True), last_click=Max("verified_click_at"))
        .filter(drills__gte=minimum)
        .order_by("-drills", "employee__name")
    )
    return [
        {
            "employee_id": r["employee_id"],
            "name": r["employee__name"],
            "department": r["employee__department__name"] or "",
            "drills": r["drills"],
            "last_click": r["last_click"],
        }
        for r in rows
    ]


# --- Exports ------------------------------------------------------------------------------------------------


def _pct(value):
    return "" if value is None else value


def overview_export_header() -> list:
    return [
        _("Drill"), pgettext_lazy("drill", "Status"), _("Date"), _("Recipients"), _("Reported"), _("Report rate (%)"),
        _("Median minutes to report"), _("Verified clicks"), _("Click rate (%)"), _("Submitted the form"),
        _("Submit rate (%)"), _("Likely link-scanner clicks"),
    ]


def overview_export_rows(overview: dict) -> list[list]:
    return [
        [
            r["drill"].name, r["drill"].get_status_display(), r["date"], r["recipients"], r["reported"],
            _pct(r["report_rate"]), _pct(r["median_minutes_to_report"]), r["verified_clicks"],
            _pct(r["click_rate"]), r["submitted"], _pct(r["submit_rate"]), r["scanner_clicks"],
        ]
        for r in overview["rows"]
    ]


def drill_export_header() -> list:
    return [
        _("Group"), _("Recipients"), _("Reported"), _("Report rate (%)"), _("Median minutes to report"),
        _("Verified clicks"), _("Click rate (%)"), _("Submitted the form"), _("Submit rate (%)"),
        _("Likely link-scanner clicks"),
    ]


def drill_export_rows(results: dict) -> list[list]:
    def row(name, f):
        return [
            name, f["recipients"], f["reported"], _pct(f["report_rate"]), _pct(f["median_minutes_to_report"]),
            f["verified_clicks"], _pct(f["click_rate"]), f["submitted"], _pct(f["submit_rate"]),
            f["scanner_clicks"],
        ]

    rows = [row(str(_("Everyone")), results)]
    rows += [row(d["name"] or str(_("(no department)")), d) for d in results["departments"]]
    return rows
