"""Items for the organisation home page: domains whose ownership is still to be proven (one query, and
only for people who can manage the checks)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from ippo.checks.models import Domain
from ippo.core.roles import role_has_permission


def tasks(request) -> list[dict]:
    if not role_has_permission(getattr(request, "role", ""), "checks.manage"):
        return []
    domains = Domain.objects.filter(organization=request.org, verified_at__isnull=True).values_list(
        "pk", "name"
    )[:5]
    return [
        {
            "title": _(
                "Prove that the domain %(domain)s is yours, so its weekly check can include open services"
            )
            % {"domain": name},
            "url": reverse("org:domain_detail", args=[request.org.slug, pk]),
        }
        for pk, name in domains
    ]
