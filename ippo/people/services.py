"""Writes to the employee directory. Every change is audit-logged; nobody is ever deleted, only marked as
having left, so their training and drill history stays readable."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ippo.core.audit import audit_record
from ippo.core.models import Organization
from ippo.people.exchange import Preview, norm
from ippo.people.models import Department, Employee

EDITABLE = ("name", "email", "employee_number", "department", "employment_type", "manager", "joined_on")


def _check(org: Organization, employee: Employee) -> None:
    employee.email = (employee.email or "").strip().lower()
    clash = Employee.objects.filter(organization=org, email__iexact=employee.email).exclude(pk=employee.pk)
    if employee.email and clash.exists():
        raise ValidationError({"email": _("Another employee already has this e-mail address.")})
    if employee.manager_id and employee.manager_id == employee.pk:
        raise ValidationError({"manager": _("A person cannot be their own manager.")})
    for related in ("department", "manager"):
        value = getattr(employee, related)
        if value is not None and value.organization_id != org.pk:
            raise ValidationError({related: _("Choose from this organisation.")})


@transaction.atomic
def employee_create(*, org: Organization, actor, **fields) -> Employee:
    employee = Employee(organization=org, **{k: v for k, v in fields.items() if k in EDITABLE})
    _check(org, employee)
    employee.save()
    audit_record(
        action="employee.created", actor=actor, org=org, target=employee, data={"name": employee.name}
    )
    return employee


@transaction.atomic
def employee_update(*, employee: Employee, actor, **fields) -> Employee:
    changed = []
    for key, value in fields.items():
        if key in EDITABLE and getattr(employee, key) != value:
            setattr(employee, key, value)
            changed.append(key)
    if changed:
        _check(employee.organization, employee)
        employee.save()
        audit_record(
            action="employee.updated",
            actor=actor,
            org=employee.organization,
            target=employee,
            data={"fields": changed},
        )
    return employee


@transaction.atomic
def employee_deactivate(*, employee: Employee, actor, left_on: date | None = None) -> Employee:
    """Mark as having left: no new training or drills; history kept. Their ippo sign-in is not touched here
    (an owner removes a member on the members page)."""
    if not employee.is_active:
        return employee
    employee.is_active = False
    employee.left_on = left_on or timezone.localdate()
    employee.save(update_fields=["is_active", "left_on", "updated_at"])
    audit_record(
        action="employee.deactivated",
        actor=actor,
        org=employee.organization,
        target=employee,
        data={"left_on": employee.left_on.isoformat()},
    )
    return employee


@transaction.atomic
def employee_reactivate(*, employee: Employee, actor) -> Employee:
    if employee.is_active:
        return employee
    employee.is_active = True
    employee.left_on = None
    employee.save(update_fields=["is_active", "left_on", "updated_at"])
    audit_record(action="employee.reactivated", actor=actor, org=employee.organization, target=employee)
    return employee


def _department(org: Organization, name: str, cache: dict[str, Department]) -> Department | None:
    if not name:
        return None
    key = norm(name)
    if key not in cache:
        cache[key] = Department.objects.create(organization=org, name=name.strip())
    return cache[key]


@transaction.atomic
def employees_import(
    *, org: Organization, actor, preview: Preview, mark_missing_left: bool = False
) -> dict[str, int]:
    """Apply a checked preview (ippo.people.exchange.employees_check). People are matched again by id; a
    row whose employee was changed meanwhile is still applied field by field (the preview showed it)."""
    departments = {norm(d.name): d for d in Department.objects.filter(organization=org)}
    existing = {e.pk: e for e in Employee.objects.filter(organization=org)}
    counts = {"added": 0, "updated": 0, "unchanged": 0, "left": 0}
    saved: list[tuple[Employee, str]] = []
    for row in preview.rows:
        fields = dict(row.fields)
        manager = fields.pop("manager", None)
        if "department" in fields:
            fields["department"] = _department(org, fields["department"], departments)
        employee = existing.get(row.employee_id) if row.employee_id else None
        if employee is None:
            employee = Employee(organization=org, **fields)
            _check(org, employee)
            employee.save()
            counts["added"] += 1
        elif row.action == "update":
            for key, value in fields.items():
                setattr(employee, key, value)
            _check(org, employee)
            employee.save()
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
        existing[employee.pk] = employee
        if manager is not None:
            saved.append((employee, manager))
    # Managers last, so that they may name someone further down the file.
    by_key = {}
    for e in existing.values():
        by_key.setdefault(norm(e.name), e)
        if e.email:
            by_key[norm(e.email)] = e
    for employee, manager in saved:
        target = by_key.get(norm(manager)) if manager else None
        if target is not None and target.pk == employee.pk:
            target = None
        if employee.manager_id != (target.pk if target else None):
            employee.manager = target
            employee.save(update_fields=["manager", "updated_at"])
    if mark_missing_left:
        today = timezone.localdate()
        for pk, _name in preview.missing:
            employee = existing.get(pk)
            if employee is not None and employee.is_active:
                employee.is_active = False
                employee.left_on = today
                employee.save(update_fields=["is_active", "left_on", "updated_at"])
                counts["left"] += 1
    audit_record(action="employee.imported", actor=actor, org=org, data=counts)
    return counts


@transaction.atomic
def department_create(*, org: Organization, actor, name: str) -> Department:
    name = name.strip()
    if Department.objects.filter(organization=org, name__iexact=name).exists():
        raise ValidationError({"name": _("A department with this name already exists.")})
    department = Department.objects.create(organization=org, name=name)
    audit_record(action="department.created", actor=actor, org=org, target=department, data={"name": name})
    return department


@transaction.atomic
def department_rename(*, department: Department, actor, name: str) -> Department:
    name = name.strip()
    org = department.organization
    if Department.objects.filter(organization=org, name__iexact=name).exclude(pk=department.pk).exists():
        raise ValidationError({"name": _("A department with this name already exists.")})
    old = department.name
    department.name = name
    department.save(update_fields=["name"])
    audit_record(
        action="department.renamed", actor=actor, org=org, target=department, data={"from": old, "to": name}
    )
    return department


@transaction.atomic
def department_delete(*, department: Department, actor) -> int:
    """Delete a department; its people stay, without a department. Returns how many people were in it."""
    count = department.employees.count()
    org = department.organization
    audit_record(
        action="department.deleted",
        actor=actor,
        org=org,
        target=department,
        data={"name": department.name, "people": count},
    )
    department.delete()
    return count
