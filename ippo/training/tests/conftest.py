from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope

from tests.helpers import _english, owner_client  # noqa: F401 — shared fixtures


@pytest.fixture
def in_org(personas):
    return lambda: scope(organization=personas.org)


@pytest.fixture
def staff(personas, in_org):
    """Organisation A's directory: a sales department with the member (linked) and a colleague, and a
    factory worker without a mailbox."""
    from ippo.people.models import Department, Employee

    with in_org():
        sales = Department.objects.create(organization=personas.org, name="営業部")
        factory = Department.objects.create(organization=personas.org, name="製造部")
        boss = Employee.objects.create(
            organization=personas.org, name="中村 修", email="manager@a.example", department=sales, user=personas.manager
        )
        member = Employee.objects.create(
            organization=personas.org,
            name="鈴木 一郎",
            email="member@a.example",
            department=sales,
            user=personas.member,
            manager=boss,
        )
        colleague = Employee.objects.create(
            organization=personas.org, name="加藤 大輔", email="kato@a.example", department=sales, manager=boss
        )
        worker = Employee.objects.create(organization=personas.org, name="藤田 勇", email="", department=factory)
    return type("Staff", (), {"sales": sales, "factory": factory, "boss": boss, "member": member,
                              "colleague": colleague, "worker": worker})


@pytest.fixture
def assign(personas, in_org):
    """Create an assignment directly: assign(employee, module_id="passwords-mfa", due_in=30)."""
    from ippo.training.models import Assignment

    def make(employee, module_id="passwords-mfa", due_in=30, **extra):
        with in_org():
            return Assignment.objects.create(
                organization=personas.org,
                employee=employee,
                module_id=module_id,
                due_on=timezone.localdate() + timedelta(days=due_in),
                assigned_at=timezone.now(),
                **extra,
            )

    return make


def right_answers(module_id: str) -> dict[str, str]:
    from ippo.training.lessons import builtin_modules

    return {q.id: q.answer for q in builtin_modules()[module_id].questions}


def wrong_answers(module_id: str) -> dict[str, str]:
    from ippo.training.lessons import builtin_modules

    return {q.id: next(c.id for c in q.choices if c.id != q.answer) for q in builtin_modules()[module_id].questions}
