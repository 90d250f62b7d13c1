"""A buyer's checklist in a real browser: upload, switch sheets (htmx), list the questions, confirm one row
with htmx, save all, download the workbook with the answers. No Content Security Policy errors."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from ippo.questionnaires import demo
from tests.browser.conftest import snapshot
from tests.browser.test_assessment import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_review_and_export_a_questionnaire(page, live_server, make_user, tmp_path):
    from ippo.core.models import Membership, Organization

    user = make_user("owner-q@example.com", mfa=True, name="Owner", language="en")
    org = Organization.objects.create(name="Questionnaire Test Ltd", slug="q-test")
    Membership.objects.create(organization=org, user=user, role="owner")
    _sign_in(page, live_server, user)
    workbook = tmp_path / "checklist.xlsx"
    workbook.write_bytes(demo.build_workbook())

    page.goto(f"/o/{org.slug}/questionnaires/upload/")
    page.fill("input[name=name]", "Aoba Seiki 2026")
    page.set_input_files("input[name=file]", str(workbook))
    page.locator("form.card button[type=submit]").click()
    page.wait_for_url("**/columns/")
    assert page.locator("select[name=question_col]").input_value() == "3"
    assert page.locator("tr.preview-header").count() == 1
    _choose_sheet(page, "記入要領", "回答欄に ○・△・× のいずれかを選択してください")  # htmx swaps form and preview
    _choose_sheet(page, "チェックシート", "情報セキュリティの責任者を任命していますか。")
    snapshot(page, "questionnaire-columns")
    page.locator("#mapping form > button.primary").click()
    page.wait_for_url(f"**/o/{org.slug}/questionnaires/*/")
    assert "20 questions were found" in page.locator(".messages").inner_text()

    first = page.locator("li.q-item").first
    first.locator("input[type=checkbox][name^=controls-]").first.check()
    first.locator("button", has_text="Save this question").click()
    page.locator("li.q-item.q-confirmed").first.wait_for()
    assert "Saved." in page.locator("li.q-item").first.inner_text()
    snapshot(page, "questionnaire-review")

    page.locator("form[action$='/accept/'] button").click()
    page.wait_for_url("**/questionnaires/*/")
    with page.expect_download() as download_info:
        page.locator("a", has_text="Download the workbook with the answers").click()
    path = download_info.value.path()
    ws = load_workbook(io.BytesIO(open(path, "rb").read()))["チェックシート"]
    assert ws["D5"].value in {"確認中", "Being checked"}
    assert not [e for e in page.csp_errors if "Content Security Policy" in e], page.csp_errors


def _choose_sheet(page, sheet: str, expected_cell: str) -> None:
    """Pick a sheet and wait for its preview. The select is itself replaced by the swap, so on a busy
    machine a change made while the previous swap was still settling can be lost: choose it again once."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.wait_for_load_state("networkidle")
    page.select_option("select[name=sheet]", sheet)
    cell = page.locator("td", has_text=expected_cell).first
    try:
        cell.wait_for(timeout=15000)
    except PlaywrightTimeout:
        page.select_option("select[name=sheet]", sheet)
        cell.wait_for(timeout=30000)

