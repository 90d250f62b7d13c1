"""Devices and sign-in coverage pages: roles, POST-only actions, ja/en, audit, query counts, clock, demo."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ippo.devices import clock, evaluators, samples, services
from ippo.devices.models import Device, EnrolmentCode, SaasAttestation, SaasService
from tests.helpers import query_count

pytestmark = pytest.mark.django_db
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a0f8e2f30000000049454e44ae426082"
)


def _url(personas, path=""):
    return f"/o/{personas.org.slug}/{path}"


def _device(personas, name="PC", sample="windows11_pro_en", seen_days_ago=0, owner=None):
    now = timezone.now() - timedelta(days=seen_days_ago)
    results, label = evaluators.evaluate_report(samples.platform_of(sample), samples.load(sample), now=now)
    return Device.objects.create(
        organization=personas.org,
        name=name,
        platform=samples.platform_of(sample),
        owner=owner,
        token_hash=services.token_hash(secrets.token_urlsafe(16)),
        enrolled_at=now,
        last_seen_at=now,
        os_label=label,
        results=[r.as_dict() for r in results],
    )


def test_the_device_list_shows_each_check_and_flags_stale_devices(owner_client, personas, in_org):
    with in_org():
        _device(personas, "営業PC")
        _device(personas, "古いPC", seen_days_ago=10)
    page = owner_client.get(_url(personas, "devices/")).content.decode()
    assert "営業PC" in page and "古いPC" in page
    assert "Not reporting" in page and "1 device has not reported" in page
    assert "Disk encryption" in page and "posture-pass" in page
    assert "1 of 1 OK" in page  # the stale device is not counted


def test_pages_render_in_japanese(client, personas, in_org):
    with in_org():
        device = _device(personas, "受付PC", sample="windows11_home_ja")
    client.force_login(personas.owner)
    client.cookies["ippo_language"] = "ja"
    page = client.get(_url(personas, "devices/")).content.decode()
    assert "端末" in page
    detail = client.get(_url(personas, f"devices/{device.pk}/")).content.decode()
    assert "ディスクの暗号化" in detail and "BitLocker" in detail
    assert client.get(_url(personas, "sign-in-coverage/")).status_code == 200


def test_members_cannot_see_devices_and_viewers_cannot_enrol(client, personas):
    client.force_login(personas.member)
    assert client.get(_url(personas, "devices/")).status_code == 403
    client.force_login(personas.viewer)
    assert client.get(_url(personas, "devices/")).status_code == 200
    assert client.get(_url(personas, "devices/enrol/")).status_code == 403
    assert client.get(_url(personas, "sign-in-coverage/services/add/")).status_code == 403


def test_enrolling_shows_the_code_once_and_stores_only_its_hash(client, personas, unscoped):
    client.force_login(personas.manager)
    response = client.post(_url(personas, "devices/enrol/"), {"label": "経理PC"})
    assert response.status_code == 200
    code = response.context["code"]
    assert code in response.content.decode() and len(code) >= 22
    with unscoped():
        row = EnrolmentCode.objects.get(organization=personas.org)
    assert row.code_hash == services.token_hash(code) and row.label == "経理PC"
    assert code not in client.get(_url(personas, "devices/")).content.decode()


def test_device_detail_has_raw_evidence_and_history(client, personas, in_org):
    with in_org():
        device = _device(personas)
        services.device_report_receive(
            device=device, payload={"evidence": samples.load("windows11_pro_ja")}, size=10
        )
    client.force_login(personas.viewer)
    page = client.get(_url(personas, f"devices/{device.pk}/")).content.decode()
    assert "保護はオンです" in page  # the raw manage-bde output, in a collapsible block
    assert "<details" in page and "History" in page


def test_retiring_is_post_only_and_audited(client, personas, in_org, unscoped):
    from ippo.core.models import AuditEvent

    with in_org():
        device = _device(personas)
    client.force_login(personas.manager)
    url = _url(personas, f"devices/{device.pk}/retire/")
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    with unscoped():
        device.refresh_from_db()
        assert not device.is_active
        assert AuditEvent.objects.filter(action="device.retired", organization=personas.org).exists()


def test_editing_a_device_links_an_employee(client, personas, in_org):
    from ippo.people.models import Employee

    with in_org():
        device = _device(personas)
        employee = Employee.objects.create(organization=personas.org, name="伊藤 さくら")
    client.force_login(personas.manager)
    response = client.post(
        _url(personas, f"devices/{device.pk}/edit/"), {"name": "伊藤さんのPC", "owner": employee.pk}
    )
    assert response.status_code == 302
    with in_org():
        device.refresh_from_db()
    assert device.owner == employee and device.name == "伊藤さんのPC"


def test_the_device_list_query_count_does_not_grow(owner_client, personas, in_org):
    from ippo.people.models import Employee

    with in_org():
        for i in range(3):
            _device(
                personas, f"PC-{i}", owner=Employee.objects.create(organization=personas.org, name=f"E{i}")
            )
    few = query_count(owner_client, _url(personas, "devices/"))
    with in_org():
        for i in range(3, 30):
            _device(
                personas, f"PC-{i}", owner=Employee.objects.create(organization=personas.org, name=f"E{i}")
            )
    assert query_count(owner_client, _url(personas, "devices/")) == few


def test_the_sign_in_page_query_count_does_not_grow(owner_client, personas, in_org):
    today = timezone.localdate()

    def add(n):
        with in_org():
            for _i in range(n):
                service = SaasService.objects.create(
                    organization=personas.org, name=f"svc-{secrets.token_hex(4)}", next_due=today
                )
                SaasAttestation.objects.create(
                    organization=personas.org,
                    service=service,
                    answer="required",
                    attested_by=personas.manager,
                    attested_at=timezone.now(),
                )

    add(2)
    few = query_count(owner_client, _url(personas, "sign-in-coverage/"))
    add(15)
    assert query_count(owner_client, _url(personas, "sign-in-coverage/")) == few


def test_attesting_a_service_keeps_the_screenshot_as_evidence(client, personas, in_org, unscoped):
    from ippo.program.models import ControlStatus, Evidence

    client.force_login(personas.manager)
    response = client.post(
        _url(personas, "sign-in-coverage/services/add/"),
        {"name": "freee", "control_id": "pr-mfa-finance", "interval_months": 6},
    )
    assert response.status_code == 302
    with in_org():
        service = SaasService.objects.get(name="freee")
    url = _url(personas, f"sign-in-coverage/services/{service.pk}/")
    assert client.get(url).status_code == 200
    upload = SimpleUploadedFile("freee.png", PNG, content_type="image/png")
    response = client.post(url, {"answer": "required", "note": "確認済み", "screenshot": upload})
    assert response.status_code == 302
    with in_org():
        service.refresh_from_db()
        attestation = SaasAttestation.objects.get(service=service)
        evidence = Evidence.objects.get(pk=attestation.evidence_id)
        status = ControlStatus.objects.get(control_id="pr-mfa-finance")
    assert evidence.kind == "file" and evidence.control_id == "pr-mfa-finance"
    assert service.next_due > timezone.localdate() and attestation.attested_by == personas.manager
    assert status.status == "implemented"
    with unscoped():
        from ippo.core.models import AuditEvent

        assert AuditEvent.objects.filter(action="saasservice.attested").exists()


def test_an_attestation_needs_a_screenshot(client, personas, in_org):
    with in_org():
        service = SaasService.objects.create(
            organization=personas.org, name="Chatwork", next_due=timezone.localdate()
        )
    client.force_login(personas.manager)
    response = client.post(_url(personas, f"sign-in-coverage/services/{service.pk}/"), {"answer": "required"})
    assert response.status_code == 200 and response.context["form"].errors


def test_the_clock_reminds_once_per_due_date_and_records_device_evidence(personas, in_org):
    from ippo.core.models import Delivery
    from ippo.program.models import Evidence

    now = timezone.now()
    today = timezone.localdate(now)
    with in_org():
        SaasService.objects.create(organization=personas.org, name="LINE WORKS", next_due=today)
        _device(personas)
        first = clock.run(org=personas.org, today=today, now=now)
        second = clock.run(org=personas.org, today=today, now=now)
        deliveries = Delivery.objects.filter(event="devices.attestation_due").count()
        notes = Evidence.objects.filter(control_id="pr-disk-encryption").count()
    assert first["attestation_reminders"] == 1 and second["attestation_reminders"] == 0
    assert deliveries >= 1
    assert first["device_evidence"] == 5 and second["device_evidence"] == 0 and notes == 1


def test_stale_devices_drop_out_of_the_controls(personas, in_org):
    from ippo.program.models import ControlStatus

    now = timezone.now()
    with in_org():
        _device(personas, "good")
        _device(personas, "bad", sample="windows10_pro_en", seen_days_ago=30)
        services.device_controls_sync(org=personas.org, now=now)
        status = ControlStatus.objects.get(control_id="pr-disk-encryption")
    assert status.status == "implemented"


def test_home_lists_due_confirmations_for_managers_only(client, personas, in_org):
    from types import SimpleNamespace

    from ippo.devices import home

    with in_org():
        SaasService.objects.create(organization=personas.org, name="freee", next_due=timezone.localdate())
        manager = home.tasks(SimpleNamespace(org=personas.org, role="manager"))
        member = home.tasks(SimpleNamespace(org=personas.org, role="member"))
    assert len(manager) == 1 and "freee" in manager[0]["title"] and member == []


def test_the_demo_loads_once_without_network(personas, in_org):
    from ippo.devices import demo
    from ippo.devices.models import CloudConnector, MfaSnapshot

    with in_org():
        demo.load(org=personas.org, users={"manager": personas.manager})
        demo.load(org=personas.org, users={"manager": personas.manager})
        devices = list(Device.objects.filter(organization=personas.org))
        statuses = {d.name: {r["key"]: r["status"] for r in d.results} for d in devices}
        assert CloudConnector.objects.count() == 1 and MfaSnapshot.objects.count() == 1
        assert SaasAttestation.objects.count() == 1
    assert len(devices) == 4
    assert statuses["受付PC（Windows Home）"]["disk_encryption"] == "na"
    stale = [d for d in devices if d.last_seen_at < timezone.now() - services.STALE_AFTER]
    assert len(stale) == 1


def test_sign_in_controls_combine_every_source(personas, in_org):
    from ippo.devices.cloud import Outcome
    from ippo.devices.models import CloudConnector
    from ippo.program.models import ControlStatus

    now = timezone.now()
    with in_org():
        connector = CloudConnector.objects.create(
            organization=personas.org, kind="m365", name="M365", credentials_encrypted="enc1:x"
        )
        figures = {"users_total": 10, "users_mfa": 10, "admins_total": 1, "admins_mfa": 1}
        services._snapshot_store(
            connector=connector,
            outcome=Outcome(evaluators.mfa_coverage(**figures), "x", **figures),
            actor=None,
            now=now,
        )
        assert ControlStatus.objects.get(control_id="pr-mfa-email").status == "implemented"
        chat = SaasService.objects.create(
            organization=personas.org,
            name="Chatwork",
            control_id="pr-mfa-email",
            next_due=timezone.localdate(),
        )
        services.saas_attest(service=chat, actor=personas.manager, answer="none")
        assert ControlStatus.objects.get(control_id="pr-mfa-email").status == "partial"
        # Nothing changed: nothing is written again.
        assert services.mfa_controls_sync(org=personas.org, now=now) == {}


def test_device_controls_are_not_rewritten_when_nothing_changed(personas, in_org):
    now = timezone.now()
    with in_org():
        _device(personas)
        assert services.device_controls_sync(org=personas.org, now=now)
        assert services.device_controls_sync(org=personas.org, now=now) == {}


def test_the_enrolment_code_page_is_not_cached(client, personas):
    client.force_login(personas.manager)
    response = client.post(_url(personas, "devices/enrol/"), {"label": ""})
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_reevaluate_command_rejudges_stored_reports(personas, in_org):
    from io import StringIO

    from django.core.management import call_command

    with in_org():
        device = _device(personas)
        services.device_report_receive(
            device=device, payload={"evidence": samples.load("windows10_pro_en")}, size=1
        )
        Device.objects.filter(pk=device.pk).update(results=[])
    out = StringIO()
    call_command("devices", "reevaluate", "--org", personas.org.slug, stdout=out)
    with in_org():
        device.refresh_from_db()
    assert "devices re-evaluated: 1" in out.getvalue()
    assert {r["key"]: r["status"] for r in device.results}["disk_encryption"] == "fail"


def test_a_check_that_starts_failing_alerts_the_leaders_once(personas, in_org):
    from ippo.core.models import Delivery

    with in_org():
        device = _device(personas)  # all fine
        services.device_report_receive(
            device=device, payload={"evidence": samples.load("windows10_pro_en")}, size=1
        )
        first = Delivery.objects.filter(event="devices.check_failed").count()
        services.device_report_receive(
            device=device, payload={"evidence": samples.load("windows10_pro_en")}, size=1
        )
        second = Delivery.objects.filter(event="devices.check_failed").count()
    assert first >= 1 and second == first  # still failing: no new alert


def test_a_silent_device_is_reported_once_per_silence(personas, in_org):
    from ippo.core.models import Delivery

    now = timezone.now()
    with in_org():
        device = _device(personas, seen_days_ago=9)
        assert clock.stale_alerts(org=personas.org, now=now) == 1
        assert clock.stale_alerts(org=personas.org, now=now) == 0
        assert Delivery.objects.filter(event="devices.stale").exists()
        services.device_report_receive(
            device=device,
            payload={"evidence": samples.load("windows11_pro_en")},
            size=1,
            now=now + timedelta(days=1),
        )
        assert clock.stale_alerts(org=personas.org, now=now + timedelta(days=2)) == 0
        assert clock.stale_alerts(org=personas.org, now=now + timedelta(days=10)) == 1


def test_the_organisation_home_lists_a_due_confirmation(client, personas, in_org):
    with in_org():
        service = SaasService.objects.create(
            organization=personas.org, name="マネーフォワード クラウド", next_due=timezone.localdate()
        )
    client.force_login(personas.manager)
    page = client.get(_url(personas)).content.decode()
    assert f"/sign-in-coverage/services/{service.pk}/" in page
