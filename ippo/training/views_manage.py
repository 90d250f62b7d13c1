"""Training pages for the people who run the programme (``people.manage``): completion by person, assigning
lessons, rules, group sessions, the organisation's own lessons, the export and sign-in links."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_POST, require_safe

from ippo.core.tenancy import org_view
from ippo.lib import tabular
from ippo.lib.forms import show_errors
from ippo.people.models import Department, Employee
from ippo.training import lessons, selectors, services
from ippo.training.forms import AssignForm, CustomModuleForm, GroupSessionForm, RuleForm
from ippo.training.models import Assignment, AssignmentRule, CustomModule, GroupSession


@require_safe
@org_view("people.manage")
def training_people(request):
    today = timezone.localdate()
    departments = list(Department.objects.filter(organization=request.org))
    try:
        department = int(request.GET.get("department", "") or 0)
    except ValueError:
        department = 0
    context = {
        "rows": selectors.people_rows(request.org, today=today, department=department or None),
        "departments": departments,
        "department": department,
    }
    return render(request, "training/people.html", context)


@require_safe
@org_view("people.manage")
def training_preview(request):
    """A shipped or own lesson as learners see it, for managers choosing what to assign."""
    module_id = request.GET.get("module", "")
    custom = services.custom_module_get(request.org, module_id)
    lesson = lessons.lesson_get(module_id, custom=custom)
    if lesson is None:
        messages.error(request, _("Choose one of the training modules."))
        return redirect("org:pillar_training", request.org.slug)
    return render(request, "training/preview.html", {"lesson": lesson, "lang": lessons.lang()})


@org_view("people.manage")
def training_assign(request):
    initial = {"module_id": request.GET.get("module", "")}
    form = AssignForm(
        request.POST or None, initial=initial, org=request.org, module_choices=lessons.module_choices(request.org)
    )
    if request.method == "POST" and form.is_valid():
        try:
            created = services.assignment_create(
                org=request.org,
                actor=request.user,
                employees=form.chosen_employees(),
                module_id=form.cleaned_data["module_id"],
                due_on=form.cleaned_data["due_on"],
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            if created:
                messages.success(
                    request,
                    ngettext(
                        "The lesson was assigned to %(count)s person.",
                        "The lesson was assigned to %(count)s people.",
                        len(created),
                    )
                    % {"count": len(created)},
                )
            else:
                messages.info(request, _("Everyone you chose already has this lesson open. Nothing was added."))
            return redirect("org:pillar_training", request.org.slug)
    return render(request, "training/assign.html", {"form": form})


@require_POST
@org_view("people.manage")
def assignment_cancel(request, pk: int):
    assignment = get_object_or_404(Assignment.objects.filter(organization=request.org), pk=pk)
    try:
        services.assignment_cancel(assignment=assignment, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The assignment was cancelled."))
    return redirect("org:pillar_training", request.org.slug)


@require_safe
@org_view("people.manage")
def employee_training(request, pk: int):
    """One person's lessons: open, overdue and completed, with certificates."""
    employee = get_object_or_404(
        Employee.objects.filter(organization=request.org).select_related("department", "manager"), pk=pk
    )
    context = {
        "employee": employee,
        "assignments": selectors.assignments_of(employee),
        "today": timezone.localdate(),
    }
    return render(request, "training/employee_training.html", context)


@require_POST
@org_view("people.manage")
def employee_sendlink(request, pk: int):
    employee = get_object_or_404(Employee.objects.filter(organization=request.org), pk=pk)
    if services.signinlink_send(employee=employee, actor=request.user):
        messages.success(request, _("A sign-in link was sent to %(name)s.") % {"name": employee.name})
    elif not employee.email:
        messages.error(request, _("%(name)s has no e-mail address. Record their training through a group session.") % {"name": employee.name})
    else:
        messages.error(request, _("No link was sent: %(name)s has left, or several links were sent in the last hour.") % {"name": employee.name})
    if request.POST.get("back") == "person":
        return redirect("org:employee_training", request.org.slug, employee.pk)
    return redirect("org:training_people", request.org.slug)


# --- Rules ------------------------------------------------------------------------------------------------------------


def _rule_page(request, rule: AssignmentRule | None):
    form = RuleForm(request.POST or None, instance=rule, module_choices=lessons.module_choices(request.org))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.rule_save(
                org=request.org,
                actor=request.user,
                rule=rule,
                kind=data["kind"],
                module_id=data["module_id"],
                days=data["days"],
                month=data.get("month"),
                is_active=data["is_active"],
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("The rule was saved. It is applied once a day."))
            return redirect("org:assignmentrule_list", request.org.slug)
    rules = list(AssignmentRule.objects.filter(organization=request.org))
    context = {"form": form, "rule": rule, "rules": rules, "titles": lessons.custom_titles(request.org)}
    return render(request, "training/rules.html", context, status=400 if form.errors else 200)


@org_view("people.manage")
def assignmentrule_list(request):
    return _rule_page(request, None)


@org_view("people.manage")
def assignmentrule_edit(request, pk: int):
    return _rule_page(request, get_object_or_404(AssignmentRule.objects.filter(organization=request.org), pk=pk))


@require_POST
@org_view("people.manage")
def assignmentrule_delete(request, pk: int):
    rule = get_object_or_404(AssignmentRule.objects.filter(organization=request.org), pk=pk)
    services.rule_delete(rule=rule, actor=request.user)
    messages.success(request, _("The rule was deleted. Lessons it already assigned stay assigned."))
    return redirect("org:assignmentrule_list", request.org.slug)


# --- Group sessions -------------------------------------------------------------------------------------------------


@require_safe
@org_view("people.manage")
def groupsession_list(request):
    sessions = list(
        GroupSession.objects.filter(organization=request.org).select_related("custom_module").prefetch_related("attendees")
    )
    return render(request, "training/groupsession_list.html", {"sessions": sessions})


def _session_page(request, session: GroupSession | None):
    initial = {}
    if session is not None:
        initial = {
            "held_on": session.held_on,
            "module_id": session.module_id,
            "facilitator": session.facilitator,
            "notes": session.notes,
            "attendees": list(session.attendees.all()),
        }
    form = GroupSessionForm(
        request.POST or None, initial=initial, org=request.org, module_choices=lessons.module_choices(request.org)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = services.groupsession_save(
                org=request.org,
                actor=request.user,
                session=session,
                held_on=data["held_on"],
                module_id=data["module_id"],
                facilitator=data["facilitator"],
                notes=data["notes"],
                attendees=list(data["attendees"]),
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("The session and its attendance were saved."))
            return redirect("org:groupsession_list", request.org.slug)
    return render(request, "training/groupsession_form.html", {"form": form, "session": session})


@org_view("people.manage")
def groupsession_create(request):
    return _session_page(request, None)


@org_view("people.manage")
def groupsession_edit(request, pk: int):
    return _session_page(request, get_object_or_404(GroupSession.objects.filter(organization=request.org), pk=pk))


# --- Own lessons ------------------------------------------------------------------------------------------------------

QUIZ_EXAMPLE = """? 知らない人から「請求書」という添付ファイル付きのメールが届きました。どうしますか。
- すぐに開いて内容を確かめる
* 開かずに、社内の相談窓口に転送して確かめてもらう
- 差出人に返信して本物か聞く
> 添付ファイルを開くだけで感染することがあります。開く前に相談しましょう。"""


@require_safe
@org_view("people.manage")
def custommodule_list(request):
    context = {
        "custom_modules": list(CustomModule.objects.filter(organization=request.org)),
        "builtin": list(lessons.builtin_modules().values()),
        "lang": lessons.lang(),
    }
    return render(request, "training/custommodule_list.html", context)


def _custom_page(request, module: CustomModule | None):
    form = CustomModuleForm(
        request.POST or None,
        instance=copy.copy(module) if module else None,  # the service compares with the stored row
        initial={} if module else {"quiz": QUIZ_EXAMPLE},
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.CUSTOM_FIELDS}
        if "preview" in request.POST:
            preview = {"body": lessons.markdown_render(fields["body"])}
            try:
                preview["questions"] = lessons.quiz_parse(fields["quiz"])
            except ValidationError as exc:
                form.add_error("quiz", exc)
        else:
            try:
                module = services.custommodule_save(org=request.org, actor=request.user, module=module, **fields)
            except ValidationError as exc:
                show_errors(form, exc)
            else:
                messages.success(request, _("The lesson “%(title)s” was saved.") % {"title": module.title})
                return redirect("org:custommodule_list", request.org.slug)
    return render(
        request, "training/custommodule_form.html", {"form": form, "module": module, "preview": preview}
    )


@org_view("people.manage")
def custommodule_create(request):
    return _custom_page(request, None)


@org_view("people.manage")
def custommodule_edit(request, pk: int):
    return _custom_page(request, get_object_or_404(CustomModule.objects.filter(organization=request.org), pk=pk))


# --- Export -------------------------------------------------------------------------------------------------------------


def export_header() -> list[str]:
    return [
        _("Name"),
        _("E-mail"),
        _("Department"),
        _("Training module"),
        _("Module ID"),
        _("Reason"),
        _("Assigned"),
        _("Due date"),
        _("Completed"),
        _("Completed through"),
        _("Score (%)"),
        pgettext("quiz", "Attempts"),
        _("Certificate number"),
    ]


@require_safe
@org_view("people.manage")
def training_export(request):
    fmt = tabular.export_format(request)
    rows = selectors.export_rows(request.org)
    services.training_exported(org=request.org, actor=request.user, fmt=fmt, count=len(rows))
    return tabular.table_response(
        fmt=fmt,
        filename=f"ippo-{request.org.slug}-training-{timezone.localdate():%Y%m%d}",
        title=_("Training records"),
        header=export_header(),
        rows=rows,
    )
