"""Register pages: information assets, risks in yen, vendors, and the responsibility table."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from ippo.core.roles import role_has_permission
from ippo.core.tenancy import org_view
from ippo.lib import tabular
from ippo.lib.forms import show_errors
from ippo.lib.text import join_list, quote
from ippo.program.models import ControlStatus
from ippo.registers import content, exchange, exports, risk_model, selectors, services
from ippo.registers.forms import AssetForm, AssetImportForm, RiskForm, RiskSettingsForm, VendorForm
from ippo.registers.models import Asset, AssetType, Risk, Vendor


def _can_change(request) -> bool:
    return role_has_permission(request.role, "program.change")


def _get(model, request, pk: int):
    return get_object_or_404(model.objects.filter(organization=request.org), pk=pk)




def _detached(obj):
    """A copy for a ModelForm to fill in while validating, so that the service still sees the stored
    values and can tell (and audit) what changed."""
    return copy.copy(obj) if obj is not None else None


def _fields(form, names) -> dict:
    return {name: form.cleaned_data[name] for name in names if name in form.cleaned_data}


# --- Assets ---------------------------------------------------------------------------------------------------


@require_safe
@org_view("program.view")
def asset_list(request):
    asset_type = request.GET.get("type", "")
    personal_data = request.GET.get("personal_data", "")
    assets = list(selectors.assets_for_list(request.org, asset_type=asset_type, personal_data=personal_data))
    context = {
        "assets": assets,
        "types": AssetType.choices,
        "types_text": join_list(quote(label) for _value, label in AssetType.choices),
        "filter_type": asset_type if asset_type in AssetType.values else "",
        "filter_personal": personal_data if personal_data in ("yes", "no") else "",
        "can_change": _can_change(request),
    }
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "registers/_asset_table.html", context)
    return render(request, "registers/asset_list.html", context)


def _asset_form_page(request, asset: Asset | None):
    form = AssetForm(request.POST or None, instance=_detached(asset), members=selectors.members(request.org))
    if request.method == "POST" and form.is_valid():
        fields = _fields(form, services.ASSET_FIELDS)
        try:
            if asset is None:
                asset = services.asset_create(org=request.org, actor=request.user, **fields)
                messages.success(request, _("The asset “%(name)s” was added.") % {"name": asset.name})
            else:
                services.asset_update(asset=asset, actor=request.user, **fields)
                messages.success(request, _("The asset “%(name)s” was saved.") % {"name": asset.name})
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            return redirect("org:asset_list", request.org.slug)
    return render(request, "registers/asset_form.html", {"form": form, "asset": asset})


@org_view("program.change")
def asset_create(request):
    return _asset_form_page(request, None)


@org_view("program.change")
def asset_edit(request, pk: int):
    return _asset_form_page(request, _get(Asset, request, pk))


@require_POST
@org_view("program.change")
def asset_delete(request, pk: int):
    asset = _get(Asset, request, pk)
    services.asset_delete(asset=asset, actor=request.user)
    messages.success(request, _("The asset “%(name)s” was deleted.") % {"name": asset.name})
    return redirect("org:asset_list", request.org.slug)


@org_view("program.change")
def asset_import(request):
    form = AssetImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = exchange.assets_import(
                org=request.org, actor=request.user, name=upload.name, data=upload.read()
            )
        except exchange.ImportProblems as exc:
            problems = exc.problems
        else:
            messages.success(
                request,
                _("Imported: %(created)s added, %(updated)s updated, %(unchanged)s unchanged.")
                % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
            )
            return redirect("org:asset_list", request.org.slug)
    context = {
        "form": form,
        "problems": problems,
        "columns": [(ja, en, code in exchange.REQUIRED) for code, ja, en, _o in exchange.COLUMNS],
        "types": AssetType.choices,
        "types_text": join_list(quote(label) for _value, label in AssetType.choices),
    }
    return render(request, "registers/asset_import.html", context)


@require_safe
@org_view("program.view")
def asset_export(request):
    fmt = request.GET.get("format", "xlsx")
    if fmt not in ("xlsx", "csv"):
        raise Http404("Unknown format")
    assets = list(selectors.assets_for_list(request.org))
    if fmt == "csv":
        body, content_type = exchange.export_csv(assets), exchange.CSV_CONTENT_TYPE
    else:
        body, content_type = exchange.export_xlsx(assets), exchange.XLSX_CONTENT_TYPE
    services.assets_exported(org=request.org, actor=request.user, fmt=fmt, count=len(assets))
    filename = f"ippo-{request.org.slug}-assets-{timezone.localdate():%Y%m%d}.{fmt}"
    return tabular.download_response(body, filename=filename, content_type=content_type)


# --- Risks ----------------------------------------------------------------------------------------------------


def _settings_missing(settings) -> bool:
    return settings.pk is None or not settings.daily_revenue_yen


@require_safe
@org_view("program.view")
def risk_list(request):
    register = selectors.risk_register(request.org)
    present = {row.risk.scenario_id for row in register.rows}
    context = {
        "register": register,
        "settings_missing": _settings_missing(register.settings),
        "starters_missing": [s for s in content.scenarios() if s.id not in present],
        "percents": sorted(risk_model.LIKELIHOOD_PERCENT.items()),
        "can_change": _can_change(request),
    }
    return render(request, "registers/risk_list.html", context)


@require_safe
@org_view("program.view")
def risk_export(request):
    """The risk register with its yen estimates (?format=xlsx|csv)."""
    fmt = tabular.export_format(request)
    rows = exports.risk_rows(request.org)
    services.risks_exported(org=request.org, actor=request.user, fmt=fmt, count=len(rows))
    return tabular.table_response(
        fmt=fmt,
        filename=f"ippo-{request.org.slug}-risks-{timezone.localdate():%Y%m%d}",
        title=_("Risks"),
        header=exports.risk_header(),
        rows=rows,
    )


@require_safe
@org_view("program.view")
def risk_detail(request, pk: int):
    risk = get_object_or_404(
        Risk.objects.filter(organization=request.org).select_related("owner").prefetch_related("assets"),
        pk=pk,
    )
    settings = services.risk_settings_get(org=request.org)
    statuses = selectors.control_statuses(request.org)
    row = selectors.risk_row(risk, settings, statuses)
    context = {
        "risk": risk,
        "row": row,
        "estimate": row.estimate,
        "settings": settings,
        "settings_missing": _settings_missing(settings),
        "controls": selectors.control_states(risk.control_ids, statuses),
        "scenario": risk.scenario,
        "can_change": _can_change(request),
    }
    return render(request, "registers/risk_detail.html", context)


def _risk_form_page(request, risk: Risk | None):
    form = RiskForm(
        request.POST or None,
        instance=_detached(risk),
        members=selectors.members(request.org),
        assets=Asset.objects.filter(organization=request.org).order_by("asset_type", "name"),
    )
    if request.method == "POST" and form.is_valid():
        fields = _fields(form, services.RISK_FIELDS)
        assets = list(form.cleaned_data.get("assets") or [])
        try:
            if risk is None:
                risk = services.risk_create(org=request.org, actor=request.user, assets=assets, **fields)
                messages.success(request, _("The risk was added."))
            else:
                services.risk_update(risk=risk, actor=request.user, assets=assets, **fields)
                messages.success(request, _("The risk was saved."))
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            return redirect("org:risk_detail", request.org.slug, risk.pk)
    suggestion = None
    if risk is not None:
        settings = services.risk_settings_get(org=request.org)
        suggestion = selectors.risk_row(risk, settings, selectors.control_statuses(request.org))
    context = {"form": form, "risk": risk, "suggestion": suggestion}
    return render(request, "registers/risk_form.html", context)


@org_view("program.change")
def risk_create(request):
    return _risk_form_page(request, None)


@org_view("program.change")
def risk_edit(request, pk: int):
    return _risk_form_page(request, _get(Risk, request, pk))


@require_POST
@org_view("program.change")
def risk_delete(request, pk: int):
    risk = _get(Risk, request, pk)
    services.risk_delete(risk=risk, actor=request.user)
    messages.success(request, _("The risk “%(title)s” was deleted.") % {"title": risk.title_text})
    return redirect("org:risk_list", request.org.slug)


@require_POST
@org_view("program.change")
def risk_starters(request):
    created = services.risks_add_starters(org=request.org, actor=request.user)
    if created:
        messages.success(
            request,
            ngettext(
                "%(count)s starter risk was added. Check its numbers against your company.",
                "%(count)s starter risks were added. Check their numbers against your company.",
                len(created),
            )
            % {"count": len(created)},
        )
    else:
        messages.info(request, _("The starter risks are already in the register."))
    return redirect("org:risk_list", request.org.slug)


@org_view("program.change")
def risksettings_edit(request):
    settings = services.risk_settings_get(org=request.org)
    form = RiskSettingsForm(request.POST or None, instance=settings)
    if request.method == "POST" and form.is_valid():
        try:
            services.risk_settings_save(
                org=request.org,
                actor=request.user,
                daily_revenue_yen=form.cleaned_data["daily_revenue_yen"],
                cost_per_record_yen=form.cleaned_data["cost_per_record_yen"],
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("The figures are saved. Every risk's estimate now uses them."))
            return redirect("org:risk_list", request.org.slug)
    return render(request, "registers/risksettings_edit.html", {"form": form})


# --- Vendors --------------------------------------------------------------------------------------------------


@require_safe
@org_view("program.view")
def vendor_list(request):
    vendors = list(Vendor.objects.filter(organization=request.org).order_by("name"))
    total = len(content.checklist())
    today = timezone.localdate()
    rows = [
        {
            "vendor": v,
            "yes": v.checklist_count("yes"),
            "partial": v.checklist_count("partial"),
            "total": total,
            "review_due": v.last_review is None or (today - v.last_review).days > 365,
        }
        for v in vendors
    ]
    return render(request, "registers/vendor_list.html", {"rows": rows, "can_change": _can_change(request)})


@require_safe
@org_view("program.view")
def vendor_export(request):
    """The vendors with their contacts and contract checklist answers (?format=xlsx|csv)."""
    fmt = tabular.export_format(request)
    rows = exports.vendor_rows(request.org)
    services.vendors_exported(org=request.org, actor=request.user, fmt=fmt, count=len(rows))
    return tabular.table_response(
        fmt=fmt,
        filename=f"ippo-{request.org.slug}-vendors-{timezone.localdate():%Y%m%d}",
        title=_("Vendors"),
        header=exports.vendor_header(),
        rows=rows,
    )


@require_safe
@org_view("program.view")
def vendor_detail(request, pk: int):
    vendor = _get(Vendor, request, pk)
    answers = dict(Vendor.Answer.choices)
    checklist = [
        {"item": item, "value": vendor.checklist.get(item.id, "unknown")} for item in content.checklist()
    ]
    for row in checklist:
        row["label"] = answers[row["value"]]
    responsibilities = [
        r
        for r in selectors.responsibility_rows(request.org)
        if r.row is not None and r.row.vendor_id == vendor.pk and r.row.doer == "vendor"
    ]
    context = {
        "vendor": vendor,
        "checklist": checklist,
        "responsibilities": responsibilities,
        "can_change": _can_change(request),
    }
    return render(request, "registers/vendor_detail.html", context)


def _vendor_form_page(request, vendor: Vendor | None):
    form = VendorForm(request.POST or None, instance=_detached(vendor))
    if request.method == "POST" and form.is_valid():
        fields = {**_fields(form, services.VENDOR_FIELDS), "checklist": form.checklist_value()}
        try:
            if vendor is None:
                vendor = services.vendor_create(org=request.org, actor=request.user, **fields)
                messages.success(request, _("The vendor “%(name)s” was added.") % {"name": vendor.name})
            else:
                services.vendor_update(vendor=vendor, actor=request.user, **fields)
                messages.success(request, _("The vendor “%(name)s” was saved.") % {"name": vendor.name})
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            return redirect("org:vendor_detail", request.org.slug, vendor.pk)
    return render(request, "registers/vendor_form.html", {"form": form, "vendor": vendor})


@org_view("program.change")
def vendor_create(request):
    return _vendor_form_page(request, None)


@org_view("program.change")
def vendor_edit(request, pk: int):
    return _vendor_form_page(request, _get(Vendor, request, pk))


@require_POST
@org_view("program.change")
def vendor_review(request, pk: int):
    vendor = services.vendor_review(vendor=_get(Vendor, request, pk), actor=request.user)
    messages.success(request, _("Marked as reviewed today: “%(name)s”.") % {"name": vendor.name})
    return redirect("org:vendor_detail", request.org.slug, vendor.pk)


@require_POST
@org_view("program.change")
def vendor_delete(request, pk: int):
    vendor = _get(Vendor, request, pk)
    released = services.vendor_delete(vendor=vendor, actor=request.user)
    text = _("The vendor “%(name)s” was deleted.") % {"name": vendor.name}
    if released:
        text += " " + ngettext(
            "%(count)s measure it did is now marked “not decided”.",
            "%(count)s measures it did are now marked “not decided”.",
            released,
        ) % {"count": released}
    messages.success(request, text)
    return redirect("org:vendor_list", request.org.slug)


# --- Responsibility table -------------------------------------------------------------------------------------


def _responsibility_context(request, errors=None, posted=None) -> dict:
    """The table's rows with the values its selects show: what was posted when saving failed, else what
    is stored."""
    errors, posted = errors or {}, posted or {}
    rows = selectors.responsibility_rows(request.org)
    vendors = list(Vendor.objects.filter(organization=request.org).order_by("name"))
    people = selectors.members(request.org)
    table = []
    for r in rows:
        stored = r.row
        mine = posted.get(r.control.id)
        table.append(
            {
                "control": r.control,
                "status": r.status,
                "status_label": dict(ControlStatus.Status.choices).get(r.status, ""),
                "does": mine["does"] if mine else (stored.does_key if stored else ""),
                "decider": mine["decider"] if mine else (str(stored.decider_id or "") if stored else ""),
                "decider_name": mine["decider_name"] if mine else (stored.decider_name if stored else ""),
                "display": stored,
                "errors": errors.get(r.control.id, []),
            }
        )
    return {
        "rows": table,
        "does_options": [("", _("Not decided")), ("us", _("Us (in house)"))],
        "vendor_options": [(f"vendor:{v.pk}", v.name) for v in vendors],
        "member_options": [(str(u.pk), u.get_short_name()) for u in people],
        "has_vendors": bool(vendors),
        "decided": sum(1 for r in rows if r.decided),
        "total": len(rows),
        "errors": errors,
        "can_change": _can_change(request),
    }


@require_safe
@org_view("program.view")
def responsibility_list(request):
    return render(request, "registers/responsibility_list.html", _responsibility_context(request))


@require_POST
@org_view("program.change")
def responsibility_update(request):
    control_ids = [c.id for c in selectors.responsibility_controls()]
    rows, posted = {}, {}
    for control_id in control_ids:
        if f"does-{control_id}" not in request.POST:
            continue
        decider = request.POST.get(f"decider-{control_id}", "")
        rows[control_id] = {
            "does": request.POST.get(f"does-{control_id}", ""),
            "decider_id": int(decider) if decider.isdigit() else None,
            "decider_name": request.POST.get(f"decider_name-{control_id}", ""),
        }
        posted[control_id] = {**rows[control_id], "decider": decider}
    errors = {}
    try:
        changed = services.responsibilities_save(
            org=request.org, actor=request.user, rows=rows, control_ids=control_ids
        )
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
        messages.error(request, _("Nothing was saved. Please correct the rows marked below."))
    else:
        messages.success(
            request,
            ngettext("%(count)s row was saved.", "%(count)s rows were saved.", len(changed))
            % {"count": len(changed)},
        )
        if not request.htmx:
            return redirect("org:responsibility_list", request.org.slug)
    context = _responsibility_context(request, errors=errors, posted=posted if errors else None)
    template = (
        "registers/_responsibility_table.html" if request.htmx else "registers/responsibility_list.html"
    )
    return render(request, template, context, status=200)
