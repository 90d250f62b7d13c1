"""The employee directory: list, add, edit, leave/return, import with a preview, export, departments."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from ippo.core.audit import audit_record
from ippo.core.tenancy import org_view
from ippo.lib import tabular
from ippo.lib.forms import show_errors
from ippo.lib.text import join_list, quote
from ippo.people import exchange, selectors, services
from ippo.people.forms import DepartmentForm, EmployeeForm, EmployeeImportForm, LeaveForm
from ippo.people.models import Department, Employee

SESSION_KEY = "people_import"


def _get(model, request, pk: int):
    return get_object_or_404(model.objects.filter(organization=request.org), pk=pk)




@require_safe
@org_view("people.manage")
def employee_list(request):
    filters = selectors.DirectoryFilters.from_query(request.GET)
    context = {
        "employees": list(selectors.employees_for_list(request.org, filters)),
        "departments": selectors.departments_with_counts(request.org),
        "counts": selectors.directory_counts(request.org),
        "filters": filters,
    }
    template = "people/_employee_table.html" if request.htmx else "people/employee_list.html"
    return render(request, template, context)


@org_view("people.manage")
def employee_create(request):
    form = EmployeeForm(request.POST or None, org=request.org)
    if request.method == "POST" and form.is_valid():
        try:
            employee = services.employee_create(org=request.org, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": employee.name})
            if "add_another" in request.POST:
                return redirect("org:employee_create", request.org.slug)
            return redirect("org:employee_list", request.org.slug)
    return render(request, "people/employee_form.html", {"form": form})


@org_view("people.manage")
def employee_edit(request, pk: int):
    employee = _get(Employee, request, pk)
    form = EmployeeForm(request.POST or None, instance=Employee.objects.get(pk=employee.pk), org=request.org)
    if request.method == "POST" and form.is_valid():
        try:
            services.employee_update(employee=employee, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("org:employee_list", request.org.slug)
    context = {
        "form": form,
        "employee": employee,
        "leave_form": LeaveForm(initial={"left_on": timezone.localdate()}),
    }
    return render(request, "people/employee_form.html", context)


@require_POST
@org_view("people.manage")
def employee_deactivate(request, pk: int):
    employee = _get(Employee, request, pk)
    form = LeaveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the last day as a date, such as 2026-03-31."))
        return redirect("org:employee_edit", request.org.slug, employee.pk)
    services.employee_deactivate(employee=employee, actor=request.user, left_on=form.cleaned_data["left_on"])
    messages.success(
        request,
        _("%(name)s is marked as having left. Their training and drill history is kept.")
        % {"name": employee.name},
    )
    return redirect("org:employee_list", request.org.slug)


@require_POST
@org_view("people.manage")
def employee_reactivate(request, pk: int):
    employee = _get(Employee, request, pk)
    services.employee_reactivate(employee=employee, actor=request.user)
    messages.success(request, _("%(name)s is active again.") % {"name": employee.name})
    return redirect("org:employee_edit", request.org.slug, employee.pk)


def _import_context(request, form, problems=(), preview=None, key=""):
    return {
        "form": form,
        "problems": problems,
        "preview": preview,
        "key": key,
        "columns": [(ja, en, code in exchange.REQUIRED) for code, ja, en, _o in exchange.COLUMNS],
        "headings": {code: exchange.heading(code) for code, *_rest in exchange.COLUMNS},
        "types_text": join_list(quote(t.label) for t in Employee.EmploymentType),
    }


@org_view("people.manage")
def employee_import(request):
    """Step 1: upload and check (every row; nothing written). Step 2: the preview, confirmed with a POST
    carrying the preview's key; the checked rows wait in the session in between."""
    if request.method == "POST" and "confirm" in request.POST:
        stored = request.session.get(SESSION_KEY) or {}
        if (
            not stored
            or stored.get("key") != request.POST.get("confirm")
            or stored.get("org") != request.org.pk
        ):
            messages.error(request, _("That preview has expired. Please upload the file again."))
            return redirect("org:employee_import", request.org.slug)
        preview = exchange.Preview.from_session(stored["preview"])
        try:
            counts = services.employees_import(
                org=request.org,
                actor=request.user,
                preview=preview,
                mark_missing_left="mark_missing_left" in request.POST,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("org:employee_import", request.org.slug)
        del request.session[SESSION_KEY]
        messages.success(
            request,
            _(
                "Imported: %(added)s added, %(updated)s updated, %(unchanged)s unchanged, %(left)s marked as left."
            )
            % counts,
        )
        return redirect("org:employee_list", request.org.slug)
    form = EmployeeImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            preview = exchange.employees_check(org=request.org, name=upload.name, data=upload.read())
        except exchange.ImportProblems as exc:
            return render(
                request, "people/employee_import.html", _import_context(request, form, exc.problems)
            )
        key = secrets.token_urlsafe(12)
        request.session[SESSION_KEY] = {"key": key, "org": request.org.pk, "preview": preview.to_session()}
        return render(
            request, "people/employee_import.html", _import_context(request, form, preview=preview, key=key)
        )
    return render(request, "people/employee_import.html", _import_context(request, form))


@require_safe
@org_view("people.manage")
def employee_export(request):
    fmt = request.GET.get("format", "xlsx")
    if fmt not in tabular.FORMATS:
        raise Http404("Unknown format")
    employees = list(selectors.employees_for_list(request.org, selectors.DirectoryFilters(status="all")))
    header, rows = exchange.export_rows(employees)
    audit_record(
        action="employee.exported",
        actor=request.user,
        org=request.org,
        data={"format": fmt, "count": len(rows)},
    )
    return tabular.table_response(
        fmt=fmt,
        filename=f"ippo-{request.org.slug}-employees-{timezone.localdate():%Y%m%d}",
        title=_("Employees"),
        header=header,
        rows=rows,
    )


@org_view("people.manage")
def department_list(request):
    form = DepartmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.department_create(org=request.org, actor=request.user, name=form.cleaned_data["name"])
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("The department was added."))
            return redirect("org:department_list", request.org.slug)
    context = {"form": form, "departments": selectors.departments_with_counts(request.org)}
    return render(request, "people/department_list.html", context)


@require_POST
@org_view("people.manage")
def department_edit(request, pk: int):
    department = _get(Department, request, pk)
    form = DepartmentForm(request.POST)
    if form.is_valid():
        try:
            services.department_rename(
                department=department, actor=request.user, name=form.cleaned_data["name"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The department was renamed."))
    else:
        messages.error(request, _("Enter a department name of at most 100 characters."))
    return redirect("org:department_list", request.org.slug)


@require_POST
@org_view("people.manage")
def department_delete(request, pk: int):
    department = _get(Department, request, pk)
    name = department.name
    services.department_delete(department=department, actor=request.user)
    messages.success(
        request, _("%(name)s was deleted. Its people are kept, without a department.") % {"name": name}
    )
    return redirect("org:department_list", request.org.slug)
