from __future__ import annotations

from allauth.mfa.models import Authenticator
from django_scopes import scopes_disabled

from ippo.core.models import Membership
from ippo.core.roles import ROLES_REQUIRING_MFA


def user_role_requires_mfa(user) -> bool:
    """True when the user holds an owner/manager/advisor role in any organisation other than the demo."""
    with scopes_disabled():
        return Membership.objects.filter(
            user=user, role__in=ROLES_REQUIRING_MFA, organization__is_demo=False
        ).exists()


def user_has_mfa(user) -> bool:
    return Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()


def user_must_enrol_mfa(user) -> bool:
    return user_role_requires_mfa(user) and not user_has_mfa(user)
