"""The one tenant-scoping mechanism.

Every organisation page lives under /o/<org_slug>/ and is wrapped by `org_view(permission)`, which:
1. sends anonymous visitors to the login page;
2. resolves the organisation *through the user's membership* — an organisation the user does not belong
   to is a 404, never a 403 that would confirm it exists;
3. checks the named permission for the user's role (403 when the role lacks it);
4. activates the django-scopes scope for that organisation while the view runs and its response renders,
   so every TenantModel query inside is filtered to it, and any query outside a scope fails loudly.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django_scopes import scope, scopes_disabled

from ippo.core.models import Membership, Organization
from ippo.core.roles import PERMISSIONS, role_has_permission


def membership_for(user, org_slug: str) -> Membership | None:
    if not user.is_authenticated:
        return None
    with scopes_disabled():
        return (
            Membership.objects.select_related("organization")
            .filter(user=user, organization__slug=org_slug)
            .first()
        )


def memberships_of(user):
    """All of a user's memberships, across organisations (the organisation switcher, the start page)."""
    with scopes_disabled():
        return list(
            Membership.objects.select_related("organization").filter(user=user).order_by("organization__name")
        )


def org_view(permission: str):
    """Decorate a view that takes `org_slug`; see the module docstring."""
    if permission not in PERMISSIONS:
        raise KeyError(f"Unknown permission {permission!r}")

    def decorator(view):
        @wraps(view)
        def wrapper(request, org_slug: str, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = membership_for(request.user, org_slug)
            if membership is None:
                raise Http404("No such organisation")
            request.org = membership.organization
            request.membership = membership
            request.role = membership.role
            if not role_has_permission(membership.role, permission):
                raise PermissionDenied
            with scope(organization=membership.organization):
                response = view(request, *args, **kwargs)
                if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                    response.render()
            return response

        wrapper.ippo_permission = permission
        return wrapper

    return decorator


def org_from_slug_unscoped(slug: str) -> Organization | None:
    """For management commands and tasks that act on one organisation by its slug."""
    return Organization.objects.filter(slug=slug).first()
