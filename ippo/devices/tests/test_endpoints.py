"""The agent's public endpoints: one-time enrolment codes, token auth, size and rate limits."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from ippo.devices import public_views, samples, services
from ippo.devices.models import Device, DeviceReport, EnrolmentCode

pytestmark = pytest.mark.django_db
ENROL, REPORT = "/agent/enrol", "/agent/report"


def _code(personas, unscoped, **kwargs):
    with unscoped():
        return services.enrolment_code_create(org=personas.org, actor=personas.manager, **kwargs)


def _enrol(client, code, platform="windows"):
    return client.post(
        ENROL,
        json.dumps({"code": code, "hostname": "PC-01", "platform": platform}),
        content_type="application/json",
    )


def _report(client, token, evidence=None, **extra):
    body = json.dumps({"agent_version": "1.0.0", "evidence": evidence or samples.load("windows11_pro_en")})
    return client.post(
        REPORT, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}", **extra
    )


def test_a_code_is_stored_hashed_and_works_once(client, personas, unscoped):
    row, code = _code(personas, unscoped, label="受付PC")
    assert row.code_hash == services.token_hash(code) and code not in row.code_hash
    first = _enrol(client, code)
    assert first.status_code == 201
    body = first.json()
    with unscoped():
        device = Device.objects.get(pk=body["device_id"])
        row.refresh_from_db()
    assert device.name == "受付PC" and device.organization == personas.org
    assert device.token_hash == services.token_hash(body["token"]) and body["token"] not in device.token_hash
    assert row.used_at and row.device_id == device.pk
    assert _enrol(client, code).status_code == 404  # single use


def test_expired_and_unknown_codes_get_the_same_404(client, personas, unscoped):
    row, code = _code(personas, unscoped)
    with unscoped():
        EnrolmentCode.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _enrol(client, code).status_code == 404
    assert _enrol(client, "not-a-code").status_code == 404


def test_an_unknown_platform_is_refused_without_using_up_the_code(client, personas, unscoped):
    _row, code = _code(personas, unscoped)
    assert _enrol(client, code, platform="amiga").status_code == 404
    assert _enrol(client, code).status_code == 201


def test_enrolment_is_audited(client, personas, unscoped):
    from ippo.core.models import AuditEvent

    _row, code = _code(personas, unscoped)
    _enrol(client, code)
    with unscoped():
        actions = list(AuditEvent.objects.filter(organization=personas.org).values_list("action", flat=True))
    assert "device.enrolment_code_created" in actions and "device.enrolled" in actions


def test_endpoints_are_post_only(client):
    assert client.get(ENROL).status_code == 405
    assert client.get(REPORT).status_code == 405


def test_a_report_needs_a_valid_token(client, personas, unscoped):
    assert client.post(REPORT, "{}", content_type="application/json").status_code == 401
    assert _report(client, "wrong-token").status_code == 401
    _row, code = _code(personas, unscoped)
    token = _enrol(client, code).json()["token"]
    with unscoped():
        device = Device.objects.get(token_hash=services.token_hash(token))
        services.device_retire(device=device, actor=personas.manager)
    assert _report(client, token).status_code == 401  # a removed device's token stops working


def test_a_report_updates_the_device_history_and_controls(client, personas, unscoped):
    from ippo.program.models import ControlStatus

    _row, code = _code(personas, unscoped)
    token = _enrol(client, code).json()["token"]
    response = _report(client, token)
    assert response.status_code == 200
    assert response.json()["results"]["disk_encryption"] == "pass"
    with unscoped():
        device = Device.objects.get(token_hash=services.token_hash(token))
        report = DeviceReport.objects.get(device=device)
        statuses = dict(
            ControlStatus.objects.filter(organization=personas.org).values_list("control_id", "status")
        )
    assert device.last_seen_at and device.os_label.startswith("Microsoft Windows 11 Pro")
    assert report.evidence["manage_bde"]["output"].startswith("BitLocker")
    assert statuses["pr-disk-encryption"] == "implemented"
    assert statuses["pr-firewall"] == "implemented"


def test_the_server_keeps_only_bounded_evidence(client, personas, unscoped):
    _row, code = _code(personas, unscoped)
    token = _enrol(client, code).json()["token"]
    evidence = {f"k{i}": {"output": "z" * 20_000, "rc": 0, "evil": "x"} for i in range(8)}
    assert _report(client, token, evidence=evidence).status_code == 200
    with unscoped():
        stored = DeviceReport.objects.get().evidence
    assert all(len(v["output"]) == services.MAX_ITEM_OUTPUT and v["truncated"] for v in stored.values())
    assert all("evil" not in v for v in stored.values())


def test_an_oversize_report_is_413(client, personas, unscoped):
    _row, code = _code(personas, unscoped)
    token = _enrol(client, code).json()["token"]
    big = {"k": {"output": "x" * (services.MAX_REPORT_BYTES + 10)}}
    assert _report(client, token, evidence=big).status_code == 413
    with unscoped():
        assert not DeviceReport.objects.exists()


def test_bad_json_is_400(client, personas, unscoped):
    _row, code = _code(personas, unscoped)
    token = _enrol(client, code).json()["token"]
    response = client.post(
        REPORT, "{nope", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 400


def test_enrolment_attempts_are_rate_limited(client, monkeypatch):
    monkeypatch.setattr(public_views, "ENROL_PER_CLIENT", 3)
    codes = [_enrol(client, f"guess-{i}").status_code for i in range(5)]
    assert codes[:3] == [404, 404, 404] and codes[3:] == [429, 429]


def test_reports_are_rate_limited_per_device(client, personas, unscoped, monkeypatch):
    monkeypatch.setattr(public_views, "REPORTS_PER_DEVICE", 2)
    _row, code = _code(personas, unscoped)
    token = _enrol(client, code).json()["token"]
    statuses = [_report(client, token).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_history_is_pruned(client, personas, unscoped, monkeypatch):
    monkeypatch.setattr(services, "REPORTS_KEPT", 2)
    _row, code = _code(personas, unscoped)
    token = _enrol(client, code).json()["token"]
    for _ in range(4):
        _report(client, token)
    with unscoped():
        assert DeviceReport.objects.count() == 2


def test_a_cancelled_code_no_longer_enrols(client, personas, unscoped):
    from ippo.core.models import AuditEvent

    row, code = _code(personas, unscoped)
    client.force_login(personas.manager)
    url = f"/o/{personas.org.slug}/devices/codes/{row.pk}/cancel/"
    assert client.get(url).status_code == 405
    page = client.get(f"/o/{personas.org.slug}/devices/enrol/").content.decode()
    assert url in page
    assert client.post(url).status_code == 302
    client.logout()
    assert _enrol(client, code).status_code == 404
    with unscoped():
        assert AuditEvent.objects.filter(action="device.enrolment_code_revoked").exists()
