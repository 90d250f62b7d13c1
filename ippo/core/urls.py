from django.urls import path

from ippo.core import views

app_name = "core"

org_patterns = [
    path("", views.org_home, name="org_home"),
    path("reports/", views.pillar_reports, name="pillar_reports"),
    path("training/", views.pillar_training, name="pillar_training"),
    path("controls/", views.pillar_controls, name="pillar_controls"),
    path("incidents/", views.pillar_incidents, name="pillar_incidents"),
    path("members/", views.member_list, name="member_list"),
    path("members/invite/", views.member_invite, name="member_invite"),
    path("members/<int:pk>/role/", views.membership_role_view, name="membership_role"),
    path("members/<int:pk>/remove/", views.membership_remove_view, name="membership_remove"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke_view, name="invitation_revoke"),
    path("audit/", views.audit_log, name="audit_log"),
]

urlpatterns = [
    path("", views.start, name="start"),
    path("orgs/", views.org_list, name="org_list"),
    path("orgs/new/", views.org_create, name="org_create"),
]
