"""The owner's dashboard and the board report button, in a real browser."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tests.browser.conftest import snapshot
from tests.browser.test_assessment import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_owner_sees_the_dashboard_and_downloads_the_board_report(page, live_server):
    from ippo.accounts.models import User

    call_command("demo")
    owner = User.objects.get(email="owner@example.com")
    _sign_in(page, live_server, owner)
    page.goto("/o/demo/")
    assert page.locator(".score-number").first.inner_text().strip().isdigit()
    assert page.locator("svg.ippo-chart-radar").count() == 1 and page.locator("svg.ippo-chart-line").count() == 1
    snapshot(page, "dashboard-owner-ja")
    page.locator("form[action$='/reports/board/'] button[value=ja]").click()
    page.wait_for_url("**/reports/board/*/")
    link = page.locator("a[href$='/pdf/']")
    link.wait_for()
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith("-ja.pdf")
    assert not [e for e in page.csp_errors if "Content Security Policy" in e], page.csp_errors
