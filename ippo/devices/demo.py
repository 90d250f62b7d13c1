"""Demo data: four PCs with recorded agent reports (one encrypted Windows laptop, a Mac, a Windows Home PC
where encryption does not apply, and one laptop that stopped reporting), a Microsoft 365 coverage snapshot
and a hand-checked freee confirmation with its screenshot. No network: reports come from
ippo/devices/samples and the Microsoft 365 figures are written directly. Idempotent: nothing is added once
the demo company has devices."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ippo.devices import evaluators, samples, services
from ippo.devices.cloud import Outcome
from ippo.devices.models import CloudConnector, Device, SaasService

# name, sample, platform, days since the last report, reports in the history
DEVICES = (
    ("営業部ノートPC-01", "windows11_pro_ja", "windows", 0, 5),
    ("デザイン用 MacBook Pro", "macos15", "macos", 0, 4),
    ("受付PC（Windows Home）", "windows11_home_ja", "windows", 1, 3),
    ("旧経理ノートPC", "windows10_pro_en", "windows", 12, 3),
)

# A 1×1 PNG: the demo's "screenshot".
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a0f8e2f30000000049454e44ae426082"
)


def _fresh(evidence: dict, now) -> dict:
    """Move recorded Defender signature dates to the day before `now`, so the demo does not age."""
    item = evidence.get("defender")
    if item and item.get("output"):
        stamp = int((now - timedelta(days=1)).timestamp() * 1000)
        item["output"] = re.sub(r"/Date\(\d+\)", f"/Date({stamp})", item["output"])
        item["output"] = re.sub(
            r'"\d{4}-\d\d-\d\dT[\d:]+[+-]\d\d:\d\d"', f'"\\\\/Date({stamp})\\\\/"', item["output"]
        )
    return evidence


def load(*, org, users) -> None:
    if Device.objects.filter(organization=org).exists():
        return
    from ippo.people.models import Employee

    now = timezone.now()
    employees = list(Employee.objects.filter(organization=org, is_active=True).order_by("pk")[:4])
    for index, (name, sample, platform, days_ago, count) in enumerate(DEVICES):
        device = Device.objects.create(
            organization=org,
            name=name,
            platform=platform,
            owner=employees[index] if index < len(employees) else None,
            token_hash=services.token_hash(secrets.token_urlsafe(32)),
            agent_version="1.0.0",
            enrolled_at=now - timedelta(days=days_ago + count + 30),
        )
        for back in range(count - 1, -1, -1):
            when = now - timedelta(days=days_ago + back, hours=3)
            evidence = _fresh(samples.load(sample), when)
            services.device_report_receive(
                device=device, payload={"agent_version": "1.0.0", "evidence": evidence}, size=9000, now=when
            )
    services.device_controls_sync(org=org, now=now)

    manager = users.get("manager")
    connector = CloudConnector.objects.create(
        organization=org,
        kind=CloudConnector.Kind.M365,
        name="Microsoft 365",
        credentials_encrypted=_demo_credentials(),
        hint="ippo-shoji.onmicrosoft.com",
        created_by=manager,
    )
    figures = {"users_total": 28, "users_mfa": 23, "admins_total": 2, "admins_mfa": 2}
    outcome = Outcome(evaluators.mfa_coverage(**figures), "registration_report", **figures)
    services._snapshot_store(connector=connector, outcome=outcome, actor=None, now=now - timedelta(hours=5))

    today = timezone.localdate()
    freee = services.saas_service_create(
        org=org,
        actor=manager,
        name="freee会計",
        control_id=SaasService.Area.FINANCE,
        interval_months=6,
        today=today - timedelta(days=40),
    )
    services.saas_attest(
        service=freee,
        actor=manager,
        answer="required",
        note="管理画面の「二要素認証の必須化」がオンになっていることを確認しました。",
        upload=SimpleUploadedFile("freee-2fa.png", PNG, content_type="image/png"),
        now=now - timedelta(days=40),
    )
    services.saas_service_create(
        org=org,
        actor=manager,
        name="Chatwork",
        control_id=SaasService.Area.EMAIL,
        interval_months=6,
        today=today,
    )


def _demo_credentials() -> str:
    import json

    from ippo.lib.crypto import encrypt

    return encrypt(
        json.dumps({"tenant_id": "demo", "client_id": "demo", "client_secret": "demo-not-a-secret"})
    )
