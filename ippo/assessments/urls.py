from django.urls import path

from ippo.assessments import views

# Mounted under /o/<org_slug>/ in the "org" namespace (see ippo/urls.py).
org_patterns = [
    path("assessment/", views.assessment_overview, name="pillar_assessment"),
    path("assessment/profile/", views.profile_edit, name="profile_edit"),
    path("assessment/new/", views.assessment_create, name="assessment_create"),
    path("assessment/compare/", views.assessment_compare, name="assessment_compare"),
    path("assessment/import/", views.assessment_import, name="assessment_import"),
    path("assessment/<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("assessment/<int:pk>/answer/", views.assessment_answer, name="assessment_answer"),
    path("assessment/<int:pk>/complete/", views.assessment_complete, name="assessment_complete"),
    path("assessment/<int:pk>/discard/", views.assessment_discard, name="assessment_discard"),
    path("assessment/<int:pk>/assign/", views.assessment_assign, name="assessment_assign"),
    path("assessment/<int:pk>/export/", views.assessment_export, name="assessment_export"),
]
