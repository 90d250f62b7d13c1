from django.urls import path

from ippo.backup import views

# Mounted under /o/<org_slug>/ in the "org" namespace (see ippo/urls.py).
org_patterns = [
    path("settings/backups/", views.backup_overview, name="backup_overview"),
]
