from django.urls import path

from ippo.reports import views

# Mounted under /o/<org_slug>/ in the "org" namespace (see ippo/urls.py).
org_patterns = [
    path("reports/", views.dashboard, name="pillar_reports"),
    path("reports/board/", views.reportjob_create, name="reportjob_create"),
    path("reports/board/<int:pk>/", views.reportjob_detail, name="reportjob_detail"),
    path("reports/board/<int:pk>/pdf/", views.reportjob_download, name="reportjob_download"),
]
