from django.urls import path  # noqa: F401

# The advisor console across client organisations, mounted at /console/ by ippo/urls.py.
app_name = "console"

urlpatterns = []
