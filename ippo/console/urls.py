from django.urls import path

from ippo.console import views

# The advisor console across client organisations, mounted at /console/ by ippo/urls.py.
app_name = "console"

urlpatterns = [
    path("", views.console_home, name="console_home"),
]

# Under /o/<org_slug>/ in the "org" namespace: the organisation's anonymous comparison with its peers.
org_patterns = [
    path("benchmark/", views.benchmark, name="benchmark"),
    path("benchmark/join/", views.benchmark_join, name="benchmark_join"),
]
