"""Authentication and tenant scoping for the JSON API — the API's counterpart of ippo.core.tenancy.

Every organisation endpoint is `/api/v1/orgs/{org_slug}/…` and runs its body inside `org_access(...)`,
which resolves the organisation through the token (a personal token through its user's membership; an
organisation token only for its own organisation), answers 404 for any other organisation, checks the
named permission for the effective role (403), refuses writes with a read-only token (403), and activates
the django-scopes scope so that every query inside is filtered to that organisation.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.http import Http404
from django_scopes import scope
from ninja.errors import HttpError
from ninja.security import HttpBearer

from ippo.api.models import ApiToken
from ippo.api.services import apitoken_authenticate
from ippo.core.roles import Role, role_has_permission
from ippo.core.tenancy import membership_for

# What an organisation token may do: a read token has a viewer's rights, a write token a manager's.
ORG_TOKEN_ROLE = {ApiToken.Scope.READ: Role.VIEWER, ApiToken.Scope.WRITE: Role.MANAGER}
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        found = apitoken_authenticate(token)
        if found is not None and found.user is not None:
            request.user = found.user
        return found


@contextmanager
def org_access(request, org_slug: str, permission: str):
    token: ApiToken = request.auth
    if token.organization_id is not None:
        if token.organization.slug != org_slug:
            raise Http404("No such organisation")
        org, role = token.organization, ORG_TOKEN_ROLE[token.scope]
    else:
        membership = membership_for(token.user, org_slug)
        if membership is None:
            raise Http404("No such organisation")
        org, role = membership.organization, membership.role
    if request.method not in SAFE_METHODS and token.scope != ApiToken.Scope.WRITE:
        raise HttpError(403, "This token may only read.")
    if not role_has_permission(role, permission):
        raise HttpError(403, "Your role does not allow this.")
    request.org, request.role = org, role
    with scope(organization=org):
        yield org
