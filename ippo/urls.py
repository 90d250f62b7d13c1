from django.urls import include, path

from ippo.core import views as core_views
from ippo.core.urls import org_patterns

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("", include("ippo.accounts.urls")),
    path("", include("ippo.core.urls")),
    path("o/<slug:org_slug>/", include((org_patterns, "org"))),
]
