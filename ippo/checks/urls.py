from __future__ import annotations

from django.urls import path

from ippo.checks import views

# Mounted under /o/<org_slug>/ in the "org" namespace (see ippo/urls.py).
org_patterns = [
    path("checks/domains/", views.domain_list, name="domain_list"),
    path("checks/domains/new/", views.domain_create, name="domain_create"),
    path("checks/domains/<int:pk>/", views.domain_detail, name="domain_detail"),
    path("checks/domains/<int:pk>/verify/", views.domain_verify, name="domain_verify"),
    path("checks/domains/<int:pk>/run/", views.domain_run, name="domain_run"),
    path("checks/domains/<int:pk>/settings/", views.domain_update, name="domain_update"),
    path("checks/domains/<int:pk>/addresses/", views.domain_attest, name="domain_attest"),
    path("checks/domains/<int:pk>/delete/", views.domain_delete, name="domain_delete"),
    path(
        "checks/addresses/<int:pk>/delete/", views.addressattestation_delete, name="addressattestation_delete"
    ),
    path("checks/runs/<int:pk>/", views.checkrun_detail, name="checkrun_detail"),
]
