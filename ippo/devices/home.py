""" "For you to do" on the organisation home page: hand-checked services whose confirmation is due (one query,
only for people who may record it)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ippo.core.roles import role_has_permission
from ippo.devices.models import SaasService


def tasks(request) -> list[dict]:
    if not role_has_permission(getattr(request, "role", None), "checks.manage"):
        return []
    due = SaasService.objects.filter(organization=request.org, next_due__lte=timezone.localdate()).order_by(
        "next_due", "name"
    )[:5]
    return [
        {
            "title": _("Check two-step sign-in on %(service)s and save a screenshot") % {"service": s.name},
            "url": reverse("org:saasservice_attest", args=[request.org.slug, s.pk]),
        }
        for s in due
    ]
