"""Devices and cloud sign-in pages. Thin: access check → form → service → response."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from ippo.core.roles import role_has_permission
from ippo.core.tenancy import org_view
from ippo.devices import selectors, services
from ippo.devices.forms import AttestForm, DeviceForm, EnrolForm, GoogleForm, M365Form, SaasServiceForm
from ippo.devices.models import CloudConnector, Device, DeviceReport, EnrolmentCode, SaasService
from ippo.devices.results import CHECK_KEYS, CHECK_LABELS, STATUS_LABELS, result_message


def _can_manage(request) -> bool:
    return role_has_permission(request.role, "checks.manage")


def _get(model, request, pk: int):
    return get_object_or_404(model.objects.filter(organization=request.org), pk=pk)


# --- Devices --------------------------------------------------------------------------------------------------


@require_safe
@org_view("program.view")
def device_list(request):
    now = timezone.now()
    rows = selectors.device_rows(request.org, now)
    active = [r for r in rows if r.device.is_active]
    coverage = services.device_coverage(request.org, now)
    summary = [
        {"label": CHECK_LABELS[key], "ok": c["pass"], "total": c["total"], "status": _summary_status(c)}
        for key, c in coverage.items()
    ]
    context = {
        "rows": rows,
        "summary": summary if any(c["total"] for c in coverage.values()) else [],
        "check_labels": [CHECK_LABELS[k] for k in CHECK_KEYS],
        "stale_count": sum(1 for r in active if r.stale),
        "active_count": len(active),
        "stale_days": services.STALE_AFTER.days,
        "can_manage": _can_manage(request),
    }
    return render(request, "devices/device_list.html", context)


def _summary_status(bucket: dict) -> str:
    if not bucket["total"]:
        return "unknown"
    if bucket["pass"] == bucket["total"]:
        return "pass"
    return "fail" if bucket["fail"] else "warn"


@never_cache  # the response shows the one-time code
@org_view("checks.manage")
def device_enrol(request):
    form = EnrolForm(request.POST or None, org=request.org)
    if request.method == "POST" and form.is_valid():
        row, code = services.enrolment_code_create(
            org=request.org,
            actor=request.user,
            label=form.cleaned_data["label"],
            owner=form.cleaned_data["owner"],
        )
        server = request.build_absolute_uri("/").rstrip("/")
        return render(request, "devices/device_enrol_code.html", {"code": code, "row": row, "server": server})
    pending = EnrolmentCode.objects.filter(
        organization=request.org, used_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("owner")
    return render(
        request,
        "devices/device_enrol.html",
        {"form": form, "pending": pending, "ttl_hours": int(services.ENROLMENT_TTL.total_seconds() // 3600)},
    )


@require_POST
@org_view("checks.manage")
def enrolmentcode_revoke(request, pk: int):
    row = _get(EnrolmentCode, request, pk)
    if services.enrolment_code_revoke(row=row, actor=request.user):
        messages.success(request, _("The code was cancelled. It can no longer be used."))
    return redirect("org:device_enrol", request.org.slug)


@require_safe
@org_view("program.view")
def device_detail(request, pk: int):
    device = get_object_or_404(Device.objects.filter(organization=request.org).select_related("owner"), pk=pk)
    reports = list(
        DeviceReport.objects.filter(device=device).defer("evidence").order_by("-received_at", "-pk")[:20]
    )
    latest = DeviceReport.objects.filter(device=device).order_by("-received_at", "-pk").first()
    history = [
        {
            "report": r,
            "cells": [
                {"status": s, "label": STATUS_LABELS.get(s, ""), "message": result_message(row)}
                for row in sorted(
                    r.results, key=lambda x: CHECK_KEYS.index(x["key"]) if x.get("key") in CHECK_KEYS else 9
                )
                for s in [row.get("status", "")]
            ],
        }
        for r in reports
    ]
    now = timezone.now()
    context = {
        "device": device,
        "checks": selectors.check_rows(device.results),
        "stale": device.is_active
        and (device.last_seen_at is None or device.last_seen_at < now - services.STALE_AFTER),
        "latest": latest,
        "evidence_items": sorted((latest.evidence or {}).items()) if latest else [],
        "history": history,
        "check_labels": [CHECK_LABELS[k] for k in CHECK_KEYS],
        "can_manage": _can_manage(request),
    }
    return render(request, "devices/device_detail.html", context)


@org_view("checks.manage")
def device_edit(request, pk: int):
    device = _get(Device, request, pk)
    initial = {"name": device.name, "owner": device.owner_id}
    form = DeviceForm(request.POST or None, initial=initial, org=request.org)
    if request.method == "POST" and form.is_valid():
        services.device_update(
            device=device,
            actor=request.user,
            name=form.cleaned_data["name"],
            owner=form.cleaned_data["owner"],
        )
        messages.success(request, _("The device “%(name)s” was saved.") % {"name": device.name})
        return redirect("org:device_detail", request.org.slug, device.pk)
    return render(request, "devices/device_form.html", {"form": form, "device": device})


@require_POST
@org_view("checks.manage")
def device_retire(request, pk: int):
    device = _get(Device, request, pk)
    if device.is_active:
        services.device_retire(device=device, actor=request.user)
        messages.success(
            request,
            _("“%(name)s” was removed: its agent can no longer send reports.") % {"name": device.name},
        )
    return redirect("org:device_list", request.org.slug)


# --- Cloud sign-in coverage -----------------------------------------------------------------------------------


@require_safe
@org_view("program.view")
def mfa_overview(request):
    today = timezone.localdate()
    context = {
        "connectors": selectors.connectors_with_latest(request.org),
        "services": selectors.services_with_latest(request.org, today),
        "can_manage": _can_manage(request),
    }
    return render(request, "devices/mfa_overview.html", context)


@org_view("checks.manage")
def mfa_connect(request):
    kind = request.POST.get("kind") or request.GET.get("kind", "")
    form_class = {"m365": M365Form, "google": GoogleForm}.get(kind)
    if form_class is None:
        return redirect("org:mfa_overview", request.org.slug)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        credentials, hint = form.credentials()
        connector = services.cloud_connector_create(
            org=request.org,
            actor=request.user,
            kind=kind,
            name=form.cleaned_data["name"],
            credentials=credentials,
            hint=hint,
        )
        snapshot = services.cloud_connector_run(connector=connector, actor=request.user)
        messages.success(
            request,
            _("The connection was saved and checked: %(result)s")
            % {"result": result_message({"reason": snapshot.reason, "params": snapshot.params})},
        )
        return redirect("org:mfa_overview", request.org.slug)
    return render(request, "devices/cloudconnector_form.html", {"form": form, "kind": kind})


@require_POST
@org_view("checks.manage")
def cloudconnector_run(request, pk: int):
    connector = _get(CloudConnector, request, pk)
    snapshot = services.cloud_connector_run(connector=connector, actor=request.user)
    messages.success(request, result_message({"reason": snapshot.reason, "params": snapshot.params}))
    return redirect("org:mfa_overview", request.org.slug)


@require_POST
@org_view("checks.manage")
def cloudconnector_delete(request, pk: int):
    connector = _get(CloudConnector, request, pk)
    services.cloud_connector_delete(connector=connector, actor=request.user)
    messages.success(request, _("The connection “%(name)s” was removed.") % {"name": connector.name})
    return redirect("org:mfa_overview", request.org.slug)


@org_view("checks.manage")
def saasservice_create(request):
    form = SaasServiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.saas_service_create(
                org=request.org,
                actor=request.user,
                name=form.cleaned_data["name"],
                control_id=form.cleaned_data["control_id"],
                interval_months=form.cleaned_data["interval_months"],
                today=timezone.localdate(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("org:mfa_overview", request.org.slug)
    from ippo.devices.forms import SAAS_SUGGESTIONS

    return render(request, "devices/saasservice_form.html", {"form": form, "suggestions": SAAS_SUGGESTIONS})


@org_view("checks.manage")
def saasservice_attest(request, pk: int):
    service = _get(SaasService, request, pk)
    form = AttestForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.saas_attest(
                service=service,
                actor=request.user,
                answer=form.cleaned_data["answer"],
                note=form.cleaned_data["note"],
                upload=form.cleaned_data["screenshot"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Thank you. The next check of %(service)s is due on %(date)s.")
                % {"service": service.name, "date": service.next_due},
            )
            return redirect("org:mfa_overview", request.org.slug)
    history = service.attestations.select_related("attested_by", "evidence")[:10]
    return render(
        request, "devices/saasservice_attest.html", {"form": form, "service": service, "history": history}
    )


@require_POST
@org_view("checks.manage")
def saasservice_delete(request, pk: int):
    service = _get(SaasService, request, pk)
    services.saas_service_delete(service=service, actor=request.user)
    messages.success(request, _("“%(name)s” was removed from the list.") % {"name": service.name})
    return redirect("org:mfa_overview", request.org.slug)
