from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from ippo.core.models import Organization
from ippo.people.models import Department, Employee


@dataclass(frozen=True)
class DirectoryFilters:
    department: str = ""  # a department id, "none" for people without one, or "" for all
    status: str = "active"  # active / left / all
    q: str = ""

    @classmethod
    def from_query(cls, data) -> DirectoryFilters:
        status = data.get("status", "active")
        return cls(
            department=data.get("department", "")[:20],
            status=status if status in ("active", "left", "all") else "active",
            q=data.get("q", "").strip()[:100],
        )


def employees_for_list(org: Organization, filters: DirectoryFilters) -> QuerySet[Employee]:
    qs = Employee.objects.filter(organization=org).select_related("department", "manager", "user")
    if filters.status == "active":
        qs = qs.filter(is_active=True)
    elif filters.status == "left":
        qs = qs.filter(is_active=False)
    if filters.department == "none":
        qs = qs.filter(department__isnull=True)
    elif filters.department.isdigit():
        qs = qs.filter(department_id=int(filters.department))
    if filters.q:
        qs = qs.filter(
            Q(name__icontains=filters.q) | Q(email__icontains=filters.q) | Q(employee_number=filters.q)
        )
    return qs.order_by("department__name", "name", "pk")


def departments_with_counts(org: Organization) -> list[Department]:
    return list(
        Department.objects.filter(organization=org).annotate(
            active=Count("employees", filter=Q(employees__is_active=True)), total=Count("employees")
        )
    )


def directory_counts(org: Organization) -> dict[str, int]:
    return Employee.objects.filter(organization=org).aggregate(
        active=Count("pk", filter=Q(is_active=True)),
        left=Count("pk", filter=Q(is_active=False)),
        no_mailbox=Count("pk", filter=Q(is_active=True, email="")),
    )


def employee_for_user(org: Organization, user) -> Employee | None:
    """The directory entry of a signed-in person, if any (linked account first, then the same e-mail)."""
    if not getattr(user, "is_authenticated", False):
        return None
    found = Employee.objects.filter(organization=org, user=user).first()
    if found is None and user.email:
        found = Employee.objects.filter(organization=org, email__iexact=user.email, is_active=True).first()
    return found
