from django.urls import path

from ippo.reporting import views

# Mounted under /o/<org_slug>/ in the "org" namespace (see ippo/urls.py).
org_patterns = [
    path("incidents/", views.pillar_incidents, name="pillar_incidents"),
    path("reporting/new/", views.report_create, name="report_create"),
    path("reporting/poster/", views.report_poster, name="report_poster"),
    path("reporting/mine/", views.report_mine, name="report_mine"),
    path("reporting/", views.report_list, name="report_list"),
    path("reporting/<int:pk>/", views.report_detail, name="report_detail"),
    path("reporting/<int:pk>/reply/", views.report_reply, name="report_reply"),
    path("reporting/<int:pk>/acknowledge/", views.report_acknowledge, name="report_acknowledge"),
    path("reporting/<int:pk>/update/", views.report_update, name="report_update"),
    path("reporting/<int:pk>/incident/", views.report_incident, name="report_incident"),
    path(
        "reporting/attachments/<int:pk>/", views.reportattachment_download, name="reportattachment_download"
    ),
    path("reporting/escalation/", views.escalationrule_list, name="escalationrule_list"),
    path("reporting/escalation/new/", views.escalationrule_create, name="escalationrule_create"),
    path("reporting/escalation/<int:pk>/edit/", views.escalationrule_edit, name="escalationrule_edit"),
    path("reporting/escalation/<int:pk>/delete/", views.escalationrule_delete, name="escalationrule_delete"),
    path("reporting/contact-tree/", views.contact_tree, name="contact_tree"),
    path("reporting/handlers/", views.designatedhandler_list, name="designatedhandler_list"),
    path(
        "reporting/handlers/<int:pk>/remove/", views.designatedhandler_delete, name="designatedhandler_delete"
    ),
    path("reporting/settings/", views.reportsettings_edit, name="reportsettings_edit"),
    path("reporting/settings/new-link/", views.reportsettings_rotate, name="reportsettings_rotate"),
]
