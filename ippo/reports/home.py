"""The owner's home page is the dashboard (core's org_home asks each app's `home_page`)."""

from __future__ import annotations

from ippo.core.roles import Role


def tasks(request) -> list[dict]:
    return []


def home_page(request):
    if request.role == Role.OWNER:
        from ippo.reports.views import dashboard_response

        return dashboard_response(request)
    return None
