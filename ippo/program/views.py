"""Programme pages: the control library (how-to and status per control) and the action plan (list, my
tasks, board, calendar, items with comments and evidence, recurring tasks)."""

from __future__ import annotations

import calendar as _calendar
from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST, require_safe

from ippo.assessments import results, selectors, services
from ippo.catalog.loader import catalog_get
from ippo.core.roles import role_has_permission
from ippo.core.selectors import working_memberships
from ippo.core.tenancy import org_view
from ippo.lib import tabular
from ippo.program import exports
from ippo.program import selectors as plan_selectors
from ippo.program import services as plan_services
from ippo.program.forms import ActionItemForm, CompleteForm, EvidenceForm, RecurringTaskForm
from ippo.program.models import ActionItem, ControlStatus, Evidence, RecurringTask

VARIANT_LABELS = {
    "m365": "Microsoft 365",
    "google": "Google Workspace",
    "windows": "Windows",
    "macos": "macOS",
    "nas": "NAS",
    "website": None,
    "cloud_accounting": None,
}


def variant_label(key: str) -> str:
    return VARIANT_LABELS.get(key) or {
        "website": _("Rented website"),
        "cloud_accounting": _("Cloud accounting"),
    }.get(key, key)


@org_view("program.view")
def control_list(request):
    catalog = catalog_get()
    statuses = {s.control_id: s for s in ControlStatus.objects.filter(organization=request.org)}
    profile = services.profile_get(org=request.org)
    applicable = {c.id for c in results.applicable_controls(catalog, profile.it_uses if profile else [])}
    groups = []
    for fn in selectors.FUNCTIONS:
        rows = [
            {"control": c, "status": statuses.get(c.id), "applies": c.id in applicable}
            for c in catalog.controls
            if c.function == fn
        ]
        groups.append(
            {
                "code": fn,
                "label": selectors.function_label(fn),
                "help": selectors.FUNCTION_HELP[fn],
                "rows": rows,
            }
        )
    return render(
        request, "program/control_list.html", {"groups": groups, "cost_labels": selectors.COST_LABELS}
    )


@org_view("org.view")
def control_detail(request, control_id: str):
    """How to put one control in place. Every member may read it (it is linked from assigned sections);
    the organisation's status is shown to those who may see the programme."""
    catalog = catalog_get()
    try:
        control = catalog.control(control_id)
    except KeyError:
        raise Http404("No such control") from None
    context = control_context(control)
    if role_has_permission(request.role, "program.view"):
        today = timezone.localdate()
        context.update(
            status=ControlStatus.objects.filter(organization=request.org, control_id=control_id).first(),
            evidence=list(Evidence.objects.filter(organization=request.org, control_id=control_id)[:20]),
            open_items=_decorate(
                list(
                    ActionItem.objects.filter(
                        organization=request.org, control_id=control_id, status__in=ActionItem.OPEN
                    ).select_related("owner")
                ),
                today,
            ),
            recurring=RecurringTask.objects.filter(organization=request.org, control_id=control_id).first(),
            stale=plan_selectors.stale_evidence(request.org, today, control_ids=[control_id]).get(control_id),
            evidence_form=EvidenceForm() if _can_change(request) else None,
        )
    return render(request, "program/control_detail.html", context)


KIND_LABELS = {
    "people": pgettext_lazy("control kind", "People"),
    "process": gettext_lazy("Process"),
    "technology": gettext_lazy("Technology"),
}
RECURRENCE_LABELS = {
    "monthly": gettext_lazy("Every month"),
    "quarterly": gettext_lazy("Every three months"),
    "half_yearly": gettext_lazy("Every six months"),
    "yearly": gettext_lazy("Every year"),
}


def control_context(control) -> dict:
    """What the how-to template needs about one control (shared with the public page)."""
    return {
        "control": control,
        "function_label": selectors.function_label(control.function),
        "cost_label": selectors.COST_LABELS[control.cost],
        "kind_label": KIND_LABELS[control.kind],
        "recurrence_label": RECURRENCE_LABELS.get(control.recurrence or "", ""),
        "variants": [(variant_label(k), v.get()) for k, v in control.variants.items()],
        "mappings": [
            (str(selectors.FRAMEWORK_SHORT.get(fid, fid)), ids)
            for fid, ids in control.mappings.items()
            if ids
        ],
    }


# --- The action plan ----------------------------------------------------------------------------------------

PAGE_SIZE = 50


def _can_change(request) -> bool:
    return role_has_permission(request.role, "program.change")


def _decorate(items, today):
    """Attach display fields (title from the catalog, overdue) without extra queries."""
    catalog = catalog_get()
    for item in items:
        control = None
        if item.control_id:
            try:
                control = catalog.control(item.control_id)
            except KeyError:
                control = None
        item.control = control
        item.display_title = item.title or (str(control.title) if control else item.control_id)
        item.cost_label = selectors.COST_LABELS[control.cost] if control else ""
        item.is_overdue = item.is_open and item.due_date is not None and item.due_date < today
    return items


def _score_context(org) -> dict:
    score = plan_selectors.current_score(org)
    return {"score": score, "tier": selectors.TIERS.get(score.tier)}


@org_view("program.view")
def actionitem_list(request):
    today = timezone.localdate()
    filters = plan_selectors.PlanFilters.from_query(request.GET)
    page = Paginator(
        plan_selectors.plan_items(request.org, filters, request.user, today), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    _decorate(page.object_list, today)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    context = {
        "page": page,
        "filters": filters,
        "query": query.urlencode(),
        "counts": plan_selectors.open_item_counts(request.org, today),
        "members": _member_options(request.org),
        "sources": ActionItem.Source.choices,
        "functions": [(fn, selectors.function_label(fn)) for fn in selectors.FUNCTIONS],
        "can_change": _can_change(request),
        **_score_context(request.org),
    }
    return render(request, "program/actionitem_list.html", context)


@require_safe
@org_view("program.view")
def actionitem_export(request):
    """The plan as the list page filters it (?status=…&owner=… &format=xlsx|csv), every item, not one page."""
    fmt = tabular.export_format(request)
    filters = plan_selectors.PlanFilters.from_query(request.GET)
    rows = exports.action_plan_rows(request.org, filters, request.user, timezone.localdate())
    plan_services.action_plan_exported(org=request.org, actor=request.user, fmt=fmt, count=len(rows))
    return tabular.table_response(
        fmt=fmt,
        filename=f"ippo-{request.org.slug}-action-plan-{timezone.localdate():%Y%m%d}",
        title=_("Action plan"),
        header=exports.action_plan_header(),
        rows=rows,
    )


def _member_options(org):
    return [(m.user_id, m.user.get_short_name()) for m in working_memberships(org).order_by("user__email")]


@org_view("plan.work")
def actionitem_mine(request):
    today = timezone.localdate()
    items = _decorate(list(plan_selectors.my_items(request.org, request.user)), today)
    return render(request, "program/actionitem_mine.html", {"items": items, "today": today})


@org_view("program.view")
def actionitem_board(request):
    today = timezone.localdate()
    open_items = list(
        ActionItem.objects.filter(organization=request.org, status__in=ActionItem.OPEN)
        .select_related("owner")
        .order_by("-priority", "due_date", "pk")[:300]
    )
    done = list(
        ActionItem.objects.filter(organization=request.org, status=ActionItem.Status.DONE)
        .select_related("owner")
        .order_by("-completed_at")[:20]
    )
    _decorate(open_items + done, today)
    columns = [
        (ActionItem.Status.TODO.label, [i for i in open_items if i.status == ActionItem.Status.TODO]),
        (
            ActionItem.Status.IN_PROGRESS.label,
            [i for i in open_items if i.status == ActionItem.Status.IN_PROGRESS],
        ),
        (ActionItem.Status.DONE.label, done),
    ]
    return render(
        request, "program/actionitem_board.html", {"columns": columns, "can_change": _can_change(request)}
    )


@org_view("program.view")
def actionitem_calendar(request):
    today = timezone.localdate()
    try:
        year, month = (int(x) for x in request.GET.get("month", "").split("-"))
        first = date(year, month, 1)
    except ValueError:
        first = today.replace(day=1)
    weeks = _calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    items = _decorate(
        list(
            ActionItem.objects.filter(
                organization=request.org, due_date__gte=weeks[0][0], due_date__lte=weeks[-1][-1]
            )
            .exclude(status=ActionItem.Status.DROPPED)
            .select_related("owner")
            .order_by("due_date", "-priority")
        ),
        today,
    )
    by_day: dict[date, list] = {}
    for item in items:
        by_day.setdefault(item.due_date, []).append(item)
    prev_month = plan_services.add_months(first, -1)
    next_month = plan_services.add_months(first, 1)
    context = {
        "first": first,
        "weeks": [[(day, by_day.get(day, []), day.month == first.month) for day in week] for week in weeks],
        "today": today,
        "prev": f"{prev_month:%Y-%m}",
        "next": f"{next_month:%Y-%m}",
        "weekdays": [_calendar.day_abbr[i] for i in range(7)],
    }
    return render(request, "program/actionitem_calendar.html", context)


@org_view("program.change")
def actionitem_create(request):
    form = ActionItemForm(request.POST or None, org=request.org)
    if request.method == "POST" and form.is_valid():
        item = plan_services.action_item_create(
            org=request.org,
            actor=request.user,
            title=form.cleaned_data["title"],
            description=form.cleaned_data["description"],
            owner=form.cleaned_data["owner"],
            due_date=form.cleaned_data["due_date"],
        )
        messages.success(request, _("The item is added to the plan."))
        return redirect("org:actionitem_detail", request.org.slug, item.pk)
    return render(request, "program/actionitem_create.html", {"form": form})


def _item_for_work(request, pk: int):
    """The item, if this person may work on it: editors on any, employees on their own. Otherwise None."""
    item = get_object_or_404(
        ActionItem.objects.filter(organization=request.org).select_related("owner", "recurring_task"), pk=pk
    )
    if _can_change(request) or item.owner_id == request.user.pk:
        return item
    return None


def _not_yours(request):
    messages.info(request, _("That item is not assigned to you."))
    return redirect("org:actionitem_mine", request.org.slug)


@org_view("plan.work")
def actionitem_detail(request, pk: int):
    item = _item_for_work(request, pk)
    if item is None:
        return _not_yours(request)
    today = timezone.localdate()
    _decorate([item], today)
    edit_form = None
    if _can_change(request):
        edit_form = ActionItemForm(
            org=request.org,
            item=item,
            initial={
                "title": item.title,
                "description": item.description,
                "owner": str(item.owner_id or ""),
                "due_date": item.due_date,
                "status": item.status,
            },
        )
    context = {
        "item": item,
        "edit_form": edit_form,
        "complete_form": CompleteForm(),
        "comments": list(item.comments.select_related("author")),
        "evidence": list(item.evidence.all()),
        "can_change": _can_change(request),
    }
    return render(request, "program/actionitem_detail.html", context)


@require_POST
@org_view("program.change")
def actionitem_edit(request, pk: int):
    item = get_object_or_404(ActionItem.objects.filter(organization=request.org), pk=pk)
    form = ActionItemForm(request.POST, org=request.org, item=item)
    if form.is_valid():
        data = form.cleaned_data
        try:
            plan_services.action_item_update(
                item=item,
                actor=request.user,
                title=data["title"],
                description=data["description"],
                owner=data["owner"],
                due_date=data["due_date"],
                status=data["status"] or item.status,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The item is saved."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("org:actionitem_detail", request.org.slug, item.pk)


@require_POST
@org_view("plan.work")
def actionitem_complete(request, pk: int):
    item = _item_for_work(request, pk)
    if item is None:
        return _not_yours(request)
    form = CompleteForm(request.POST, request.FILES)
    if not form.is_valid():
        _decorate([item], timezone.localdate())
        context = {
            "item": item,
            "complete_form": form,
            "comments": list(item.comments.select_related("author")),
            "evidence": list(item.evidence.all()),
            "can_change": _can_change(request),
            "edit_form": None,
        }
        messages.error(request, _("The item was not completed. Please check the evidence below."))
        return render(request, "program/actionitem_detail.html", context, status=400)
    before = plan_selectors.current_score(request.org).overall
    try:
        plan_services.action_item_complete(item=item, actor=request.user, evidence=form.evidence())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("org:actionitem_detail", request.org.slug, item.pk)
    after = plan_selectors.current_score(request.org).overall
    if item.control_id and before is not None and after is not None and after != before:
        messages.success(
            request,
            _("Done. The measure is now in place and your score went from %(before)s to %(after)s.")
            % {"before": f"{before:g}", "after": f"{after:g}"},
        )
    else:
        messages.success(request, _("Done. Thank you!"))
    return redirect(
        "org:actionitem_mine" if not _can_change(request) else "org:pillar_controls", request.org.slug
    )


@require_POST
@org_view("plan.work")
def actionitem_comment(request, pk: int):
    item = _item_for_work(request, pk)
    if item is None:
        return _not_yours(request)
    try:
        plan_services.action_comment_add(item=item, actor=request.user, body=request.POST.get("body", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(reverse("org:actionitem_detail", args=[request.org.slug, item.pk]) + "#comments")


@org_view("plan.work")
def evidence_download(request, pk: int):
    """Evidence files always download (never render inline), only for members allowed to see them."""
    evidence = get_object_or_404(
        Evidence.objects.filter(organization=request.org).select_related("action_item"), pk=pk
    )
    allowed = role_has_permission(request.role, "program.view") or (
        evidence.action_item is not None and evidence.action_item.owner_id == request.user.pk
    )
    if not allowed:
        return _not_yours(request)
    if evidence.kind == Evidence.Kind.LINK:
        return redirect(evidence.url)
    if evidence.kind == Evidence.Kind.NOTE:
        response = HttpResponse(evidence.note, content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="evidence-{evidence.pk}.txt"'
        response["X-Content-Type-Options"] = "nosniff"
        return response
    if not evidence.file:
        raise Http404("No file")
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.filename,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_POST
@org_view("program.change")
def control_evidence(request, control_id: str):
    try:
        catalog_get().control(control_id)
    except KeyError:
        raise Http404("No such control") from None
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        plan_services.evidence_add(
            org=request.org,
            actor=request.user,
            control_id=control_id,
            title=form.cleaned_data["title"],
            **form.evidence(),
        )
        messages.success(request, _("The evidence is attached."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(reverse("org:control_detail", args=[request.org.slug, control_id]) + "#evidence")


@org_view("program.view")
def recurringtask_list(request):
    tasks = list(RecurringTask.objects.filter(organization=request.org).select_related("owner"))
    catalog = catalog_get()
    for task in tasks:
        try:
            task.display_title = task.title or str(catalog.control(task.control_id).title)
        except KeyError:
            task.display_title = task.title or task.control_id
        task.form = RecurringTaskForm(
            org=request.org,
            prefix=f"t{task.pk}",
            initial={
                "recurrence": task.recurrence,
                "next_due": task.next_due,
                "owner": str(task.owner_id or ""),
                "is_active": task.is_active,
            },
        )
    return render(
        request, "program/recurringtask_list.html", {"tasks": tasks, "can_change": _can_change(request)}
    )


@require_POST
@org_view("program.change")
def recurringtask_edit(request, pk: int):
    task = get_object_or_404(RecurringTask.objects.filter(organization=request.org), pk=pk)
    form = RecurringTaskForm(request.POST, org=request.org, prefix=f"t{task.pk}")
    if form.is_valid():
        data = form.cleaned_data
        plan_services.recurring_task_update(
            task=task,
            actor=request.user,
            recurrence=data["recurrence"],
            next_due=data["next_due"],
            owner=data["owner"],
            is_active=data["is_active"],
        )
        messages.success(request, _("The recurring task is saved."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("org:recurringtask_list", request.org.slug)
