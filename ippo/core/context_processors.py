from django.conf import settings

from ippo.core.pillars import PILLARS
from ippo.core.roles import role_has_permission


def ippo(request):
    org = getattr(request, "org", None)
    role = getattr(request, "role", None)
    context = {
        "LANGUAGES": settings.LANGUAGES,
        "current_org": org,
        "current_role": role,
    }
    if org is not None:
        context["pillars"] = [p for p in PILLARS if role_has_permission(role, p.permission)]
        context["can"] = _PermissionProxy(role)
    return context


class _PermissionProxy:
    """`{% if can.members_invite %}` in templates: named permissions for the current role."""

    def __init__(self, role):
        self._role = role

    def __getattr__(self, name: str) -> bool:
        if name.startswith("_"):
            raise AttributeError(name)
        return role_has_permission(self._role, name.replace("_", ".", 1))
