from django.urls import path

from ippo.api import views
from ippo.api.api import api

# Mounted at /api/ by ippo/urls.py: the JSON API (with its OpenAPI schema at /api/v1/openapi.json and
# interactive docs at /api/v1/docs) and the page for personal tokens.
urlpatterns = [
    path("v1/", api.urls),
    path("tokens/", views.personal_tokens, name="api_personal_tokens"),
]

# Organisation tokens, under /o/<org_slug>/ in the "org" namespace.
org_patterns = [
    path("api-tokens/", views.apitoken_list, name="apitoken_list"),
    path("api-tokens/<int:pk>/revoke/", views.apitoken_revoke, name="apitoken_revoke"),
]
