from django.urls import path

from ippo.phishing import results_views

# Drill results (drills.manage), under /o/<org_slug>/ in the "org" namespace.
org_patterns = [
    path("drills/results/", results_views.drills_results, name="drills_results"),
    path("drills/results/export/", results_views.drills_results_export, name="drills_results_export"),
    path("drills/<int:pk>/results/", results_views.drill_results, name="drill_results"),
    path("drills/<int:pk>/results/export/", results_views.drill_results_export, name="drill_results_export"),
    path(
        "employees/<int:pk>/drill-follow-up/",
        results_views.employee_drillfollowup,
        name="employee_drillfollowup",
    ),
]
