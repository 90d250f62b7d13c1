"""Reads for training pages, the dashboard and the export. Each runs a fixed number of queries, however many
people or assignments there are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Max, Q

from ippo.core.models import Organization
from ippo.people.models import Employee
from ippo.training import lessons
from ippo.training.models import Assignment, QuizAttempt

OPEN = Q(completed_at__isnull=True, cancelled_at__isnull=True)


def _live(org: Organization):
    """Assignments that count: not cancelled, of people still employed."""
    return Assignment.objects.filter(organization=org, cancelled_at__isnull=True, employee__is_active=True)


def _rate(done: int, total: int) -> int | None:
    return round(100 * done / total) if total else None


def training_summary(org: Organization, *, today: date) -> dict:
    """Headline figures for the dashboard (two queries): active employees, assignments, completed, overdue,
    completion rate (whole percent, None when nothing is assigned) and per department."""
    totals = _live(org).aggregate(
        assigned=Count("pk"),
        completed=Count("pk", filter=Q(completed_at__isnull=False)),
        overdue=Count("pk", filter=Q(completed_at__isnull=True, due_on__lt=today)),
    )
    employees = Employee.objects.filter(organization=org, is_active=True).count()
    return {
        "employees": employees,
        "assigned": totals["assigned"],
        "completed": totals["completed"],
        "overdue": totals["overdue"],
        "completion_rate": _rate(totals["completed"], totals["assigned"]),
        "by_department": [
            {"name": row.name, "assigned": row.assigned, "completed": row.completed}
            for row in department_rows(org, today=today)
        ],
    }


@dataclass
class DepartmentRow:
    name: str
    people: int
    assigned: int
    completed: int
    overdue: int

    @property
    def rate(self) -> int | None:
        return _rate(self.completed, self.assigned)


def department_rows(org: Organization, *, today: date) -> list[DepartmentRow]:
    """Completion per department (people without one last), in two queries."""
    rows = (
        _live(org)
        .values("employee__department_id", "employee__department__name")
        .annotate(
            assigned=Count("pk"),
            completed=Count("pk", filter=Q(completed_at__isnull=False)),
            overdue=Count("pk", filter=Q(completed_at__isnull=True, due_on__lt=today)),
        )
    )
    people = dict(
        Employee.objects.filter(organization=org, is_active=True)
        .values("department_id")
        .annotate(n=Count("pk"))
        .values_list("department_id", "n")
    )
    out = [
        DepartmentRow(
            r["employee__department__name"] or "",
            people.get(r["employee__department_id"], 0),
            r["assigned"],
            r["completed"],
            r["overdue"],
        )
        for r in rows
    ]
    return sorted(out, key=lambda r: (r.name == "", r.name))


@dataclass
class PersonRow:
    employee: Employee
    assigned: int
    completed: int
    overdue: int
    last_completed: object

    @property
    def rate(self) -> int | None:
        return _rate(self.completed, self.assigned)


def people_rows(org: Organization, *, today: date, department: int | None = None) -> list[PersonRow]:
    """Completion per active employee, in one query."""
    live = Q(training_assignments__cancelled_at__isnull=True)
    employees = (
        Employee.objects.filter(organization=org, is_active=True)
        .select_related("department")
        .annotate(
            n_assigned=Count("training_assignments", filter=live),
            n_completed=Count("training_assignments", filter=live & Q(training_assignments__completed_at__isnull=False)),
            n_overdue=Count(
                "training_assignments",
                filter=live
                & Q(training_assignments__completed_at__isnull=True, training_assignments__due_on__lt=today),
            ),
            last_done=Max("training_assignments__completed_at", filter=live),
        )
        .order_by("department__name", "name", "pk")
    )
    if department:
        employees = employees.filter(department_id=department)
    return [PersonRow(e, e.n_assigned, e.n_completed, e.n_overdue, e.last_done) for e in employees]


def overdue_assignments(org: Organization, *, today: date, limit: int | None = 50) -> list[Assignment]:
    rows = (
        _live(org)
        .filter(completed_at__isnull=True, due_on__lt=today)
        .select_related("employee", "employee__department", "custom_module")
        .order_by("due_on", "employee__name", "pk")
    )
    return list(rows[:limit] if limit else rows)


def assignments_of(employee: Employee) -> list[Assignment]:
    return list(
        Assignment.objects.filter(organization_id=employee.organization_id, employee=employee, cancelled_at__isnull=True)
        .select_related("custom_module")
        .order_by(F("completed_at").desc(nulls_first=True), "due_on", "pk")
    )


def employee_for_user(org: Organization, user) -> Employee | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Employee.objects.filter(organization=org, user=user).first()


def title_of(assignment: Assignment) -> str:
    """The lesson's title in the current language (custom_module must be selected along)."""
    if assignment.custom_module_id:
        return assignment.custom_module.title
    return lessons.module_title(assignment.module_id)


def export_rows(org: Organization) -> list[list]:
    """Everything an auditor asks for: who, department, lesson, why, assigned, due, completed, how, score,
    attempts, certificate number. One query."""
    rows = (
        Assignment.objects.filter(organization=org, cancelled_at__isnull=True)
        .select_related("employee", "employee__department", "custom_module")
        .order_by("employee__name", "employee_id", "assigned_at", "pk")
    )
    return [
        [
            a.employee.name,
            a.employee.email,
            a.employee.department.name if a.employee.department_id else "",
            title_of(a),
            a.module_id,
            a.get_reason_display(),
            a.assigned_at,
            a.due_on,
            a.completed_at,
            a.get_completed_via_display() if a.completed_via else "",
            a.score,
            a.attempts,
            a.certificate_code,
        ]
        for a in rows
    ]


def awareness_completion(org: Organization, *, year: int) -> tuple[int, int]:
    """(active employees who completed at least one lesson this year, active employees)."""
    done = (
        Employee.objects.filter(
            organization=org,
            is_active=True,
            training_assignments__completed_at__year=year,
            training_assignments__cancelled_at__isnull=True,
        )
        .distinct()
        .count()
    )
    return done, Employee.objects.filter(organization=org, is_active=True).count()


@dataclass
class HardQuestion:
    module_id: str
    question: str
    answered: int
    wrong: int

    @property
    def wrong_rate(self) -> int:
        return round(100 * self.wrong / self.answered)


def hard_questions(org: Organization, *, since: date, min_answers: int = 5, limit: int = 5) -> list[HardQuestion]:
    """The shipped lessons' questions most often answered wrongly since `since` (one query): what to
    explain again at the next meeting. Questions with fewer than `min_answers` answers are left out."""
    modules = lessons.builtin_modules()
    counts: dict[tuple[str, str], list[int]] = {}
    attempts = QuizAttempt.objects.filter(organization=org, submitted_at__date__gte=since).values_list(
        "assignment__module_id", "answers"
    )
    for module_id, answers in attempts:
        module = modules.get(module_id)
        if module is None or not isinstance(answers, dict):
            continue
        for q in module.questions:
            if q.id in answers:
                seen = counts.setdefault((module_id, q.id), [0, 0])
                seen[0] += 1
                seen[1] += answers[q.id] != q.answer
    rows = []
    for (module_id, qid), (answered, wrong) in counts.items():
        if answered >= min_answers and wrong:
            question = next(q for q in modules[module_id].questions if q.id == qid)
            rows.append(HardQuestion(module_id, lessons.text(question.text), answered, wrong))
    rows.sort(key=lambda r: (-r.wrong / r.answered, -r.answered))
    return rows[:limit]
