"""Home page items: for the people who handle reports, the reports nobody has acknowledged yet (one query)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from ippo.core.roles import role_has_permission
from ippo.reporting.models import Kind, Report


def tasks(request) -> list[dict]:
    if not role_has_permission(getattr(request, "role", None), "incidents.handle"):
        return []
    # One query. Concerns about misconduct are left out: only their designated handlers may know they exist,
    # and they are told by e-mail.
    reports = list(
        Report.objects.filter(organization=request.org, acknowledged_at__isnull=True)
        .exclude(kind=Kind.MISCONDUCT)
        .order_by("created_at")[:5]
    )
    return [
        {
            "title": _("Acknowledge the report “%(kind)s”") % {"kind": r.get_kind_display()},
            "url": reverse("org:report_detail", args=[request.org.slug, r.pk]),
        }
        for r in reports
    ]
