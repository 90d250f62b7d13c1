"""Writes for devices, the agent's enrolment and reports, cloud connectors and hand-checked services."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from ippo.core.audit import audit_record
from ippo.core.models import Organization
from ippo.devices import evaluators
from ippo.devices.models import (
    CloudConnector,
    Device,
    DeviceReport,
    EnrolmentCode,
    MfaSnapshot,
    Platform,
    SaasAttestation,
    SaasService,
)
from ippo.devices.results import CHECK_KEYS, CHECK_LABELS, CONTROL_FOR_CHECK, FAIL, PASS, WARN

ENROLMENT_TTL = timedelta(hours=24)
STALE_AFTER = timedelta(days=7)
MAX_REPORT_BYTES = 256 * 1024
MAX_EVIDENCE_ITEMS = 40
MAX_ITEM_OUTPUT = 8 * 1024
REPORTS_KEPT = 30  # per device
CONTROL_SOURCE = "device_agent"  # ControlStatus.source for statuses set from device and cloud results


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


# --- Enrolment --------------------------------------------------------------------------------------------


@transaction.atomic
def enrolment_code_create(
    *, org: Organization, actor, label: str = "", owner=None, now: datetime | None = None
):
    """A new one-time code. Returns (row, code): the code itself is shown once and stored only hashed."""
    now = now or timezone.now()
    code = secrets.token_urlsafe(16)
    row = EnrolmentCode.objects.create(
        organization=org,
        code_hash=token_hash(code),
        label=label.strip()[:100],
        owner=owner,
        created_by=_user(actor),
        expires_at=now + ENROLMENT_TTL,
    )
    audit_record(
        action="device.enrolment_code_created", actor=actor, org=org, target=row, data={"label": row.label}
    )
    return row, code


@transaction.atomic
def enrolment_code_revoke(*, row: EnrolmentCode, actor, now: datetime | None = None) -> bool:
    """Make an unused code stop working at once (e.g. it was sent to the wrong person)."""
    now = now or timezone.now()
    changed = EnrolmentCode.objects.filter(pk=row.pk, used_at__isnull=True, expires_at__gt=now).update(
        expires_at=now
    )
    if changed:
        audit_record(
            action="device.enrolment_code_revoked",
            actor=actor,
            org=row.organization,
            target=row,
            data={"label": row.label},
        )
    return bool(changed)


class EnrolmentRefused(Exception):
    """The code is unknown, used or expired. The caller answers 404 without saying which."""


def device_enrol(
    *, code: str, hostname: str, platform: str, agent_version: str = "", now: datetime | None = None
):
    """Trade a one-time code for a device and its token. The code is claimed with a conditional UPDATE, so
    two agents racing with the same code cannot both succeed. Returns (device, token)."""
    now = now or timezone.now()
    if platform not in Platform.values:
        raise EnrolmentRefused
    digest = token_hash(code.strip())
    with transaction.atomic(), scopes_disabled():
        claimed = EnrolmentCode.objects.filter(
            code_hash=digest, used_at__isnull=True, expires_at__gt=now
        ).update(used_at=now)
        if claimed != 1:
            raise EnrolmentRefused
        row = EnrolmentCode.objects.select_related("organization").get(code_hash=digest)
        org = row.organization
    with transaction.atomic(), scope(organization=org):
        token = secrets.token_urlsafe(32)
        device = Device.objects.create(
            organization=org,
            name=(row.label or hostname or "?").strip()[:200],
            platform=platform,
            owner_id=row.owner_id,
            token_hash=token_hash(token),
            agent_version=agent_version[:20],
            enrolled_at=now,
        )
        EnrolmentCode.objects.filter(pk=row.pk).update(device=device)
        audit_record(
            action="device.enrolled",
            actor="ippo agent",
            org=org,
            target=device,
            data={"name": device.name, "platform": platform},
            via="agent",
        )
    return device, token


def device_for_token(token: str) -> Device | None:
    if not token or len(token) > 200:
        return None
    with scopes_disabled():
        return (
            Device.objects.select_related("organization")
            .filter(token_hash=token_hash(token), is_active=True)
            .first()
        )


# --- Reports ------------------------------------------------------------------------------------------------


def clean_evidence(raw) -> dict:
    """Keep only what the agent is meant to send, bounded: at most MAX_EVIDENCE_ITEMS items with short keys,
    each with known fields, outputs cut at MAX_ITEM_OUTPUT characters."""
    if not isinstance(raw, dict):
        raise ValidationError("evidence must be an object")
    clean = {}
    for key, item in list(raw.items())[:MAX_EVIDENCE_ITEMS]:
        if not isinstance(key, str) or len(key) > 40 or not isinstance(item, dict):
            continue
        row = {}
        for name in ("kind", "cmd", "path", "error"):
            if isinstance(item.get(name), str):
                row[name] = item[name][:300]
        for name in ("rc",):
            if isinstance(item.get(name), int):
                row[name] = item[name]
        for name in ("exists", "truncated"):
            if isinstance(item.get(name), bool):
                row[name] = item[name]
        if isinstance(item.get("output"), str):
            row["output"] = item["output"][:MAX_ITEM_OUTPUT]
            if len(item["output"]) > MAX_ITEM_OUTPUT:
                row["truncated"] = True
        clean[key] = row
    return clean


def device_report_receive(
    *, device: Device, payload: dict, size: int, now: datetime | None = None
) -> DeviceReport:
    """Store one report, judge it with the current rules, update the device and the device controls.
    Runs inside the device's organisation scope."""
    now = now or timezone.now()
    evidence = clean_evidence(payload.get("evidence"))
    results, os_label = evaluators.evaluate_report(device.platform, evidence, now=now)
    rows = [r.as_dict() for r in results]
    before = {r.get("key"): r.get("status") for r in device.results or []}
    newly_failing = [
        r["key"] for r in rows if r["status"] == FAIL and before.get(r["key"]) not in (None, FAIL)
    ]
    with transaction.atomic():
        report = DeviceReport.objects.create(
            organization=device.organization,
            device=device,
            received_at=now,
            evidence=evidence,
            results=rows,
            size=size,
        )
        device.results, device.os_label, device.last_seen_at = rows, os_label[:200], now
        version = payload.get("agent_version")
        if isinstance(version, str):
            device.agent_version = version[:20]
        device.save(update_fields=["results", "os_label", "last_seen_at", "agent_version"])
        old = list(
            DeviceReport.objects.filter(device=device)
            .order_by("-received_at", "-pk")
            .values_list("pk", flat=True)[REPORTS_KEPT:]
        )
        if old:
            DeviceReport.objects.filter(pk__in=old).delete()
        device_controls_sync(org=device.organization, now=now)
        if newly_failing:
            _notify_regression(device=device, keys=newly_failing)
    return report


def leaders(org: Organization) -> list:
    """The owners and managers: who hears about failing devices and due confirmations."""
    from ippo.core.models import Membership

    return [
        m.user
        for m in Membership.objects.filter(organization=org, role__in=["owner", "manager"]).select_related(
            "user"
        )
    ]


def _notify_regression(*, device: Device, keys: list[str]) -> None:
    """A check that was fine (or unknown) now fails: tell the owners and managers, and the team chat."""
    from django.urls import reverse

    from ippo.core.notify import notification_send

    name = device.name
    notification_send(
        org=device.organization,
        event="devices.check_failed",
        users=leaders(device.organization),
        url=reverse("org:device_detail", args=[device.organization.slug, device.pk]),
        subject=lambda n=name: _("A device check now fails: %(device)s") % {"device": n},
        body=lambda n=name, k=tuple(keys): (
            _(
                "On %(device)s, these checks were fine before and now fail: %(checks)s. Open the device in ippo to "
                "see what changed and what to do."
            )
            % {"device": n, "checks": ", ".join(str(CHECK_LABELS[key]) for key in k)}
        ),
    )


@transaction.atomic
def device_reevaluate(*, device: Device, now: datetime | None = None) -> bool:
    """Judge the newest stored report again with today's rules (after a rule change). False if none."""
    now = now or timezone.now()
    report = DeviceReport.objects.filter(device=device).order_by("-received_at", "-pk").first()
    if report is None:
        return False
    results, os_label = evaluators.evaluate_report(device.platform, report.evidence, now=now)
    device.results, device.os_label = [r.as_dict() for r in results], os_label[:200]
    device.save(update_fields=["results", "os_label"])
    return True


@transaction.atomic
def device_update(*, device: Device, actor, name: str, owner) -> Device:
    device.name, device.owner = name.strip()[:200] or device.name, owner
    device.save(update_fields=["name", "owner"])
    audit_record(
        action="device.updated",
        actor=actor,
        org=device.organization,
        target=device,
        data={"name": device.name, "owner": owner.pk if owner else None},
    )
    return device


@transaction.atomic
def device_retire(*, device: Device, actor) -> Device:
    """Stop accepting the device's reports (its token no longer works) and leave it out of the controls."""
    device.is_active = False
    device.save(update_fields=["is_active"])
    audit_record(
        action="device.retired",
        actor=actor,
        org=device.organization,
        target=device,
        data={"name": device.name},
    )
    device_controls_sync(org=device.organization, now=timezone.now())
    return device


def active_devices(org: Organization, now: datetime):
    """Devices that count: enrolled, not retired, reported within STALE_AFTER."""
    return Device.objects.filter(organization=org, is_active=True, last_seen_at__gte=now - STALE_AFTER)


def device_coverage(org: Organization, now: datetime) -> dict[str, dict]:
    """Per check: how many current devices pass, warn, fail (unknown and n/a are left out)."""
    counts = {key: {PASS: 0, WARN: 0, FAIL: 0, "total": 0} for key in CHECK_KEYS}
    for results in active_devices(org, now).values_list("results", flat=True):
        for row in results or []:
            bucket = counts.get(row.get("key"))
            if bucket is not None and row.get("status") in (PASS, WARN, FAIL):
                bucket[row["status"]] += 1
                bucket["total"] += 1
    return counts


def _answer(bucket: dict) -> str | None:
    if not bucket["total"]:
        return None
    if bucket[PASS] == bucket["total"]:
        return "yes"
    if bucket[PASS] == 0 and bucket[WARN] == 0:
        return "no"
    return "partial"


def _apply_changed(
    *, org: Organization, answers: dict[str, str], source_ref: str, now: datetime
) -> dict[str, str]:
    """Write only the controls whose status would change, so that a clock tick every five minutes does not
    rewrite the hub. Returns what was written."""
    from ippo.program.models import ControlStatus
    from ippo.program.services import STATUS_FOR_ANSWER, control_status_apply_answers

    current = dict(
        ControlStatus.objects.filter(organization=org, control_id__in=list(answers)).values_list(
            "control_id", "status"
        )
    )
    changed = {c: a for c, a in answers.items() if current.get(c) != STATUS_FOR_ANSWER[a]}
    if changed:
        control_status_apply_answers(
            org=org, actor=None, answers=changed, source=CONTROL_SOURCE, source_ref=source_ref, when=now
        )
    return changed


def _combine(answers: list[str]) -> str | None:
    if not answers:
        return None
    if all(a == "yes" for a in answers):
        return "yes"
    if all(a == "no" for a in answers):
        return "no"
    return "partial"


@transaction.atomic
def device_controls_sync(*, org: Organization, now: datetime) -> dict[str, str]:
    """Set the five device controls from the current devices: all pass → in place, none → not in place,
    otherwise partly. Controls with no usable result are left as they are. Returns what changed."""
    answers = {}
    for key, bucket in device_coverage(org, now).items():
        answer = _answer(bucket)
        if answer:
            answers[CONTROL_FOR_CHECK[key]] = answer
    return _apply_changed(org=org, answers=answers, source_ref="devices", now=now) if answers else {}


MFA_CONTROLS = ("pr-mfa-email", "pr-mfa-finance")
ANSWER_FOR_STATUS = {PASS: "yes", WARN: "partial", FAIL: "no"}
ANSWER_FOR_ATTESTATION = {"required": "yes", "some": "partial", "none": "no"}


@transaction.atomic
def mfa_controls_sync(*, org: Organization, now: datetime) -> dict[str, str]:
    """Set the two-step sign-in controls from every source at once: each connector's newest snapshot (for
    e-mail and cloud services) and each hand-checked service's newest confirmation (for its control)."""
    from django.db.models import OuterRef, Subquery

    found: dict[str, list[str]] = {c: [] for c in MFA_CONTROLS}
    newest = (
        MfaSnapshot.objects.filter(connector=OuterRef("pk")).order_by("-taken_at", "-pk").values("status")[:1]
    )
    for status in (
        CloudConnector.objects.filter(organization=org)
        .annotate(s=Subquery(newest))
        .values_list("s", flat=True)
    ):
        if status in ANSWER_FOR_STATUS:
            found["pr-mfa-email"].append(ANSWER_FOR_STATUS[status])
    latest = (
        SaasAttestation.objects.filter(service=OuterRef("pk"))
        .order_by("-attested_at", "-pk")
        .values("answer")[:1]
    )
    for control_id, answer in (
        SaasService.objects.filter(organization=org)
        .annotate(a=Subquery(latest))
        .values_list("control_id", "a")
    ):
        if answer in ANSWER_FOR_ATTESTATION and control_id in found:
            found[control_id].append(ANSWER_FOR_ATTESTATION[answer])
    answers = {c: a for c, values in found.items() if (a := _combine(values))}
    return _apply_changed(org=org, answers=answers, source_ref="sign-in", now=now) if answers else {}


def devices_evidence_record(*, org: Organization, today, now: datetime) -> int:
    """Once a day, a note on each device control saying how many devices pass (the clock calls this). The day
    is claimed by inserting a DeviceEvidenceDay row, so concurrent workers write the notes once."""
    from django.conf import settings
    from django.db import IntegrityError

    from ippo.devices.models import DeviceEvidenceDay
    from ippo.program.services import evidence_add

    coverage = {key: bucket for key, bucket in device_coverage(org, now).items() if bucket["total"]}
    if not coverage:
        return 0
    try:
        with transaction.atomic():
            DeviceEvidenceDay.objects.create(organization=org, day=today)
    except IntegrityError:
        return 0
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        for key, bucket in coverage.items():
            note = _(
                "%(ok)s of %(total)s devices OK, %(warn)s need attention, %(fail)s not OK (ippo agent)."
            ) % {
                "ok": bucket[PASS],
                "total": bucket["total"],
                "warn": bucket[WARN],
                "fail": bucket[FAIL],
            }
            evidence_add(
                org=org,
                actor=None,
                control_id=CONTROL_FOR_CHECK[key],
                title=_("Device agent: %(check)s") % {"check": CHECK_LABELS[key]},
                note=note,
                performed_on=today,
            )
    return len(coverage)


# --- Cloud sign-in (MFA) coverage -----------------------------------------------------------------------------


@transaction.atomic
def cloud_connector_create(
    *, org: Organization, actor, kind: str, name: str, credentials: dict, hint: str, base_url: str = ""
) -> CloudConnector:
    import json

    from ippo.lib.crypto import encrypt

    connector = CloudConnector.objects.create(
        organization=org,
        kind=kind,
        name=name.strip()[:100],
        credentials_encrypted=encrypt(json.dumps(credentials)),
        hint=hint[:200],
        base_url=base_url,
        created_by=_user(actor),
    )
    audit_record(
        action="cloudconnector.created",
        actor=actor,
        org=org,
        target=connector,
        data={"kind": kind, "name": connector.name},
    )
    return connector


@transaction.atomic
def cloud_connector_delete(*, connector: CloudConnector, actor) -> None:
    audit_record(
        action="cloudconnector.deleted",
        actor=actor,
        org=connector.organization,
        target=connector,
        data={"kind": connector.kind, "name": connector.name},
    )
    connector.delete()


def cloud_connector_run(*, connector: CloudConnector, actor=None, now: datetime | None = None) -> MfaSnapshot:
    """Ask the service (outside any transaction: it is network I/O), then store what it said."""
    from ippo.devices import cloud

    now = now or timezone.now()
    outcome = cloud.collect(connector)
    return _snapshot_store(connector=connector, outcome=outcome, actor=actor, now=now)


@transaction.atomic
def _snapshot_store(*, connector: CloudConnector, outcome, actor, now: datetime) -> MfaSnapshot:
    result = outcome.result
    snapshot = MfaSnapshot.objects.create(
        organization=connector.organization,
        connector=connector,
        taken_at=now,
        method=outcome.method,
        users_total=outcome.users_total,
        users_mfa=outcome.users_mfa,
        admins_total=outcome.admins_total,
        admins_mfa=outcome.admins_mfa,
        security_defaults=outcome.security_defaults,
        status=result.status,
        reason=result.reason,
        params=result.params,
    )
    connector.last_run_at = now
    connector.save(update_fields=["last_run_at"])
    mfa_controls_sync(org=connector.organization, now=now)
    if actor is not None:
        audit_record(
            action="cloudconnector.checked",
            actor=actor,
            org=connector.organization,
            target=connector,
            data={"status": result.status, "method": outcome.method},
        )
    return snapshot


# --- Services without an API: confirmation by hand ------------------------------------------------------------


@transaction.atomic
def saas_service_create(*, org: Organization, actor, name: str, control_id: str, interval_months: int, today):
    service = SaasService(
        organization=org,
        name=name.strip(),
        control_id=control_id,
        interval_months=interval_months,
        next_due=today,
    )
    service.full_clean()
    service.save()
    audit_record(
        action="saasservice.created", actor=actor, org=org, target=service, data={"name": service.name}
    )
    return service


@transaction.atomic
def saas_service_delete(*, service: SaasService, actor) -> None:
    audit_record(
        action="saasservice.deleted",
        actor=actor,
        org=service.organization,
        target=service,
        data={"name": service.name},
    )
    service.delete()


@transaction.atomic
def saas_attest(
    *, service: SaasService, actor, answer: str, note: str = "", upload=None, now: datetime | None = None
) -> SaasAttestation:
    """Record that someone looked at the service's sign-in settings, with the screenshot as evidence, set
    the control from the answer and schedule the next confirmation."""
    from ippo.program.services import add_months, evidence_add

    now = now or timezone.now()
    today = timezone.localdate(now)
    if answer not in SaasAttestation.Answer.values:
        raise ValidationError(_("Choose an answer."))
    evidence = None
    label = SaasAttestation.Answer(answer).label
    if upload is not None:
        evidence = evidence_add(
            org=service.organization,
            actor=actor,
            control_id=service.control_id,
            upload=upload,
            title=_("%(service)s: two-step sign-in (%(answer)s)")
            % {"service": service.name, "answer": label},
            note=note,
            performed_on=today,
        )
    attestation = SaasAttestation.objects.create(
        organization=service.organization,
        service=service,
        answer=answer,
        note=note.strip()[:2000],
        attested_by=_user(actor),
        attested_at=now,
        evidence=evidence,
    )
    service.next_due, service.reminded_on = add_months(today, service.interval_months), None
    service.save(update_fields=["next_due", "reminded_on"])
    mfa_controls_sync(org=service.organization, now=now)
    audit_record(
        action="saasservice.attested",
        actor=actor,
        org=service.organization,
        target=service,
        data={"answer": answer, "evidence": evidence.pk if evidence else None},
    )
    return attestation
