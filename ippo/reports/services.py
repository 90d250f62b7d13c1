"""Writes for reports: request a board report (made in the background) and make it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ippo.core.audit import audit_record
from ippo.core.models import Organization
from ippo.reports.models import ReportJob


@transaction.atomic
def board_report_request(*, org: Organization, actor, language: str) -> ReportJob:
    """Queue a board report; the worker makes it (ippo.reports.tasks.make_report) after the commit."""
    from ippo.reports.tasks import make_report

    job = ReportJob.objects.create(
        organization=org, kind=ReportJob.Kind.BOARD, language=language, created_by=actor if getattr(actor, "is_authenticated", False) else None
    )
    audit_record(action="report.requested", actor=actor, org=org, target=job, data={"kind": "board", "language": language})
    transaction.on_commit(lambda: make_report.enqueue(job.pk))
    return job


def report_make(job_id: int) -> ReportJob:
    """Make the PDF of a queued job, recording progress as it goes (each step is its own small write, so
    the page polling the job sees it move)."""
    from django_scopes import scope, scopes_disabled

    from ippo.reports.board import board_pdf

    with scopes_disabled():
        claimed = ReportJob.objects.filter(pk=job_id, status=ReportJob.Status.QUEUED).update(
            status=ReportJob.Status.RUNNING, progress=5
        )
        job = ReportJob.objects.select_related("organization").get(pk=job_id)
    if not claimed:
        return job

    def progress(value: int) -> None:
        with scopes_disabled():
            ReportJob.objects.filter(pk=job_id).update(progress=value)

    try:
        with scope(organization=job.organization):
            pdf, pages = board_pdf(job.organization, job.language, progress)
    except Exception as exc:  # noqa: BLE001 — the page shows that it failed; the log has the trace
        import logging

        logging.getLogger("ippo.reports").exception("Board report %s failed", job_id)
        with scopes_disabled():
            ReportJob.objects.filter(pk=job_id).update(
                status=ReportJob.Status.FAILED, error=str(exc)[:300], finished_at=timezone.now()
            )
            return ReportJob.objects.get(pk=job_id)
    with scopes_disabled():
        ReportJob.objects.filter(pk=job_id).update(
            status=ReportJob.Status.DONE, progress=100, pdf=pdf, pages=pages, finished_at=timezone.now()
        )
        return ReportJob.objects.get(pk=job_id)
