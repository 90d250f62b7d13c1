"""Reminders, overdue notices, escalation and the weekly summary, driven by a controllable clock, with
e-mail through a real SMTP server on loopback and the team chat through a local HTTP server."""

from __future__ import annotations

import json
import threading
from datetime import date, datetime, time, timedelta
from email import message_from_bytes
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.utils import timezone
from django_scopes import scope

from ippo.core.models import Delivery, NotificationPreference
from ippo.core.notify import chatwebhook_create
from ippo.program import reminders, services
from ippo.program.models import ActionItem

pytestmark = pytest.mark.django_db(transaction=True)
MONDAY = date(2026, 11, 30)


def at(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture(autouse=True)
def _english_installation(settings):
    """Chat messages use the installation's language; the assertions below read English."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def smtp(settings):
    """A real SMTP server on 127.0.0.1 (aiosmtpd); messages land in `received`."""
    from aiosmtpd.controller import Controller

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
            return "250 OK"

    import socket

    with socket.socket() as probe:  # a free port on loopback (aiosmtpd's start-up check cannot use port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield received
    controller.stop()


@pytest.fixture
def chat(settings):
    """A local HTTP server standing in for a team chat's incoming webhook."""
    posts = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            posts.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/hook", posts
    server.shutdown()


def subjects(received) -> list[tuple[str, str]]:
    return sorted((rcpt[0], str(make_header(decode_header(msg["Subject"])))) for rcpt, msg in received)


def _item(personas, *, due, owner="member", title="Test restore"):
    with scope(organization=personas.org):
        return services.action_item_create(
            org=personas.org, actor=personas.owner, title=title, owner=personas.users[owner] if owner else None, due_date=due
        )


def test_due_soon_then_overdue_then_escalation_each_once(personas, smtp, chat):
    url, posts = chat
    with scope(organization=personas.org):
        chatwebhook_create(actor=personas.owner, org=personas.org, kind="slack", name="#it", url=url)
    for user in personas.users.values():
        user.language = "en"
        user.save()
    due = date(2026, 12, 10)
    _item(personas, due=due)

    assert reminders.tick(now=at(due - timedelta(days=5)))["due"] == 0
    assert reminders.tick(now=at(due - timedelta(days=2)))["due"] == 1
    assert reminders.tick(now=at(due - timedelta(days=1)))["due"] == 0  # once
    assert subjects(smtp) == [("member@a.example", "[Org A] Due soon: Test restore")]

    assert reminders.tick(now=at(due))["overdue"] == 0  # due today is not overdue
    assert reminders.tick(now=at(due + timedelta(days=1)))["overdue"] == 1
    assert reminders.tick(now=at(due + timedelta(days=2)))["overdue"] == 0
    assert ("member@a.example", "[Org A] Overdue: Test restore") in subjects(smtp)

    assert reminders.tick(now=at(due + timedelta(days=7)))["escalated"] == 0
    assert reminders.tick(now=at(due + timedelta(days=8)))["escalated"] == 1
    assert reminders.tick(now=at(due + timedelta(days=9)))["escalated"] == 0
    escalated = [s for s in subjects(smtp) if "Still open" in s[1]]
    assert {r for r, _ in escalated} == {"owner@a.example", "manager@a.example"}
    assert any("Still open a week after its due date: Test restore" in p["text"] for p in posts)


def test_an_item_without_anyone_responsible_reminds_the_owners_and_managers(personas, smtp):
    due = date(2026, 12, 10)
    _item(personas, due=due, owner=None)
    reminders.tick(now=at(due - timedelta(days=1)))
    assert {r for r, _ in subjects(smtp)} == {"owner@a.example", "manager@a.example"}


def test_a_new_due_date_means_a_new_reminder(personas, smtp):
    due = date(2026, 12, 10)
    item = _item(personas, due=due)
    reminders.tick(now=at(due - timedelta(days=1)))
    with scope(organization=personas.org):
        services.action_item_update(item=ActionItem.objects.get(pk=item.pk), actor=personas.owner, due_date=date(2027, 1, 20))
    reminders.tick(now=at(date(2027, 1, 18)))
    assert len([s for s in subjects(smtp) if "Due soon" in s[1] or "期限" in s[1]]) == 2


def test_done_items_are_not_reminded(personas, smtp):
    due = date(2026, 12, 10)
    item = _item(personas, due=due)
    with scope(organization=personas.org):
        services.action_item_complete(item=ActionItem.objects.get(pk=item.pk), actor=personas.owner)
    reminders.tick(now=at(due + timedelta(days=30)))
    assert smtp == []


def test_the_weekly_summary_goes_out_on_mondays_once_and_respects_preferences(personas, smtp, chat):
    url, posts = chat
    with scope(organization=personas.org):
        chatwebhook_create(actor=personas.owner, org=personas.org, kind="generic", name="ops", url=url)
        NotificationPreference.objects.create(organization=personas.org, user=personas.users["manager"], digest_enabled=False)
    _item(personas, due=MONDAY + timedelta(days=30), owner="member", title="A")
    _item(personas, due=MONDAY - timedelta(days=30), owner="member", title="B")
    _item(personas, due=MONDAY + timedelta(days=30), owner="manager", title="C")

    assert reminders.tick(now=at(MONDAY - timedelta(days=1)))["digests"] == 0  # Sunday
    assert reminders.tick(now=at(MONDAY))["digests"] == 1
    assert reminders.tick(now=at(MONDAY, hour=15))["digests"] == 0  # once a week
    digests = [(r, s) for r, s in subjects(smtp) if "security task" in s or "セキュリティ" in s]
    assert [r for r, _ in digests] == ["member@a.example"]
    team = [p for p in posts if p.get("event") == "digest.team"]
    assert len(team) == 1 and "overdue: 1" in team[0]["body"]
    assert reminders.tick(now=at(MONDAY + timedelta(days=7)))["digests"] == 1


def test_failed_e_mail_is_kept_for_retry(personas, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens on the discard port
    due = date(2026, 12, 10)
    _item(personas, due=due)
    reminders.tick(now=at(due - timedelta(days=1)))
    from django_scopes import scopes_disabled

    with scopes_disabled():
        delivery = Delivery.objects.get(channel="email")
    assert delivery.status == "failed" and delivery.attempts == 1 and delivery.next_attempt_at is not None
