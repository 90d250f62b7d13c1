"""Reads for the devices and sign-in pages. Each list is a fixed number of queries, however many rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import OuterRef, Subquery

from ippo.devices.models import CloudConnector, Device, MfaSnapshot, SaasAttestation, SaasService
from ippo.devices.results import (
    CHECK_KEYS,
    CHECK_LABELS,
    STATUS_LABELS,
    UNKNOWN,
    result_message,
    worst,
)
from ippo.devices.services import STALE_AFTER


@dataclass
class CheckRow:
    key: str
    label: str
    status: str
    status_label: str
    message: str
    method: str = ""


def check_rows(results: list) -> list[CheckRow]:
    """The five checks in a fixed order, each with its verdict and sentence (or "no report yet")."""
    by_key = {r.get("key"): r for r in results or []}
    rows = []
    for key in CHECK_KEYS:
        row = by_key.get(key) or {"key": key, "status": UNKNOWN, "reason": "no_report"}
        rows.append(
            CheckRow(
                key,
                str(CHECK_LABELS[key]),
                row["status"],
                str(STATUS_LABELS.get(row["status"], "")),
                result_message(row),
                row.get("method", ""),
            )
        )
    return rows


@dataclass
class DeviceRow:
    device: Device
    checks: list[CheckRow]
    stale: bool
    overall: str


def device_rows(org, now: datetime) -> list[DeviceRow]:
    devices = (
        Device.objects.filter(organization=org).select_related("owner").order_by("-is_active", "name", "pk")
    )
    rows = []
    for device in devices:
        checks = check_rows(device.results)
        stale = device.is_active and (device.last_seen_at is None or device.last_seen_at < now - STALE_AFTER)
        rows.append(DeviceRow(device, checks, stale, worst(c.status for c in checks)))
    return rows


def connectors_with_latest(org) -> list[CloudConnector]:
    """Each connector with `.latest` (its newest snapshot or None): two queries."""
    newest = (
        MfaSnapshot.objects.filter(connector=OuterRef("pk")).order_by("-taken_at", "-pk").values("pk")[:1]
    )
    connectors = list(CloudConnector.objects.filter(organization=org).annotate(latest_id=Subquery(newest)))
    ids = [c.latest_id for c in connectors if c.latest_id]
    snapshots = {s.pk: s for s in MfaSnapshot.objects.filter(pk__in=ids)} if ids else {}
    for c in connectors:
        c.latest = snapshots.get(c.latest_id)
        if c.latest:
            c.latest.message = result_message({"reason": c.latest.reason, "params": c.latest.params})
            c.latest.status_label = STATUS_LABELS.get(c.latest.status, "")
    return connectors


def services_with_latest(org, today) -> list[SaasService]:
    """Each hand-checked service with `.latest` (its newest confirmation) and `.is_due`: two queries."""
    newest = (
        SaasAttestation.objects.filter(service=OuterRef("pk"))
        .order_by("-attested_at", "-pk")
        .values("pk")[:1]
    )
    services = list(SaasService.objects.filter(organization=org).annotate(latest_id=Subquery(newest)))
    ids = [s.latest_id for s in services if s.latest_id]
    latest = (
        {
            a.pk: a
            for a in SaasAttestation.objects.filter(pk__in=ids).select_related("attested_by", "evidence")
        }
        if ids
        else {}
    )
    for s in services:
        s.latest = latest.get(s.latest_id)
        s.is_due = s.next_due <= today
    return services
