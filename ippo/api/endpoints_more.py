"""API v1, continued: the people, incident and technical-check modules (read only), and the dashboard
summary. Same scoping and errors as ippo.api.endpoints."""

from __future__ import annotations

import json
from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from ninja import Query, Router, Schema

from ippo.api.access import org_access
from ippo.api.endpoints import ERRORS, PageParams, _page

router = Router()


def _plain(value: dict) -> dict:
    """JSON-ready: dates as ISO text, keys as strings."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


# --- Dashboard summary ----------------------------------------------------------------------------------------


class SummaryOut(Schema):
    score: float | None
    tier: int | None
    risk_expected_yen: int
    risk_residual_yen: int
    open_action_items: int
    overdue_action_items: int
    training: dict
    drills: dict
    incidents: dict


@router.get("/orgs/{org_slug}/summary", response={200: SummaryOut, **ERRORS}, tags=["reports"])
def summary(request, org_slug: str):
    """The owner's dashboard in figures: score, risk in yen, the plan, training, the last drill, incidents."""
    from ippo.reports.selectors import overview

    with org_access(request, org_slug, "program.view") as org:
        data = overview(org, timezone.localdate())
        return SummaryOut(
            score=data.score.overall,
            tier=data.score.tier,
            risk_expected_yen=data.risk_total_yen,
            risk_residual_yen=data.risk_residual_yen,
            open_action_items=data.open_count,
            overdue_action_items=data.overdue_count,
            training=_plain(data.training),
            drills=_plain(data.drills),
            incidents=_plain(data.incidents),
        )


# --- Training and drills --------------------------------------------------------------------------------------


@router.get("/orgs/{org_slug}/training", response={200: dict, **ERRORS}, tags=["people"])
def training(request, org_slug: str):
    """Completion of assigned lessons, overall and per department."""
    from ippo.training.selectors import training_summary

    with org_access(request, org_slug, "people.manage") as org:
        return training_summary(org, today=timezone.localdate())


class DrillOut(Schema):
    id: int
    name: str
    status: str
    started_at: datetime | None
    finished_at: datetime | None
    recipients: int | None
    report_rate: float | None
    median_minutes_to_report: float | None
    click_rate: float | None
    submit_rate: float | None


class DrillPage(Schema):
    count: int
    items: list[DrillOut]


@router.get("/orgs/{org_slug}/drills", response={200: DrillPage, **ERRORS}, tags=["people"])
def drill_list(request, org_slug: str, params: Query[PageParams]):
    """Phishing drills with their results: report rate and time to report first, then clicks and submits.
    Only totals: no per-person results leave ippo through the API."""
    from ippo.phishing.models import Drill
    from ippo.phishing.results import drill_results

    with org_access(request, org_slug, "drills.manage") as org:
        count, drills = _page(Drill.objects.filter(organization=org).order_by("-created_at", "-pk"), params)
        items = []
        for drill in drills:
            figures = drill_results(drill) if drill.status in ("running", "finished") else {}
            items.append(
                DrillOut(
                    id=drill.pk,
                    name=drill.name,
                    status=drill.status,
                    started_at=drill.started_at,
                    finished_at=drill.finished_at,
                    recipients=figures.get("recipients"),
                    report_rate=figures.get("report_rate"),
                    median_minutes_to_report=figures.get("median_minutes_to_report"),
                    click_rate=figures.get("click_rate"),
                    submit_rate=figures.get("submit_rate"),
                )
            )
        return DrillPage(count=count, items=items)


# --- Incidents and reports --------------------------------------------------------------------------------------


class IncidentOut(Schema):
    id: int
    number: int
    title: str
    kind: str
    severity: int
    status: str
    near_miss: bool
    aware_at: datetime | None
    owner: str | None


class IncidentPage(Schema):
    count: int
    items: list[IncidentOut]


class IncidentParams(PageParams):
    open: bool | None = None


@router.get("/orgs/{org_slug}/incidents", response={200: IncidentPage, **ERRORS}, tags=["incidents"])
def incident_list(request, org_slug: str, params: Query[IncidentParams]):
    from ippo.incidents.models import Incident, Status

    with org_access(request, org_slug, "incidents.handle") as org:
        qs = Incident.objects.filter(organization=org).select_related("owner").order_by("-number")
        if params.open is True:
            qs = qs.exclude(status=Status.CLOSED)
        elif params.open is False:
            qs = qs.filter(status=Status.CLOSED)
        count, incidents = _page(qs, params)
        return IncidentPage(
            count=count,
            items=[
                IncidentOut(
                    id=i.pk,
                    number=i.number,
                    title=i.title,
                    kind=i.kind,
                    severity=i.severity,
                    status=i.status,
                    near_miss=i.near_miss,
                    aware_at=i.aware_at,
                    owner=i.owner.email if i.owner else None,
                )
                for i in incidents
            ],
        )


class ReportOut(Schema):
    id: int
    kind: str
    status: str
    severity: int | None
    anonymous: bool
    received_at: datetime
    acknowledged_at: datetime | None


class ReportPage(Schema):
    count: int
    items: list[ReportOut]


@router.get("/orgs/{org_slug}/reports", response={200: ReportPage, **ERRORS}, tags=["incidents"])
def report_list(request, org_slug: str, params: Query[PageParams]):
    """Reports from employees (報告・相談) without their text or the reporter: what kind, when, its state.
    Concerns about misconduct are never served by the API; they stay with their designated handlers."""
    from ippo.reporting.models import Kind, Report

    with org_access(request, org_slug, "incidents.handle") as org:
        qs = Report.objects.filter(organization=org).exclude(kind=Kind.MISCONDUCT).order_by("-created_at", "-pk")
        count, reports = _page(qs, params)
        return ReportPage(
            count=count,
            items=[
                ReportOut(
                    id=r.pk,
                    kind=r.kind,
                    status=r.status,
                    severity=r.severity,
                    anonymous=r.identity == "anonymous",
                    received_at=r.created_at,
                    acknowledged_at=r.acknowledged_at,
                )
                for r in reports
            ],
        )


# --- Devices and domain checks ------------------------------------------------------------------------------------


class CheckResultOut(Schema):
    check: str
    status: str


class DeviceOut(Schema):
    id: int
    name: str
    platform: str
    os: str
    owner: str | None
    last_seen_at: datetime | None
    results: list[CheckResultOut]


class DevicePage(Schema):
    count: int
    items: list[DeviceOut]


@router.get("/orgs/{org_slug}/devices", response={200: DevicePage, **ERRORS}, tags=["technical checks"])
def device_list(request, org_slug: str, params: Query[PageParams]):
    from ippo.devices.models import Device

    with org_access(request, org_slug, "program.view") as org:
        qs = Device.objects.filter(organization=org, is_active=True).select_related("owner").order_by("name", "pk")
        count, devices = _page(qs, params)
        return DevicePage(
            count=count,
            items=[
                DeviceOut(
                    id=d.pk,
                    name=d.name,
                    platform=d.platform,
                    os=d.os_label,
                    owner=d.owner.name if d.owner else None,
                    last_seen_at=d.last_seen_at,
                    results=[CheckResultOut(check=r.get("key", ""), status=r.get("status", "")) for r in d.results or []],
                )
                for d in devices
            ],
        )


class DomainOut(Schema):
    id: int
    name: str
    verified: bool
    last_run_at: datetime | None
    results: list[CheckResultOut]


@router.get("/orgs/{org_slug}/domains", response={200: list[DomainOut], **ERRORS}, tags=["technical checks"])
def domain_list(request, org_slug: str):
    """Each domain with the results of its latest finished check run."""
    from ippo.checks.models import CheckOutcome, CheckRun, Domain

    with org_access(request, org_slug, "program.view") as org:
        domains = list(Domain.objects.filter(organization=org).order_by("name"))
        latest: dict[int, int] = {}
        for run_id, domain_id in (
            CheckRun.objects.filter(organization=org, finished_at__isnull=False)
            .order_by("domain_id", "-finished_at", "-pk")
            .values_list("pk", "domain_id")
        ):
            latest.setdefault(domain_id, run_id)
        outcomes: dict[int, list] = {}
        for run_id, name, status in CheckOutcome.objects.filter(run_id__in=latest.values()).values_list(
            "run_id", "check_name", "status"
        ):
            outcomes.setdefault(run_id, []).append(CheckResultOut(check=name, status=status))
        return [
            DomainOut(
                id=d.pk,
                name=d.name,
                verified=d.verified_at is not None,
                last_run_at=d.last_run_at,
                results=outcomes.get(latest.get(d.pk, 0), []),
            )
            for d in domains
        ]
