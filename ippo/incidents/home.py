"""Items for the organisation home page: open checklist tasks of open incidents assigned to the person signed in
(for people who may handle incidents). One query."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from ippo.core.roles import role_has_permission
from ippo.incidents.models import IncidentTask, Status

LIMIT = 10


def tasks(request) -> list[dict]:
    if not role_has_permission(getattr(request, "role", None), "incidents.handle"):
        return []
    rows = (
        IncidentTask.objects.filter(organization=request.org, assignee=request.user, done_at__isnull=True)
        .exclude(incident__status=Status.CLOSED)
        .select_related("incident")
        .order_by("incident__severity", "incident_id", "position")[:LIMIT]
    )
    return [
        {
            "title": _("Incident #%(number)s: %(task)s") % {"number": t.incident.number, "task": t.text},
            "url": reverse("org:incident_detail", args=[request.org.slug, t.incident_id]) + "#tasks",
        }
        for t in rows
    ]
