"""A phishing drill end to end in a real browser: create it, send it to an SMTP server on loopback, open
the link from the received mail, read the teaching page, report the mail, and see the result as the
manager. And the canary through the real page: a password typed into the practice form goes nowhere."""

from __future__ import annotations

import email
import re
import socket
import threading
import time
from datetime import timedelta
from email import policy

import pytest
from django.db import connection
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tests.browser.conftest import snapshot
from tests.browser.test_assessment import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SENTINEL = "Browser-Canary-9d41e7"
LINK = re.compile(r"https?://[^\s\"'<>]+/drill/c/[A-Za-z0-9_-]+/")


class _Sink:
    def __init__(self):
        self.messages: list[bytes] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's hook name
        with self.lock:
            self.messages.append(envelope.original_content or envelope.content)
        return "250 OK"


@pytest.fixture
def smtp_sink():
    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sink = _Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    sink.port = port
    try:
        yield sink
    finally:
        controller.stop()


def _drill_sent(org, manager, sink, *, landing: str, people: int = 2):
    """Create a drill for `people` employees through the sending side's services and send it to the sink."""
    from ippo.people.models import Department, Employee
    from ippo.phishing import sending, services
    from ippo.phishing.models import Drill, Recipient, SendingProfile

    with scope(organization=org):
        dept = Department.objects.create(organization=org, name="営業部")
        for i in range(people):
            Employee.objects.create(
                organization=org, name=f"山田 太郎{i}", email=f"yamada{i}@staff.example", department=dept
            )
        profile = SendingProfile.objects.create(
            organization=org, name="訓練用", host="127.0.0.1", port=sink.port, security="none",
            from_address="it-support@drill.example", messages_per_minute=600,
        )
        now = timezone.now()
        drill = services.drill_draft_create(org=org, actor=manager, name="ブラウザ訓練")
        services.drill_audience_save(drill=drill, actor=manager, name="ブラウザ訓練", mode="everyone", departments=[], employees=[])
        services.drill_templates_save(drill=drill, actor=manager, template_ids=["delivery-notice"], random_template=False)
        services.drill_landing_save(drill=drill, actor=manager, landing=landing)
        services.drill_window_save(
            drill=drill, actor=manager, profile=profile, window_start=now, window_end=now + timedelta(hours=2),
            business_hours_only=False, now=now,
        )
        services.drill_schedule(drill=drill, actor=manager, now=now)
        # Skip the spread over the window: everyone is due now.
        Recipient.objects.filter(drill=drill).update(send_after=now - timedelta(seconds=1))
        counts = sending.send_due(org=org, sleep=lambda s: None, max_seconds=30)
        assert counts["sent"] == people, counts
        drill = Drill.objects.get(pk=drill.pk)
    deadline = time.monotonic() + 10
    while len(sink.messages) < people and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(sink.messages) == people
    return drill


def _link_from(raw: bytes) -> str:
    message = email.message_from_bytes(raw, policy=policy.default)
    text = message.get_body(preferencelist=("plain",)).get_content()
    match = LINK.search(text)
    assert match, text
    return match.group(0)


def _org_and_manager(make_user):
    from ippo.core.models import Membership, Organization

    manager = make_user("drill-manager@example.com", mfa=True, name="Manager", language="ja")
    org = Organization.objects.create(name="株式会社一歩テスト", slug="drill-test")
    Membership.objects.create(organization=org, user=manager, role="manager")
    return org, manager


def _drill_through_the_wizard(page, org, sink) -> object:
    """The manager creates and schedules the drill in the five-step wizard; it is then sent to the sink."""
    from zoneinfo import ZoneInfo

    from ippo.people.models import Department, Employee
    from ippo.phishing import sending
    from ippo.phishing.models import Drill, Recipient, SendingProfile

    with scope(organization=org):
        dept = Department.objects.create(organization=org, name="営業部")
        for i in range(2):
            Employee.objects.create(
                organization=org, name=f"山田 太郎{i}", email=f"yamada{i}@staff.example", department=dept
            )
        profile = SendingProfile.objects.create(
            organization=org, name="訓練用", host="127.0.0.1", port=sink.port, security="none",
            from_address="it-support@drill.example", messages_per_minute=600,
        )

    def next_step(url_part: str) -> None:
        page.locator("main .actions-bar button[type=submit]").click()
        page.wait_for_url(f"**{url_part}")

    page.goto(f"/o/{org.slug}/drills/new/")
    page.fill("input[name=name]", "ブラウザ訓練")
    page.check("input[name=mode][value=everyone]")
    next_step("/template/")
    page.check("input[name=template_ids][value=delivery-notice]")
    next_step("/landing/")
    page.check("input[name=landing][value=teaching]")
    next_step("/window/")
    page.select_option("select[name=profile]", str(profile.pk))
    now = timezone.now().astimezone(ZoneInfo("Asia/Tokyo"))
    page.fill("input[name=window_start]", now.strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=window_end]", (now + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.uncheck("input[name=business_hours_only]")
    next_step("/review/")
    snapshot(page, "drill-wizard-review")
    page.locator("main .actions-bar button[type=submit]").click()
    page.wait_for_load_state()
    with scopes_disabled():
        drill = Drill.objects.get(organization=org, name="ブラウザ訓練")
    assert drill.status == Drill.Status.SCHEDULED
    with scope(organization=org):
        # Skip the spread over the window: everyone is due now.
        Recipient.objects.filter(drill=drill).update(send_after=timezone.now() - timedelta(seconds=1))
        counts = sending.send_due(org=org, sleep=lambda s: None, max_seconds=30)
    assert counts["sent"] == 2, counts
    deadline = time.monotonic() + 10
    while len(sink.messages) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(sink.messages) == 2
    with scopes_disabled():
        return Drill.objects.get(pk=drill.pk)


def test_walk_a_drill_from_the_wizard_to_the_result(page, live_server, make_user, smtp_sink):
    from ippo.phishing import services
    from ippo.phishing.models import Recipient

    org, manager = _org_and_manager(make_user)
    _sign_in(page, live_server, manager)
    drill = _drill_through_the_wizard(page, org, smtp_sink)
    link = _link_from(smtp_sink.messages[0])
    assert link.startswith(live_server.url)

    # The person opens the link from the mail, in their own browser, on a phone-sized screen.
    person_context = page.context.browser.new_context(
        base_url=live_server.url, locale="ja-JP", timezone_id="Asia/Tokyo", viewport={"width": 390, "height": 844}
    )
    person = person_context.new_page()
    csp_errors: list[str] = []
    person.on("console", lambda msg: csp_errors.append(msg.text) if msg.type == "error" else None)
    response = person.goto(link)
    assert response.status == 200
    assert response.headers["x-robots-tag"] == "noindex, nofollow"
    assert person.locator("html").get_attribute("lang") == "ja"
    assert person.locator("h1").inner_text() == "これは標的型メール訓練でした"
    assert person.locator("mark.drill-flag").count() >= 3
    assert person.locator(".drill-mail a").count() == 0  # no live link in the copy of the mail
    assert person.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "scrolls sideways on a phone"
    snapshot(person, "drill-teaching-page-phone")

    # A person is on the page: touching or scrolling confirms the click (the page's script posts once).
    with person.expect_response(lambda r: "/confirm/" in r.url) as confirmed:
        person.mouse.move(50, 50)
        person.mouse.move(120, 160)
        person.mouse.wheel(0, 200)
    assert confirmed.value.status == 204
    with scopes_disabled():
        assert Recipient.objects.filter(drill=drill, verified_click_at__isnull=False).count() == 1

    # Report it the right way.
    person.locator("form[action*='/drill/r/'] button[type=submit]").first.click()
    person.wait_for_load_state()
    assert "訓練でした" in person.locator("h1").inner_text()
    with scopes_disabled():
        assert Recipient.objects.filter(drill=drill, reported_at__isnull=False).count() == 1
    snapshot(person, "drill-report-thanks")
    assert not [e for e in csp_errors if "Content Security Policy" in e], csp_errors
    person_context.close()

    # The manager finishes the drill and sees the result: reporting first.
    with scope(organization=org):
        services.drill_finish(drill=drill, actor=manager)
    page.goto(f"/o/{org.slug}/drills/{drill.pk}/results/")
    cards = page.locator(".drill-results .card")
    assert "50.0%" in cards.first.inner_text()  # 1 of 2 people reported
    assert "50.0%" in cards.nth(2).inner_text()  # 1 of 2 clicked (confirmed)
    snapshot(page, "drill-results")
    page.goto(f"/o/{org.slug}/drills/{drill.pk}/")  # the drill page includes the same results
    assert "50.0%" in page.locator(".drill-results .card").first.inner_text()
    page.goto(f"/o/{org.slug}/drills/results/")
    assert page.locator("svg").count() >= 2
    assert page.get_by_text("ブラウザ訓練").count() >= 1
    assert not [e for e in page.csp_errors if "Content Security Policy" in e], page.csp_errors


def _dump_every_table() -> str:
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 — our own table names
            parts.append(repr(cursor.fetchall()))
    return "\n".join(parts)


def test_a_password_typed_into_the_practice_page_goes_nowhere(page, live_server, make_user, smtp_sink):
    from ippo.phishing.models import Recipient

    org, manager = _org_and_manager(make_user)
    drill = _drill_sent(org, manager, smtp_sink, landing="form", people=1)
    link = _link_from(smtp_sink.messages[0])
    sent_bodies: list[str] = []
    page.on("request", lambda request: sent_bodies.append((request.url, request.post_data or "")))

    page.goto(link)
    page.fill("#drill-user", "yamada0@staff.example")
    page.fill("#drill-secret", SENTINEL)
    page.locator("form[data-drill-practice] button[type=submit]").click()
    page.wait_for_url("**/learn/")
    assert "訓練" in page.locator("h1").inner_text()
    snapshot(page, "drill-after-practice-form")

    with scopes_disabled():
        assert Recipient.objects.get(drill=drill).submitted_at is not None
    assert not [u for u, body in sent_bodies if SENTINEL in body or SENTINEL in u]
    assert SENTINEL not in _dump_every_table()
