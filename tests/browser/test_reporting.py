"""The reporting channel in a real browser: an employee reports anonymously from a phone-sized window and notes
the receipt code; the manager replies; the employee reads the reply with the receipt code. The report link
sets no cookie at any point."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from tests.browser.conftest import snapshot
from tests.browser.test_assessment import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_report_anonymously_from_a_phone_then_read_the_managers_reply(
    browser, live_server, make_user, settings
):
    from ippo.core.models import Membership, Organization
    from ippo.reporting.models import Report
    from ippo.reporting.services import reportsettings_get

    settings.IPPO_BASE_URL = live_server.url
    manager = make_user("manager-report@example.com", mfa=True, name="佐藤 花子", language="en")
    org = Organization.objects.create(name="株式会社一歩テスト", slug="report-test")
    Membership.objects.create(organization=org, user=manager, role="manager")
    token = reportsettings_get(org=org).token

    # The employee's phone.
    phone = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale="ja-JP",
        timezone_id="Asia/Tokyo",
    )
    page = phone.new_page()
    page.set_default_timeout(15000)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"/report/{token}/")
    assert page.locator("html").get_attribute("lang") == "ja"
    # Fits the phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 392
    page.locator("input[name=kind][value=clicked]").check()
    page.locator("input[name=happened][value=just_now]").check()
    page.fill("textarea[name=description]", "請求書のリンクを開いてパスワードを入れてしまいました。")
    page.locator("input[name=identity][value=anonymous]").check()
    snapshot(page, "reporting-phone-form")
    page.locator("#report-form button[type=submit]").click()
    code = page.locator("#receipt-code").inner_text().strip()
    assert len(code.replace(" ", "")) == 16
    page.fill("#confirm-form input[name=code]", code)
    page.locator("#confirm-form button[type=submit]").click()
    assert page.locator(".msg-success").count() == 1
    snapshot(page, "reporting-phone-receipt")
    assert phone.cookies() == []

    with scopes_disabled():
        report = Report.objects.get(organization=org)
        assert report.reporter_id is None and report.identity == "anonymous"

    # The manager replies.
    desk = browser.new_context(base_url=live_server.url, locale="en-US", timezone_id="Asia/Tokyo")
    manager_page = desk.new_page()
    manager_page.set_default_timeout(15000)
    _sign_in(manager_page, live_server, manager)
    manager_page.goto(f"/o/{org.slug}/reporting/")
    manager_page.locator(f"a[href='/o/{org.slug}/reporting/{report.pk}/']").first.click()
    manager_page.locator("#acknowledge").click()
    manager_page.fill(
        "#reply-form textarea[name=body]",
        "Thank you for telling us straight away. We have reset the password.",
    )
    manager_page.locator("#reply-form button[type=submit]").click()
    assert manager_page.locator(".messages").inner_text().strip() != ""
    snapshot(manager_page, "reporting-handler-report")
    manager_page.goto(f"/o/{org.slug}/incidents/")
    assert manager_page.locator(".report-qr img").count() == 1
    snapshot(manager_page, "reporting-pillar")
    desk.close()

    # Back on the phone, later: the receipt code opens the reply.
    page.goto(f"/report/{token}/")
    page.locator(f"a[href='/report/{token}/follow-up/?lang=ja']").click()
    page.fill("#followup-form input[name=code]", code)
    page.locator("#followup-form button[type=submit]").click()
    assert "We have reset the password." in page.locator("#thread").inner_text()
    page.fill("#reply-form textarea[name=body]", "ありがとうございます。")
    page.locator("#reply-form button[type=submit]").click()
    assert page.locator(".msg-success").count() == 1
    snapshot(page, "reporting-phone-thread")
    assert phone.cookies() == []
    assert not [e for e in errors if "Content Security Policy" in e], errors
    phone.close()
