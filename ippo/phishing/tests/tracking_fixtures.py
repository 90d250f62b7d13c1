"""Fixtures for the tracking, results and canary tests (import them into a test module)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from tests.helpers import _english, owner_client, query_count  # noqa: F401 — shared fixtures


@dataclass
class BuiltDrill:
    drill: object
    tokens: list[str] = field(default_factory=list)
    recipients: list = field(default_factory=list)


def build_drill(
    org,
    *,
    people: int = 3,
    departments: tuple[str, ...] = ("営業部",),
    landing: str = "teaching",
    status: str = "running",
    template_id: str = "delivery-notice",
    language: str = "en",
    sent_minutes_ago: int = 120,
    name: str = "Winter drill",
    finished_days_ago: int | None = None,
    employees: list | None = None,
) -> BuiltDrill:
    """A drill already sent to `people` employees spread over `departments`, with one token each."""
    from ippo.people.models import Department, Employee
    from ippo.phishing.models import Drill, Recipient, SendingProfile
    from ippo.phishing.tracking import token_hash

    now = timezone.now()
    with scopes_disabled():
        profile = SendingProfile.objects.filter(organization=org).first() or SendingProfile.objects.create(
            organization=org, name="drill", host="127.0.0.1", port=1, security="none",
            from_address="it-support@drill.example",
        )
        drill = Drill.objects.create(
            organization=org,
            name=name,
            status=status,
            template_ids=[template_id],
            landing=landing,
            profile=profile,
            started_at=now - timedelta(minutes=sent_minutes_ago),
            finished_at=(now - timedelta(days=finished_days_ago)) if finished_days_ago is not None else None,
        )
        depts = [Department.objects.get_or_create(organization=org, name=d)[0] for d in departments]
        built = BuiltDrill(drill)
        recipients = []
        for i in range(people):
            if employees is not None:
                employee = employees[i]
            else:
                employee = Employee.objects.create(
                    organization=org,
                    name=f"伊藤 さくら{i}" if language == "ja" else f"Ito Sakura{i}",
                    email=f"p{drill.pk}-{i}@example.com",
                    department=depts[i % len(depts)],
                )
            token = secrets.token_urlsafe(32)
            built.tokens.append(token)
            recipients.append(
                Recipient(
                    organization=org,
                    drill=drill,
                    employee=employee,
                    department_name=employee.department.name if employee.department else "",
                    email=employee.email,
                    template_id=template_id,
                    language=language,
                    token_hash=token_hash(token),
                    sent_at=now - timedelta(minutes=sent_minutes_ago),
                )
            )
        Recipient.objects.bulk_create(recipients)
        built.recipients = list(Recipient.objects.filter(drill=drill).order_by("pk"))
    return built


@pytest.fixture
def drill_for(personas):
    return lambda **kw: build_drill(personas.org, **kw)
