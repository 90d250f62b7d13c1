"""The demo company: one user per role, and sample data from every app that provides a `demo` module.

Idempotent: running it again refreshes the users' roles (and passwords when one is given) and lets each
app top up its sample data. Apps add theirs by defining `ippo/<app>/demo.py` with `load(*, org, users)`.
"""

from __future__ import annotations

import importlib

from django.apps import apps
from django.db import transaction
from django_scopes import scope, scopes_disabled

from ippo.core.audit import audit_record
from ippo.core.models import Membership, Organization
from ippo.core.roles import Role

DEMO_SLUG = "demo"
DEMO_PASSWORD = "ippo-demo-2026"  # noqa: S105 — a published evaluation password, for the demo only
DEMO_USERS = {
    Role.OWNER: ("owner@example.com", "山田 太郎"),
    Role.MANAGER: ("manager@example.com", "佐藤 花子"),
    Role.MEMBER: ("member@example.com", "鈴木 一郎"),
    Role.ADVISOR: ("advisor@example.com", "高橋 美咲"),
    Role.VIEWER: ("viewer@example.com", "田中 健"),
}


@transaction.atomic
def demo_load(*, password: str | None = None) -> tuple[Organization, dict[str, object]]:
    from allauth.account.models import EmailAddress

    from ippo.accounts.models import User

    with scopes_disabled():
        org, created = Organization.objects.get_or_create(
            slug=DEMO_SLUG, defaults={"name": "株式会社いっぽ商事 (デモ)", "is_demo": True}
        )
        if not org.is_demo:
            org.is_demo = True
            org.save(update_fields=["is_demo"])
        users: dict[str, object] = {}
        for role, (email, name) in DEMO_USERS.items():
            user, user_created = User.objects.get_or_create(email=email, defaults={"name": name, "language": "ja"})
            if user_created or password:
                user.set_password(password or DEMO_PASSWORD)
                user.save()
            EmailAddress.objects.update_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            Membership.objects.update_or_create(organization=org, user=user, defaults={"role": role})
            users[role] = user
    audit_record(
        action="org.demo_loaded", org=org, target=org, data={"created": created}, via="cli", actor="ippo demo"
    )
    with scope(organization=org):
        for config in apps.get_app_configs():
            if not config.name.startswith("ippo."):
                continue
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            if hasattr(module, "load"):
                module.load(org=org, users=users)
    return org, users
