"""Drill results pages (drills.manage): across drills, one drill, exports, follow-up training."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from ippo.core.audit import audit_record
from ippo.core.tenancy import org_view
from ippo.lib import tabular
from ippo.lib.charts import line_chart
from ippo.people.models import Employee
from ippo.phishing import results
from ippo.phishing.models import Drill, Recipient


def _trend_chart(rows: list[dict], key: str, label: str):
    points = [
        ((row["date"].strftime("%m/%d") if row["date"] else str(i)), row[key])
        for i, row in enumerate(rows, 1)
        if row[key] is not None
    ]
    return line_chart(points=points, label=label, empty_text=_("No finished drills yet"))


@require_safe
@org_view("drills.manage")
def drills_results(request):
    overview = results.results_overview(request.org)
    context = {
        "overview": overview,
        "report_chart": _trend_chart(overview["trend"], "report_rate", _("Report rate by drill (%)")),
        "click_chart": _trend_chart(overview["trend"], "click_rate", _("Verified click rate by drill (%)")),
    }
    return render(request, "phishing/results_overview.html", context)


@require_safe
@org_view("drills.manage")
def drill_results(request, pk: int):
    drill = get_object_or_404(Drill.objects.select_related("profile"), pk=pk)
    return render(request, "phishing/results_drill.html", {"drill": drill, "results": results.drill_results(drill)})


def _exported(request, *, target=None, fmt: str, scope: str) -> None:
    audit_record(
        action="drill.results_exported",
        actor=request.user,
        org=request.org,
        target=target,
        data={"format": fmt, "scope": scope},
    )


@require_safe
@org_view("drills.manage")
def drills_results_export(request):
    fmt = tabular.export_format(request)
    overview = results.results_overview(request.org)
    with transaction.atomic():
        _exported(request, fmt=fmt, scope="all")
    return tabular.table_response(
        fmt=fmt,
        filename=f"ippo-{request.org.slug}-drill-results-{timezone.localdate():%Y%m%d}",
        title=_("Drill results"),
        header=results.overview_export_header(),
        rows=results.overview_export_rows(overview),
    )


@require_safe
@org_view("drills.manage")
def drill_results_export(request, pk: int):
    drill = get_object_or_404(Drill.objects, pk=pk)
    fmt = tabular.export_format(request)
    data = results.drill_results(drill)
    with transaction.atomic():
        _exported(request, target=drill, fmt=fmt, scope="drill")
    return tabular.table_response(
        fmt=fmt,
        filename=f"ippo-{request.org.slug}-drill-{drill.pk}-results-{timezone.localdate():%Y%m%d}",
        title=_("Drill results"),
        header=results.drill_export_header(),
        rows=results.drill_export_rows(data),
    )


def _followup_function():
    try:
        from ippo.training import services as training_services
    except ImportError:
        return None
    return getattr(training_services, "assignment_followup", None)


@require_POST
@org_view("drills.manage")
def employee_drillfollowup(request, pk: int):
    """Assign the follow-up micro-lesson to a person who clicked in more than one drill."""
    employee = get_object_or_404(Employee.objects, pk=pk)
    assign = _followup_function()
    if assign is None:
        messages.warning(request, _("Follow-up training is not available in this installation yet."))
        return redirect("org:drills_results", request.org.slug)
    drills = (
        Recipient.objects.filter(employee=employee, verified_click_at__isnull=False)
        .values("drill_id")
        .distinct()
        .count()
    )
    reason = ngettext(
        "Clicked the link in %(count)s phishing drill",
        "Clicked the link in %(count)s phishing drills",
        drills,
    ) % {"count": drills}
    with transaction.atomic():
        assignment = assign(org=request.org, employee=employee, reason=reason, actor=request.user)
        audit_record(
            action="drill.followup_assigned",
            actor=request.user,
            org=request.org,
            target=employee,
            data={"drills": drills, "assigned": assignment is not None},
        )
    if assignment is not None:
        messages.success(
            request, _("Follow-up training was assigned to %(name)s.") % {"name": employee.name}
        )
    else:
        messages.warning(
            request,
            _("%(name)s already has this training open, or follow-up training is switched off.")
            % {"name": employee.name},
        )
    return redirect("org:drills_results", request.org.slug)
