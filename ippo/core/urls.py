from django.urls import path

from ippo.core import views

app_name = "core"

org_patterns = [
    path("", views.org_home, name="org_home"),
    path("members/", views.member_list, name="member_list"),
    path("members/invite/", views.member_invite, name="member_invite"),
    path("members/<int:pk>/role/", views.membership_role_view, name="membership_role"),
    path("members/<int:pk>/remove/", views.membership_remove_view, name="membership_remove"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke_view, name="invitation_revoke"),
    path("audit/", views.audit_log, name="audit_log"),
    path("notifications/", views.notificationpreference_edit, name="notificationpreference_edit"),
    path("notifications/webhooks/", views.chatwebhook_list, name="chatwebhook_list"),
    path("notifications/webhooks/new/", views.chatwebhook_create, name="chatwebhook_create"),
    path("notifications/webhooks/<int:pk>/delete/", views.chatwebhook_delete, name="chatwebhook_delete"),
    path("notifications/webhooks/<int:pk>/test/", views.chatwebhook_test, name="chatwebhook_test"),
    path("notifications/deliveries/", views.delivery_list, name="delivery_list"),
]

urlpatterns = [
    path("", views.start, name="start"),
    path("orgs/", views.org_list, name="org_list"),
    path("orgs/new/", views.org_create, name="org_create"),
]
