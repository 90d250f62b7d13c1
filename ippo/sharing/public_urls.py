from django.urls import path  # noqa: F401

# Public pages (no login): share links and verification, mounted at the site root by ippo/urls.py.
urlpatterns = []
