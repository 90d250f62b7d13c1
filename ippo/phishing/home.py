"""Home-page items for the people who run drills: drafts to finish, and sent drills to look at and close.
One query, and none for roles without `drills.manage`."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from ippo.core.roles import role_has_permission
from ippo.phishing.models import Drill


def tasks(request) -> list[dict]:
    if not role_has_permission(getattr(request, "role", None), "drills.manage"):
        return []
    drills = (
        Drill.objects.filter(organization=request.org, status__in=[Drill.Status.DRAFT, Drill.Status.RUNNING])
        .only("pk", "name", "status")
        .order_by("-created_at", "-pk")[:5]
    )
    items = []
    for drill in drills:
        if drill.status == Drill.Status.DRAFT:
            items.append(
                {
                    "title": _("Finish preparing the phishing drill “%(name)s”") % {"name": drill.name},
                    "url": reverse("org:drill_review", args=[request.org.slug, drill.pk]),
                }
            )
        else:
            items.append(
                {
                    "title": _("Look at the results of the phishing drill “%(name)s”, then finish it")
                    % {"name": drill.name},
                    "url": reverse("org:drill_detail", args=[request.org.slug, drill.pk]),
                }
            )
    return items
