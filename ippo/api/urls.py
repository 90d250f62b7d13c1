from django.urls import path  # noqa: F401

# Mounted at /api/ by ippo/urls.py.
urlpatterns = []
