from django.urls import path

from ippo.devices import views

# Mounted under /o/<org_slug>/ in the "org" namespace (see ippo/urls.py).
org_patterns = [
    path("devices/", views.device_list, name="device_list"),
    path("devices/enrol/", views.device_enrol, name="device_enrol"),
    path("devices/codes/<int:pk>/cancel/", views.enrolmentcode_revoke, name="enrolmentcode_revoke"),
    path("devices/<int:pk>/", views.device_detail, name="device_detail"),
    path("devices/<int:pk>/edit/", views.device_edit, name="device_edit"),
    path("devices/<int:pk>/retire/", views.device_retire, name="device_retire"),
    path("sign-in-coverage/", views.mfa_overview, name="mfa_overview"),
    path("sign-in-coverage/connect/", views.mfa_connect, name="mfa_connect"),
    path("sign-in-coverage/<int:pk>/run/", views.cloudconnector_run, name="cloudconnector_run"),
    path("sign-in-coverage/<int:pk>/delete/", views.cloudconnector_delete, name="cloudconnector_delete"),
    path("sign-in-coverage/services/add/", views.saasservice_create, name="saasservice_create"),
    path("sign-in-coverage/services/<int:pk>/", views.saasservice_attest, name="saasservice_attest"),
    path("sign-in-coverage/services/<int:pk>/delete/", views.saasservice_delete, name="saasservice_delete"),
]
