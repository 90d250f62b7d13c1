"""The action plan in a real browser: complete an item with an uploaded evidence file and see the
control status and the score change."""

from __future__ import annotations

import pytest
from django_scopes import scope

from tests.browser.conftest import snapshot
from tests.browser.test_assessment import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_complete_an_item_with_evidence_and_see_status_and_score_change(page, live_server, make_user, tmp_path):
    from ippo.assessments import services
    from ippo.assessments.results import items_for
    from ippo.catalog.loader import catalog_get
    from ippo.core.models import Membership, Organization
    from ippo.program.models import ActionItem

    user = make_user("owner-plan@example.com", mfa=True, name="Owner", language="en")
    org = Organization.objects.create(name="Plan Test Ltd", slug="plan-test")
    Membership.objects.create(organization=org, user=user, role="owner")
    with scope(organization=org):
        assessment = services.assessment_start(org=org, actor=user, kind="full")
        services.answers_save(
            assessment=assessment,
            actor=user,
            answers={c.id: {"value": "no"} for c in items_for(catalog_get(), "full", [])},
        )
        services.assessment_complete(assessment=assessment, actor=user)
        item = ActionItem.objects.get(control_id="pr-mfa-email", status="todo")
    _sign_in(page, live_server, user)

    page.goto(f"/o/{org.slug}/plan/")
    assert page.locator(".score-number").inner_text().strip() == "0"
    page.locator(f"a[href='/o/{org.slug}/plan/{item.pk}/']").first.click()
    page.wait_for_url(f"**/plan/{item.pk}/")
    evidence = tmp_path / "mfa-admin-screen.png"
    evidence.write_bytes(b"\x89PNG\r\n\x1a\n fake screenshot of the MFA settings")
    page.set_input_files("#complete input[type=file]", str(evidence))
    page.fill("#complete textarea[name=note]", "MFA is on for every mailbox.")
    snapshot(page, "plan-item-complete")
    page.locator("#complete button[type=submit]").click()

    page.wait_for_url(f"**/o/{org.slug}/plan/")
    message = page.locator(".messages").inner_text()
    assert "your score went from 0 to" in message
    assert page.locator(".score-number").inner_text().strip() != "0"
    snapshot(page, "plan-after-complete")

    page.goto(f"/o/{org.slug}/catalog/pr-mfa-email/")
    assert "In place" in page.locator(".status").first.inner_text()
    assert page.locator("#evidence a", has_text="mfa-admin-screen.png").count() == 1
    assert not [e for e in page.csp_errors if "Content Security Policy" in e], page.csp_errors
