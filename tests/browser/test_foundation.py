"""A newcomer signs up, creates an organisation, enrols TOTP, logs out, logs back in with a TOTP code,
switches language and sees the five pillars — in a real browser."""

import re
import time

import pyotp
import pytest
from django.core import mail

from tests.browser.conftest import snapshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Correct-Horse-Battery-77"


def _fresh_code(secret: str, used: set[str]) -> str:
    totp = pyotp.TOTP(secret)
    code = totp.now()
    while code in used:  # allauth refuses a code twice; wait for the next 30-second window
        time.sleep(1)
        code = totp.now()
    used.add(code)
    return code


def test_signup_to_pillars_with_totp(page):
    used_codes: set[str] = set()
    page.goto("/accounts/signup/")
    assert page.locator("html").get_attribute("lang") == "ja"
    page.fill("input[name=email]", "founder@example.co.jp")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.locator("form[action='/accounts/signup/'] button[type=submit]").click()

    # Confirm the e-mail address with the code we were sent.
    page.wait_for_url("**/accounts/confirm-email/")
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[-1].body, re.M).group(1)
    page.fill("input[name=code]", code)
    page.locator("main button[type=submit]").first.click()

    # No organisation yet: create one.
    page.wait_for_url("**/orgs/new/")
    page.fill("input[name=name]", "株式会社ブラウザテスト")
    page.fill("input[name=slug]", "browser-test")
    page.get_by_role("button", name="作成する").click()

    # Owners must enrol MFA before anything else.
    page.wait_for_url("**/accounts/2fa/")
    assert "多要素認証" in page.content()
    snapshot(page, "01-mfa-required")
    page.goto("/o/browser-test/")
    page.wait_for_url("**/accounts/2fa/")

    page.goto("/accounts/2fa/totp/activate/")
    if "/reauthenticate/" in page.url:
        page.fill("input[name=password]", PASSWORD)
        page.locator("main button[type=submit]").first.click()
        page.wait_for_url("**/totp/activate/")
    secret = page.locator("#authenticator_secret").input_value()
    snapshot(page, "02-totp-activate")
    page.fill("input[name=code]", _fresh_code(secret, used_codes))
    page.locator("main button[type=submit]").click()
    page.wait_for_url(lambda url: "/totp/activate/" not in url)

    page.goto("/o/browser-test/")
    assert page.url.endswith("/o/browser-test/")

    # Sign out, then back in with password and a TOTP code.
    page.locator(".user-menu summary").click()
    page.get_by_role("button", name="ログアウト").click()
    page.wait_for_url("**/accounts/login/**")
    page.fill("input[name=login]", "founder@example.co.jp")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form[action='/accounts/login/'] button[type=submit]").click()
    page.wait_for_url("**/2fa/authenticate/")
    snapshot(page, "03-totp-login")
    page.fill("input[name=code]", _fresh_code(secret, used_codes))
    page.locator("main button[type=submit]").first.click()
    page.wait_for_url("**/o/browser-test/")

    # Japanese first: the five pillars.
    content = page.content()
    for title in ("自社診断", "経営者への報告", "教育・訓練", "基本対策", "報告・相談とインシデント"):
        assert title in content
    snapshot(page, "04-home-ja")

    # Switch to English; it is remembered.
    page.get_by_role("button", name="English").click()
    page.wait_for_url("**/o/browser-test/")
    assert page.locator("html").get_attribute("lang") == "en"
    for title in ("Self-assessment", "Reporting to management", "Training and drills", "Basic measures"):
        assert page.get_by_role("link", name=title).first.is_visible()
    snapshot(page, "05-home-en")
    page.reload()
    assert page.locator("html").get_attribute("lang") == "en"

    # The training pillar opens its overview; the self-assessment starts with the first-run wizard.
    page.get_by_role("link", name="Training and drills").first.click()
    assert "Short lessons with a quiz for everyone" in page.content()
    page.get_by_role("link", name="Self-assessment").first.click()
    assert "First step: tell us about your company" in page.content()
    assert not [e for e in page.csp_errors if "Content Security Policy" in e], page.csp_errors
