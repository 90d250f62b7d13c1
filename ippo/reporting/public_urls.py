from __future__ import annotations

from django.urls import path

from ippo.reporting import public_views

# Public pages (no login), mounted at /report/ by ippo/urls.py; see PUBLIC_URL_NAMES in tests/test_tenancy.py.
# Everything under /report/ is an anonymous route (ippo/reporting/routes.py).
app_name = "reporting"

urlpatterns = [
    path("<str:token>/", public_views.report_start, name="report_start"),
    path("<str:token>/confirm/", public_views.report_confirm, name="report_confirm"),
    path("<str:token>/follow-up/", public_views.report_followup, name="report_followup"),
    path("<str:token>/follow-up/reply/", public_views.report_followup_reply, name="report_followup_reply"),
]
