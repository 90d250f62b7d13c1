"""Background tasks of the drills, run by the django-tasks worker."""

from __future__ import annotations

from django_tasks import task


@task()
def drills_send(org_id: int) -> dict:
    """Send the organisation's due drill mail at each sending profile's pace (at most ~4 minutes a run;
    the clock enqueues the next run)."""
    from django_scopes import scope

    from ippo.core.models import Organization
    from ippo.phishing.sending import send_due

    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        return {}
    with scope(organization=org):
        return send_due(org=org)
