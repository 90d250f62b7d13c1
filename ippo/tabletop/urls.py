from __future__ import annotations

from django.urls import path

from ippo.tabletop import views

# Mounted under /o/<org_slug>/ in the "org" namespace (see ippo/urls.py).
org_patterns = [
    path("tabletop/", views.exercise_list, name="exercise_list"),
    path("tabletop/scenarios/", views.scenario_list, name="scenario_list"),
    path("tabletop/scenarios/view/", views.scenario_detail, name="scenario_detail"),
    path("tabletop/new/", views.exercise_create, name="exercise_create"),
    path("tabletop/<int:pk>/", views.exercise_detail, name="exercise_detail"),
    path("tabletop/<int:pk>/edit/", views.exercise_edit, name="exercise_edit"),
    path("tabletop/<int:pk>/delete/", views.exercise_delete, name="exercise_delete"),
    path("tabletop/<int:pk>/briefing/", views.exercise_briefing, name="exercise_briefing"),
    path("tabletop/<int:pk>/run/", views.exercise_run, name="exercise_run"),
    path("tabletop/<int:pk>/start/", views.exercise_start, name="exercise_start"),
    path("tabletop/<int:pk>/finish/", views.exercise_finish, name="exercise_finish"),
    path("tabletop/<int:pk>/notes/", views.exercise_note, name="exercise_note"),
    path("tabletop/<int:pk>/hotwash/", views.exercise_hotwash, name="exercise_hotwash"),
    path("tabletop/<int:pk>/actions/", views.exercise_action_add, name="exercise_action_add"),
    path("tabletop/<int:pk>/actions/to-plan/", views.exercise_actions_plan, name="exercise_actions_plan"),
    path("tabletop/actions/<int:pk>/delete/", views.exerciseaction_delete, name="exerciseaction_delete"),
    path("tabletop/<int:pk>/report/", views.exercise_report, name="exercise_report"),
    path("tabletop/<int:pk>/report.pdf", views.exercise_pdf, name="exercise_pdf"),
]
