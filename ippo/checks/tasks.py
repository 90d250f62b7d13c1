"""Background work of the checks app (django-tasks). Tasks take IDs and claim their row first."""

from __future__ import annotations

from django.utils import timezone
from django_scopes import scope, scopes_disabled
from django_tasks import task


@task()
def run_domain_checks(run_id: int) -> str:
    """Run one queued CheckRun. A run that another worker already claimed is skipped."""
    from ippo.checks.models import CheckRun
    from ippo.checks.services import checkrun_claim, checkrun_execute

    now = timezone.now()
    with scopes_disabled():
        if not checkrun_claim(run_id=run_id, now=now):
            return "skipped"
        run = CheckRun.objects.select_related("domain", "organization").get(pk=run_id)
    with scope(organization=run.organization):
        return checkrun_execute(run=run, now=now).state
