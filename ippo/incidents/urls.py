from __future__ import annotations

from django.urls import path

from ippo.incidents import views

# Mounted under /o/<org_slug>/ in the "org" namespace (see ippo/urls.py).
org_patterns = [
    path("incidents/register/", views.incident_list, name="incident_list"),
    path("incidents/new/", views.incident_create, name="incident_create"),
    path("incidents/export/", views.incident_export, name="incident_export"),
    path("incidents/deadlines/", views.incidentsettings_edit, name="incidentsettings_edit"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident_detail"),
    path("incidents/<int:pk>/edit/", views.incident_edit, name="incident_edit"),
    path("incidents/<int:pk>/status/", views.incident_status, name="incident_status"),
    path("incidents/<int:pk>/timeline/", views.incident_entry, name="incident_entry"),
    path("incidents/<int:pk>/playbook/", views.incident_playbook, name="incident_playbook"),
    path("incidents/<int:pk>/tasks/", views.incident_task, name="incident_task"),
    path("incidents/<int:pk>/personal-data/", views.incident_personaldata, name="incident_personaldata"),
    path("incidents/<int:pk>/deadlines/", views.incident_clock, name="incident_clock"),
    path("incidents/<int:pk>/deadlines/usual/", views.incident_clocksusual, name="incident_clocksusual"),
    path("incidents/<int:pk>/ppc-draft/", views.incident_ppcdraft, name="incident_ppcdraft"),
    path("incidents/<int:pk>/review/", views.incident_review, name="incident_review"),
    path("incidents/tasks/<int:pk>/", views.incidenttask_update, name="incidenttask_update"),
    path("incidents/deadline/<int:pk>/done/", views.incidentclock_done, name="incidentclock_done"),
    path("playbooks/", views.playbook_list, name="playbook_list"),
    path("playbooks/read/", views.playbook_read, name="playbook_read"),
    path("contacts/", views.externalcontact_list, name="externalcontact_list"),
    path("contacts/new/", views.externalcontact_create, name="externalcontact_create"),
    path("contacts/fill-in/", views.externalcontact_seed, name="externalcontact_seed"),
    path("contacts/<int:pk>/edit/", views.externalcontact_edit, name="externalcontact_edit"),
    path("contacts/<int:pk>/delete/", views.externalcontact_delete, name="externalcontact_delete"),
]
