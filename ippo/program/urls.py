from django.urls import path

from ippo.program import views

# Mounted under /o/<org_slug>/ in the "org" namespace (see ippo/urls.py).
org_patterns = [
    path("catalog/", views.control_list, name="control_list"),
    path("catalog/<slug:control_id>/", views.control_detail, name="control_detail"),
    path("catalog/<slug:control_id>/evidence/", views.control_evidence, name="control_evidence"),
    path("plan/", views.actionitem_list, name="pillar_controls"),
    path("plan/mine/", views.actionitem_mine, name="actionitem_mine"),
    path("plan/board/", views.actionitem_board, name="actionitem_board"),
    path("plan/calendar/", views.actionitem_calendar, name="actionitem_calendar"),
    path("plan/new/", views.actionitem_create, name="actionitem_create"),
    path("plan/export/", views.actionitem_export, name="actionitem_export"),
    path("plan/recurring/", views.recurringtask_list, name="recurringtask_list"),
    path("plan/recurring/<int:pk>/", views.recurringtask_edit, name="recurringtask_edit"),
    path("plan/<int:pk>/", views.actionitem_detail, name="actionitem_detail"),
    path("plan/<int:pk>/edit/", views.actionitem_edit, name="actionitem_edit"),
    path("plan/<int:pk>/complete/", views.actionitem_complete, name="actionitem_complete"),
    path("plan/<int:pk>/comment/", views.actionitem_comment, name="actionitem_comment"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
]
