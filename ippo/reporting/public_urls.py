from django.urls import path  # noqa: F401

# Public pages (no login), mounted by ippo/urls.py; see PUBLIC_URL_NAMES in tests/test_tenancy.py.
app_name = "reporting"

urlpatterns = []
