from django.urls import path  # noqa: F401

# Mounted under /o/<org_slug>/ in the "org" namespace (see ippo/urls.py).
org_patterns = []
