"""The owner's dashboard and the board report (requested, made in the background, downloaded)."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from ippo.core.audit import audit_record
from ippo.core.homepage import home_tasks
from ippo.core.tenancy import org_view
from ippo.reports import services
from ippo.reports.board import charts
from ippo.reports.models import ReportJob
from ippo.reports.selectors import overview


def dashboard_response(request):
    data = overview(request.org, timezone.localdate())
    jobs = list(ReportJob.objects.filter(organization=request.org).defer("pdf").order_by("-created_at")[:3])
    context = {"data": data, "jobs": jobs, "tasks": home_tasks(request), **charts(data)}
    return render(request, "reports/dashboard.html", context)


@org_view("program.view")
def dashboard(request):
    return dashboard_response(request)


@require_POST
@org_view("program.view")
def reportjob_create(request):
    language = request.POST.get("language") or (get_language() or "ja")[:2]
    if language not in ("ja", "en"):
        language = "ja"
    job = services.board_report_request(org=request.org, actor=request.user, language=language)
    return redirect("org:reportjob_detail", request.org.slug, job.pk)


@org_view("program.view")
def reportjob_detail(request, pk: int):
    job = get_object_or_404(ReportJob.objects.filter(organization=request.org).defer("pdf"), pk=pk)
    template = "reports/_reportjob_status.html" if request.htmx else "reports/reportjob_detail.html"
    return render(request, template, {"job": job})


@org_view("program.view")
def reportjob_download(request, pk: int):
    job = get_object_or_404(ReportJob.objects.filter(organization=request.org), pk=pk)
    if job.status != ReportJob.Status.DONE or not job.pdf:
        raise Http404("Not ready")
    audit_record(action="report.downloaded", actor=request.user, org=request.org, target=job, data={"language": job.language})
    response = HttpResponse(bytes(job.pdf), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="ippo-board-report-{request.org.slug}-{job.created_at:%Y%m%d}-{job.language}.pdf"'
    )
    return response
