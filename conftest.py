"""Shared test fixtures: personas in organisation A, an outsider in organisation B, and helpers."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from ippo.core.roles import Role


@pytest.fixture
def unscoped():
    """For assertions that read tenant data across organisations. Requests made by the test client are
    *not* run under it unless the test body itself is inside the `with` — keep requests outside."""
    return scopes_disabled


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_user(db):
    from ippo.accounts.models import User

    counter = {"n": 0}

    def make(email: str | None = None, *, password: str = "a-Long-passw0rd!", mfa: bool = False, **extra) -> User:
        counter["n"] += 1
        from allauth.account.models import EmailAddress

        user = User.objects.create_user(email=email or f"user{counter['n']}@example.com", password=password, **extra)
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        if mfa:
            enrol_totp(user)
        return user

    return make


TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 — test-only secret


def enrol_totp(user, secret: str = TOTP_SECRET):
    from allauth.mfa.totp.internal.auth import TOTP

    return TOTP.activate(user, secret)


def totp_now(secret: str = TOTP_SECRET) -> str:
    import pyotp

    return pyotp.TOTP(secret).now()


class Personas:
    """Organisation A with one user per role (MFA enrolled where the role needs it) and organisation B."""

    def __init__(self, make_user):
        from ippo.core.models import Membership, Organization

        self.org = Organization.objects.create(name="Org A", slug="org-a")
        self.other_org = Organization.objects.create(name="Org B", slug="org-b")
        self.users = {}
        for role in Role:
            user = make_user(f"{role.value}@a.example", mfa=role in (Role.OWNER, Role.MANAGER, Role.ADVISOR), name=role.label)
            Membership.objects.create(organization=self.org, user=user, role=role)
            self.users[role.value] = user
        self.outsider = make_user("owner@b.example", mfa=True, name="Outsider")
        Membership.objects.create(organization=self.other_org, user=self.outsider, role=Role.OWNER)

    @property
    def owner(self):
        return self.users["owner"]

    @property
    def manager(self):
        return self.users["manager"]

    @property
    def member(self):
        return self.users["member"]

    @property
    def viewer(self):
        return self.users["viewer"]

    @property
    def advisor(self):
        return self.users["advisor"]


@pytest.fixture
def personas(make_user):
    return Personas(make_user)


@pytest.fixture
def as_user(client):
    """Log the test client in as a user: `as_user(personas.owner)`."""

    def login(user):
        client.force_login(user)
        return client

    return login
