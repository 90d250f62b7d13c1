"""Background tasks of the reports app."""

from __future__ import annotations

from django_tasks import task


@task()
def make_report(job_id: int) -> str:
    """Make a requested report (ippo.reports.services.report_make). Returns the job's final status."""
    from ippo.reports.services import report_make

    return report_make(job_id).status
