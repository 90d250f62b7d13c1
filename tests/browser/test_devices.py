"""Devices and two-step sign-in coverage in a real browser: the demo devices, a device's raw evidence, making an
enrolment code, and confirming a hand-checked service with a screenshot. No CSP errors."""

from __future__ import annotations

import pytest
from django_scopes import scope

from tests.browser.conftest import snapshot
from tests.browser.test_assessment import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a0f8e2f30000000049454e44ae426082"
)


def test_devices_and_sign_in_coverage(page, live_server, make_user, tmp_path):
    from ippo.core.models import Membership, Organization
    from ippo.devices import demo
    from ippo.devices.models import Device, SaasService

    user = make_user("manager-devices@example.com", mfa=True, name="佐藤 花子", language="ja")
    org = Organization.objects.create(name="株式会社端末テスト", slug="devices-test")
    Membership.objects.create(organization=org, user=user, role="manager")
    with scope(organization=org):
        demo.load(org=org, users={"manager": user})
        home_pc = Device.objects.get(name="受付PC（Windows Home）")
        chatwork = SaasService.objects.get(name="Chatwork")
    _sign_in(page, live_server, user)

    page.goto(f"/o/{org.slug}/devices/")
    assert page.locator("tbody tr").count() == 4
    assert page.locator(".posture-stale").count() == 1
    assert page.locator(".posture-na").count() >= 1
    snapshot(page, "devices-list-ja")

    page.goto(f"/o/{org.slug}/devices/{home_pc.pk}/")
    raw = page.locator("details.posture-raw-item").first
    assert not raw.locator("pre").is_visible()
    raw.locator("summary").click()
    assert raw.locator("pre").is_visible()
    assert "Windows Home" in page.locator("main").inner_text()
    snapshot(page, "devices-detail-ja")

    page.goto(f"/o/{org.slug}/devices/enrol/")
    page.locator("input[name=label]").fill("経理PC-02")
    page.locator("main form button[type=submit]").click()
    code = page.locator(".posture-code").inner_text().strip()
    assert len(code) >= 22 and code in page.locator(".posture-cmd").first.inner_text()

    page.goto(f"/o/{org.slug}/sign-in-coverage/services/{chatwork.pk}/")
    page.locator("input[name=answer][value=required]").check()
    screenshot = tmp_path / "chatwork-2fa.png"
    screenshot.write_bytes(PNG)
    page.locator("input[name=screenshot]").set_input_files(str(screenshot))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"**/o/{org.slug}/sign-in-coverage/")
    assert page.locator(".msg-success").count() == 1
    snapshot(page, "devices-sign-in-ja")
    assert not page.csp_errors, page.csp_errors
