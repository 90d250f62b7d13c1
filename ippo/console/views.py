"""The advisor console (/console/): every client organisation in one table, with bulk actions; and each
organisation's anonymous comparison with its peers (/o/<slug>/benchmark/)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from ippo.console import bulk_extra, selectors, services
from ippo.console.models import BenchmarkParticipation
from ippo.core.audit import audit_record
from ippo.core.roles import role_has_permission
from ippo.core.tenancy import org_view

PAGE_SIZE = 50


@login_required
def console_home(request):
    if request.method == "POST":
        return _bulk(request)
    today = timezone.localdate()
    sort = request.GET.get("sort", "name")
    if sort not in selectors.SORTS and sort.lstrip("-") not in selectors.SORTS:
        sort = "name"
    query = request.GET.get("q", "").strip()[:100]
    attention = request.GET.get("attention") == "1"
    rows = selectors.console_rows(request.user, today=today)
    total = len(rows)
    if query:
        rows = [
            r for r in rows if query.casefold() in r.org.name.casefold() or query.casefold() in r.org.slug
        ]
    if attention:
        rows = [r for r in rows if r.needs_attention(today)]
    rows = selectors.sort_rows(rows, sort)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": page.object_list,
        "total": total,
        "shown": len(rows),
        "sort": sort,
        "q": query,
        "attention": attention,
        "today": today,
        "extra_actions": [(key, label) for key, (_perm, _fn, label) in _extra_actions().items()],
        "extra_options": bulk_extra.options(),
    }
    template = "console/_table.html" if request.htmx else "console/console.html"
    return render(request, template, context)


def _extra_actions() -> dict:
    return {
        key: (*value[:2], value[2] if len(value) > 2 else key) for key, value in bulk_extra.HANDLERS.items()
    }


def _bulk(request):
    action = request.POST.get("action", "")
    slugs = request.POST.getlist("orgs")[:2000]
    if not slugs:
        messages.error(request, _("Choose at least one organisation."))
        return redirect("console:console_home")
    if action not in services.ACTIONS and action not in bulk_extra.HANDLERS:
        messages.error(request, _("Choose what to do."))
        return redirect("console:console_home")
    options = {key: request.POST.get(key, "") for key in ("module_id", "template_id")}
    result = services.console_bulk_action(actor=request.user, action=action, org_slugs=slugs, options=options)
    if result.done:
        messages.success(
            request,
            _("Done for %(count)s organisations: %(names)s.")
            % {"count": len(result.done), "names": "、".join(result.done)},
        )
    if result.failed:
        messages.error(request, _("Not done: %(names)s.") % {"names": "、".join(result.failed)})
    if result.skipped:
        messages.warning(
            request,
            _("Skipped, because your role there does not allow it: %(names)s.")
            % {"names": "、".join(result.skipped)},
        )
    return redirect("console:console_home")


@require_safe
@org_view("program.view")
def benchmark(request):
    participation = BenchmarkParticipation.objects.filter(organization=request.org).first()
    context = {
        "participation": participation,
        "result": selectors.benchmark_for(request.org),
        "min_group": selectors.BENCHMARK_MIN_GROUP,
        "can_change": role_has_permission(request.role, "org.settings"),
    }
    return render(request, "console/benchmark.html", context)


@require_POST
@org_view("org.settings")
def benchmark_join(request):
    participation = BenchmarkParticipation.objects.filter(organization=request.org).first()
    if participation is None and request.POST.get("join") == "1":
        BenchmarkParticipation.objects.create(organization=request.org, opted_in_by=request.user)
        audit_record(action="benchmark.joined", actor=request.user, org=request.org)
        messages.success(request, _("Your score now counts, anonymously, in the comparison."))
    elif participation is not None and request.POST.get("join") == "0":
        participation.delete()
        audit_record(action="benchmark.left", actor=request.user, org=request.org)
        messages.success(request, _("Your score no longer counts in the comparison."))
    return redirect("org:benchmark", request.org.slug)
