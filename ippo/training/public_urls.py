from __future__ import annotations

from django.urls import path

from ippo.training import views

# Public pages (no login), mounted by ippo/urls.py at /learn/; see PUBLIC_URL_NAMES in tests/test_tenancy.py.
app_name = "learn"

urlpatterns = [
    path("s/<str:token>/", views.signin, name="signin"),
    path("new-link/", views.link_request, name="link_request"),
    path("verify/", views.certificate_verify, name="certificate_verify"),
]
