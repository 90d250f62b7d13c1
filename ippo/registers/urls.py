from django.urls import path

from ippo.registers import views

# Mounted under /o/<org_slug>/ in the "org" namespace (see ippo/urls.py).
org_patterns = [
    path("assets/", views.asset_list, name="asset_list"),
    path("assets/new/", views.asset_create, name="asset_create"),
    path("assets/import/", views.asset_import, name="asset_import"),
    path("assets/export/", views.asset_export, name="asset_export"),
    path("assets/<int:pk>/edit/", views.asset_edit, name="asset_edit"),
    path("assets/<int:pk>/delete/", views.asset_delete, name="asset_delete"),
    path("risks/", views.risk_list, name="risk_list"),
    path("risks/new/", views.risk_create, name="risk_create"),
    path("risks/starters/", views.risk_starters, name="risk_starters"),
    path("risks/settings/", views.risksettings_edit, name="risksettings_edit"),
    path("risks/export/", views.risk_export, name="risk_export"),
    path("risks/<int:pk>/", views.risk_detail, name="risk_detail"),
    path("risks/<int:pk>/edit/", views.risk_edit, name="risk_edit"),
    path("risks/<int:pk>/delete/", views.risk_delete, name="risk_delete"),
    path("vendors/", views.vendor_list, name="vendor_list"),
    path("vendors/new/", views.vendor_create, name="vendor_create"),
    path("vendors/export/", views.vendor_export, name="vendor_export"),
    path("vendors/<int:pk>/", views.vendor_detail, name="vendor_detail"),
    path("vendors/<int:pk>/edit/", views.vendor_edit, name="vendor_edit"),
    path("vendors/<int:pk>/review/", views.vendor_review, name="vendor_review"),
    path("vendors/<int:pk>/delete/", views.vendor_delete, name="vendor_delete"),
    path("responsibilities/", views.responsibility_list, name="responsibility_list"),
    path("responsibilities/save/", views.responsibility_update, name="responsibility_update"),
]
