"""Facilitator mode in a real browser, at projector size: start the clock, move with the keyboard, and have
the notes autosave (htmx) without pressing anything. No CSP errors."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_scopes import scope

from tests.browser.conftest import snapshot
from tests.browser.test_assessment import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_facilitator_mode_with_keyboard_and_autosave(page, live_server, make_user):
    from ippo.core.models import Membership, Organization
    from ippo.tabletop import services
    from ippo.tabletop.models import InjectNote
    from ippo.tabletop.services import PlayerSpec

    user = make_user("facilitator@example.com", mfa=True, name="佐藤 花子", language="ja")
    org = Organization.objects.create(name="株式会社一歩テスト", slug="tabletop-test")
    Membership.objects.create(organization=org, user=user, role="manager")
    with scope(organization=org):
        exercise = services.exercise_plan(
            org=org,
            actor=user,
            scenario_id="ransomware-file-server",
            scheduled_on=timezone.localdate(),
            facilitator=user,
            players=[PlayerSpec("vendor", name="木村 誠"), PlayerSpec("it", user=user)],
        )
    _sign_in(page, live_server, user)
    page.set_viewport_size({"width": 1280, "height": 800})

    page.goto(f"/o/{org.slug}/tabletop/{exercise.pk}/run/")
    assert "点数" in page.locator(".tt-no-grading").first.inner_text()
    snapshot(page, "tabletop-briefing")
    page.locator(".tt-start").click()
    page.wait_for_url("**/run/?step=0")
    assert page.locator("[data-clock-minutes]").inner_text().strip() == "0"

    page.keyboard.press("ArrowRight")
    page.wait_for_url("**/run/?step=1")
    assert "ファイルが開けない" in page.locator("h1").inner_text()
    page.keyboard.press("PageDown")
    page.wait_for_url("**/run/?step=2")
    page.keyboard.press("ArrowLeft")
    page.wait_for_url("**/run/?step=1")

    # Typing in the notes does not move to another step, and the notes save by themselves.
    page.fill("#notes-text", "IT 担当への直通の連絡先を知らない人が多かった。")
    page.locator("#notes-text").press("ArrowRight")
    page.locator(".save-state .saved").wait_for()
    assert page.url.endswith("?step=1")
    with scope(organization=org):
        assert InjectNote.objects.get(exercise=exercise, inject_id="first-signs").text.startswith("IT 担当")
    snapshot(page, "tabletop-inject")

    page.goto(f"/o/{org.slug}/tabletop/{exercise.pk}/run/?step=6")
    page.locator(".tt-finish").click()
    page.wait_for_url("**/hotwash/")
    assert not [e for e in page.csp_errors if "Content Security Policy" in e], page.csp_errors
