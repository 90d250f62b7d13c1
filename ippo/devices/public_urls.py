from __future__ import annotations

from django.urls import path

from ippo.devices import public_views

# Public endpoints for the device agent (no login), mounted at /agent/ by ippo/urls.py; their names are in
# PUBLIC_URL_NAMES in tests/test_tenancy.py.
app_name = "agent"

urlpatterns = [
    path("enrol", public_views.enrol, name="enrol"),
    path("report", public_views.report, name="report"),
]
