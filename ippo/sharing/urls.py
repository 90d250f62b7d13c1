from django.urls import path

from ippo.sharing import views

# Mounted under /o/<org_slug>/ in the "org" namespace (see ippo/urls.py).
org_patterns = [
    path("evidence-packs/", views.evidencepack_list, name="evidencepack_list"),
    path("evidence-packs/new/", views.evidencepack_create, name="evidencepack_create"),
    path("evidence-packs/<int:pk>/", views.evidencepack_detail, name="evidencepack_detail"),
    path("evidence-packs/<int:pk>/pdf/", views.evidencepack_pdf, name="evidencepack_pdf"),
    path("evidence-packs/<int:pk>/withdraw/", views.evidencepack_revoke, name="evidencepack_revoke"),
    path("evidence-packs/links/new/", views.sharelink_create, name="sharelink_create"),
    path("evidence-packs/links/<int:pk>/revoke/", views.sharelink_revoke, name="sharelink_revoke"),
]
