"""Notifications: who gets e-mail, what each chat service receives, retries, secrets at rest, and the pages.

Chat services are replaced by a real HTTP server on 127.0.0.1; e-mail goes to Django's in-memory outbox.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import urllib.parse
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from ippo.core import notify
from ippo.core.models import AuditEvent, ChatWebhook, Delivery, Membership, NotificationPreference
from ippo.lib.crypto import decrypt, encrypt

# --- A stand-in for Slack, Teams, Chatwork and the rest: records every request, answers `status`.


class _Hook(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.received.append({"path": self.path, "headers": self.headers, "body": body})
        payload = b"ok" if self.server.status < 400 else b"no_service"
        self.send_response(self.server.status)
        self.send_header("Content-Type", "text/plain")
        if 300 <= self.server.status < 400:
            self.send_header("Location", "/elsewhere")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def hook_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    server.received = []
    server.status = 200
    server.url = lambda path: f"http://127.0.0.1:{server.server_address[1]}{path}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _add_webhook(personas, kind="slack", **fields):
    fields.setdefault("name", f"#{kind}")
    return notify.chatwebhook_create(actor=personas.owner, org=personas.org, kind=kind, **fields)


def _send(org, **kwargs):
    defaults = {"event": "test.event", "users": [], "subject": "Subject", "body": "Body"}
    return notify.notification_send(org=org, **{**defaults, **kwargs})


# --- E-mail


def test_email_goes_only_to_members_who_want_it_in_their_own_language(
    personas, mailoutbox, django_capture_on_commit_callbacks, unscoped
):
    personas.member.language = "en"
    personas.member.save()
    personas.viewer.language = "ja"
    personas.viewer.save()
    NotificationPreference.objects.create(
        organization=personas.org, user=personas.manager, email_enabled=False
    )

    with django_capture_on_commit_callbacks(execute=True):
        deliveries = _send(
            personas.org,
            users=[personas.member, personas.viewer, personas.manager, personas.outsider],
            subject=lambda: _("Audit log"),
            body=lambda: _("Settings"),
            url="/o/org-a/",
            webhooks=False,
        )

    assert len(deliveries) == 2
    by_address = {mail.to[0]: mail for mail in mailoutbox}
    assert set(by_address) == {"member@a.example", "viewer@a.example"}  # not the manager, never the outsider
    assert by_address["member@a.example"].subject == "[Org A] Audit log"
    assert by_address["viewer@a.example"].subject == "[Org A] 監査ログ"
    assert by_address["viewer@a.example"].body.startswith("設定")
    assert "http://127.0.0.1:8000/o/org-a/" in by_address["member@a.example"].body
    assert by_address["member@a.example"].extra_headers["Auto-Submitted"] == "auto-generated"
    with unscoped():
        assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_nothing_is_sent_before_the_transaction_commits(
    personas, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        (delivery,) = _send(personas.org, users=[personas.member], webhooks=False)
    assert mailoutbox == [] and delivery.status == "pending"

    for callback in callbacks:  # the commit: the immediate backend runs `deliver` right away
        callback()

    assert len(mailoutbox) == 1
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 1 and delivery.sent_at is not None


def test_a_rolled_back_notification_is_never_sent(personas, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            _send(personas.org, users=[personas.member], webhooks=False)
            raise RuntimeError("the feature's own write failed")
    assert callbacks == [] and mailoutbox == []


def test_someone_who_left_the_organisation_gets_no_retry(personas, mailoutbox, unscoped, settings):
    settings.LANGUAGE_CODE = "en"  # the worker records errors in the installation's language
    (delivery,) = _send(personas.org, users=[personas.member], webhooks=False)
    with unscoped():
        Membership.objects.filter(user=personas.member).delete()

    assert notify.deliveries_retry_due() == 1

    delivery.refresh_from_db()
    assert delivery.status == "gave_up" and "no longer belongs" in delivery.last_error
    assert mailoutbox == []


# --- Chat services


def test_slack_teams_and_generic_webhooks_receive_their_payloads(
    personas, hook_server, django_capture_on_commit_callbacks
):
    _add_webhook(personas, "slack", url=hook_server.url("/slack"))
    _add_webhook(personas, "teams", url=hook_server.url("/teams"))
    _generic, signing_secret = _add_webhook(personas, "generic", url=hook_server.url("/generic"))

    with django_capture_on_commit_callbacks(execute=True):
        deliveries = _send(
            personas.org,
            event="task.due",
            subject=lambda: _("Audit log"),
            body="Check <this> & that",
            url="/o/org-a/",
        )

    for delivery in deliveries:
        delivery.refresh_from_db()
    assert [d.status for d in deliveries] == ["sent"] * 3
    received = {r["path"]: r for r in hook_server.received}
    assert set(received) == {"/slack", "/teams", "/generic"}

    slack = json.loads(received["/slack"]["body"])
    assert slack == {"text": "*監査ログ*\nCheck &lt;this&gt; &amp; that\n<http://127.0.0.1:8000/o/org-a/>"}

    teams = json.loads(received["/teams"]["body"])
    assert teams["type"] == "message"
    (attachment,) = teams["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert [block["text"] for block in card["body"]] == ["監査ログ", "Check <this> & that"]
    assert card["actions"][0]["url"] == "http://127.0.0.1:8000/o/org-a/"

    generic = received["/generic"]
    payload = json.loads(generic["body"])
    assert {k: payload[k] for k in ("event", "subject", "body", "url", "organization")} == {
        "event": "task.due",
        "subject": "監査ログ",
        "body": "Check <this> & that",
        "url": "http://127.0.0.1:8000/o/org-a/",
        "organization": "org-a",
    }
    expected = hmac.new(signing_secret.encode(), generic["body"], hashlib.sha256).hexdigest()
    assert hmac.compare_digest(generic["headers"]["X-Ippo-Signature"], f"sha256={expected}")
    assert generic["headers"]["X-Ippo-Delivery"] == str(payload["delivery"])


def test_chatwork_posts_to_the_api_with_the_token_header(
    personas, hook_server, settings, django_capture_on_commit_callbacks
):
    settings.IPPO_CHATWORK_API_BASE = hook_server.url("/v2")
    _add_webhook(personas, "chatwork", room_id="123456789", token="cw-token-abc")

    with django_capture_on_commit_callbacks(execute=True):
        _send(personas.org, subject="Backup check due", body="Please restore one file.", url="/o/org-a/")

    (request,) = hook_server.received
    assert request["path"] == "/v2/rooms/123456789/messages"
    assert request["headers"]["X-ChatWorkToken"] == "cw-token-abc"
    form = urllib.parse.parse_qs(request["body"].decode())
    assert form["body"] == [
        "[info][title]Backup check due[/title]Please restore one file.\nhttp://127.0.0.1:8000/o/org-a/[/info]"
    ]


# --- Failures and retries


def test_a_failing_webhook_is_retried_with_backoff_and_then_given_up(personas, hook_server):
    hook_server.status = 500
    _add_webhook(personas, "slack", url=hook_server.url("/slack"))
    (delivery,) = _send(personas.org)  # the commit never happens in a test: no attempt yet
    now = timezone.now()

    assert notify.deliveries_retry_due(now=now) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert delivery.last_error == "HTTP 500 Internal Server Error: no_service"
    assert delivery.next_attempt_at == now + timedelta(minutes=1)
    assert notify.deliveries_retry_due(now=now + timedelta(seconds=59)) == 0

    waits = []
    while delivery.status == "failed":
        waits.append(delivery.next_attempt_at - now)
        now = delivery.next_attempt_at
        assert notify.deliveries_retry_due(now=now) == 1
        delivery.refresh_from_db()

    assert waits == [timedelta(minutes=m) for m in (1, 5, 30, 120, 720)]
    assert (delivery.status, delivery.attempts) == ("gave_up", 6)
    assert len(hook_server.received) == 6
    assert notify.deliveries_retry_due(now=now + timedelta(days=30)) == 0


def test_with_the_database_backend_a_failed_delivery_queues_its_own_retry(
    personas, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from ippo.core.tasks import deliver

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        (delivery,) = _send(personas.org, users=[personas.member], webhooks=False)
    (queued,) = DBTaskResult.objects.all()
    assert queued.task_path == "ippo.core.tasks.deliver"
    assert queued.args_kwargs == {"args": [delivery.pk], "kwargs": {}}

    # The worker runs the task while the mail server is down.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _closed_port(), 5
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver.call(delivery.pk) == "failed"

    delivery.refresh_from_db()
    assert "ConnectionRefusedError" in delivery.last_error
    retry = DBTaskResult.objects.exclude(pk=queued.pk).get()
    assert retry.args_kwargs == {"args": [delivery.pk], "kwargs": {}}
    assert retry.run_after == delivery.next_attempt_at
    # A second run of the first task finds nothing due: the row is not sent twice.
    assert deliver.call(delivery.pk) == "skipped"


def test_a_refused_connection_is_a_failure_and_the_error_reveals_no_secret(personas):
    url = f"http://127.0.0.1:{_closed_port()}/services/T0/B0/very-secret-token"
    _add_webhook(personas, "slack", url=url)
    (delivery,) = _send(personas.org)
    now = timezone.now()

    notify.deliveries_retry_due(now=now)

    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.next_attempt_at == now + timedelta(minutes=1)
    assert "refused" in delivery.last_error.lower()
    assert "very-secret-token" not in delivery.last_error


def test_a_delivery_succeeds_once_the_service_is_back(personas, hook_server):
    hook_server.status = 503
    _add_webhook(personas, "slack", url=hook_server.url("/slack"))
    (delivery,) = _send(personas.org)
    now = timezone.now()
    notify.deliveries_retry_due(now=now)

    hook_server.status = 200
    notify.deliveries_retry_due(now=now + timedelta(minutes=1))

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 2, "")
    assert delivery.sent_at == now + timedelta(minutes=1)


def test_only_due_deliveries_are_claimed_and_a_second_claim_gets_nothing(personas):
    now = timezone.now()

    def row(status, due_in):
        return Delivery.objects.create(
            organization=personas.org,
            channel="email",
            to_address="member@a.example",
            subject="s",
            body="b",
            event="test.claim",
            status=status,
            next_attempt_at=now + due_in,
        )

    with scope(organization=personas.org):
        failed_due = row("failed", -timedelta(seconds=1))
        never_enqueued = row("pending", -timedelta(minutes=1))
        row("failed", timedelta(hours=1))  # not yet
        row("sent", -timedelta(days=1))
        row("gave_up", -timedelta(days=1))

    first = notify.deliveries_claim_due(now=now)
    second = notify.deliveries_claim_due(now=now)

    assert {d.pk for d in first} == {failed_due.pk, never_enqueued.pk}
    assert second == []
    assert notify.delivery_claim(delivery_id=failed_due.pk, now=now) is None
    # A worker that died holding a row: once the lease runs out, the row is claimed again.
    later = now + notify.CLAIM_LEASE + timedelta(seconds=1)
    assert {d.pk for d in notify.deliveries_claim_due(now=later)} == {failed_due.pk, never_enqueued.pk}


def test_redirects_are_not_followed(personas, hook_server):
    hook_server.status = 302
    _add_webhook(personas, "slack", url=hook_server.url("/slack"))
    (delivery,) = _send(personas.org)

    notify.deliveries_retry_due()

    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.last_error.startswith("HTTP 302")
    assert [r["path"] for r in hook_server.received] == ["/slack"]


def test_plain_http_is_refused_for_other_hosts_but_allowed_on_loopback(settings):
    settings.DEBUG = False
    assert "https://" in notify.webhook_url_problem("http://hooks.example.com/x")
    assert notify.webhook_url_problem("ftp://hooks.example.com/x") is not None
    assert notify.webhook_url_problem("https://hooks.slack.com/services/x") is None
    assert notify.webhook_url_problem("http://127.0.0.1:9000/x") is None
    assert notify.webhook_url_problem("http://localhost/x") is None
    settings.DEBUG = True
    assert notify.webhook_url_problem("http://hooks.example.com/x") is None


def test_link_local_addresses_such_as_cloud_metadata_are_never_posted_to(personas, settings):
    settings.LANGUAGE_CODE = "en"  # the worker records errors in the installation's language
    with scope(organization=personas.org):
        webhook = ChatWebhook.objects.create(
            organization=personas.org,
            kind="slack",
            name="metadata",
            url_encrypted=encrypt("https://169.254.169.254/latest"),
        )
    (delivery,) = _send(personas.org)
    notify.deliveries_retry_due()
    delivery.refresh_from_db()
    assert delivery.status == "gave_up" and "reserved network address" in delivery.last_error
    assert webhook.pk


# --- Secrets at rest


def test_secrets_are_stored_encrypted_and_the_list_shows_only_a_hint(client, personas, unscoped):
    url = "https://hooks.slack.com/services/T000/B000/XXXXsecretXXXXa1b2"
    client.force_login(personas.owner)
    client.post(
        reverse("org:chatwebhook_create", args=["org-a"]), {"kind": "slack", "name": "#security", "url": url}
    )
    client.post(
        reverse("org:chatwebhook_create", args=["org-a"]),
        {"kind": "chatwork", "name": "セキュリティ", "room_id": "987654321", "token": "cwTOKENsecret"},
    )

    with connection.cursor() as cursor:
        cursor.execute("SELECT url_encrypted, token_encrypted, secret_encrypted FROM core_chatwebhook")
        raw = " ".join(" ".join(row) for row in cursor.fetchall())
    assert "XXXXsecret" not in raw and "cwTOKENsecret" not in raw and "987654321" not in raw
    with unscoped():
        slack = ChatWebhook.objects.get(kind="slack")
        assert decrypt(slack.url_encrypted) == url

    page = client.get(reverse("org:chatwebhook_list", args=["org-a"])).content.decode()
    assert "hooks.slack.com/…a1b2" in page and "chatwork.com/#!rid…4321" in page
    assert "XXXXsecret" not in page and "cwTOKENsecret" not in page and "987654321" not in page


def test_a_generic_webhook_shows_its_signing_secret_once(client, personas, unscoped):
    client.force_login(personas.owner)
    response = client.post(
        reverse("org:chatwebhook_create", args=["org-a"]),
        {"kind": "generic", "name": "SIEM", "url": "https://siem.example.com/ippo"},
    )
    with unscoped():
        secret = ChatWebhook.objects.get(name="SIEM").get_secret()
    assert response.status_code == 200 and secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert secret not in client.get(reverse("org:chatwebhook_list", args=["org-a"])).content.decode()


# --- The pages


def test_the_owner_adds_tests_and_removes_a_webhook_and_it_is_audited(
    client, personas, hook_server, unscoped
):
    personas.owner.language = "en"
    personas.owner.save()
    client.force_login(personas.owner)
    response = client.post(
        reverse("org:chatwebhook_create", args=["org-a"]),
        {"kind": "slack", "name": "#security", "url": hook_server.url("/slack")},
    )
    assert response.status_code == 302 and response["Location"] == reverse(
        "org:chatwebhook_list", args=["org-a"]
    )
    with unscoped():
        webhook = ChatWebhook.objects.get(organization=personas.org)
    added = AuditEvent.objects.get(action="notification.webhook_added")
    assert added.actor == personas.owner and added.organization == personas.org
    assert added.data["destination"] == webhook.hint and hook_server.url("/slack") not in json.dumps(
        added.data
    )

    response = client.post(reverse("org:chatwebhook_test", args=["org-a", webhook.pk]), follow=True)
    assert len(hook_server.received) == 1
    assert "ippo" in json.loads(hook_server.received[0]["body"])["text"]
    assert "A test message was sent to #security" in response.content.decode()

    response = client.post(reverse("org:chatwebhook_delete", args=["org-a", webhook.pk]))
    assert response.status_code == 302
    with unscoped():
        assert not ChatWebhook.objects.exists()
    assert AuditEvent.objects.filter(
        action="notification.webhook_removed", target_id=str(webhook.pk)
    ).exists()


def test_a_failed_test_message_says_why_and_is_not_retried(client, personas, hook_server, unscoped):
    hook_server.status = 404
    webhook, _secret = _add_webhook(personas, "slack", url=hook_server.url("/gone"))
    client.force_login(personas.owner)
    response = client.post(reverse("org:chatwebhook_test", args=["org-a", webhook.pk]), follow=True)
    assert "HTTP 404" in response.content.decode()
    with unscoped():
        assert Delivery.objects.get().status == "gave_up"


@pytest.mark.parametrize("role", ["manager", "member", "advisor", "viewer"])
def test_only_the_owner_may_manage_webhooks(client, personas, role, unscoped):
    client.force_login(personas.users[role])
    assert client.get(reverse("org:chatwebhook_list", args=["org-a"])).status_code == 403
    assert client.get(reverse("org:delivery_list", args=["org-a"])).status_code == 403
    response = client.post(
        reverse("org:chatwebhook_create", args=["org-a"]),
        {"kind": "slack", "name": "x", "url": "https://hooks.slack.com/services/x"},
    )
    assert response.status_code == 403
    with unscoped():
        assert not ChatWebhook.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "slack", "name": "x", "url": "http://hooks.example.com/x"}, "https://"),
        (
            {"kind": "slack", "name": "", "url": "https://hooks.slack.com/services/x"},
            "Please give the webhook a name",
        ),
        ({"kind": "slack", "name": "x", "url": ""}, "Enter the webhook address"),
        ({"kind": "chatwork", "name": "x", "room_id": "abc", "token": "t"}, "Enter the room ID"),
        ({"kind": "chatwork", "name": "x", "room_id": "123", "token": ""}, "Enter the API token"),
    ],
)
def test_bad_webhook_input_gets_a_clear_message_and_nothing_is_saved(
    client, personas, settings, data, message, unscoped
):
    settings.DEBUG = False
    personas.owner.language = "en"
    personas.owner.save()
    client.force_login(personas.owner)
    response = client.post(reverse("org:chatwebhook_create", args=["org-a"]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    with unscoped():
        assert not ChatWebhook.objects.exists()
    assert not AuditEvent.objects.filter(action="notification.webhook_added").exists()


def test_the_delivery_log_shows_failures_first_with_attempts_error_and_next_attempt(
    client, personas, hook_server
):
    hook_server.status = 500
    _add_webhook(personas, "slack", url=hook_server.url("/slack"))
    _send(personas.org, subject="Will fail")
    notify.deliveries_retry_due()
    hook_server.status = 200
    _send(personas.org, subject="Will work")
    notify.deliveries_retry_due()

    personas.owner.language = "en"
    personas.owner.save()
    client.force_login(personas.owner)
    page = client.get(reverse("org:delivery_list", args=["org-a"])).content.decode()

    assert page.index("Will fail") < page.index("Will work")
    assert "HTTP 500 Internal Server Error" in page and "Failed, will be retried" in page


def test_the_delivery_log_needs_the_same_queries_for_many_rows(client, personas, hook_server):
    _add_webhook(personas, "slack", url=hook_server.url("/slack"))
    client.force_login(personas.owner)
    url = reverse("org:delivery_list", args=["org-a"])
    _send(personas.org, users=[personas.member])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _i in range(10):
        _send(personas.org, users=[personas.member, personas.viewer])
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


@pytest.mark.parametrize("role", ["owner", "member", "viewer"])
def test_every_member_can_switch_their_own_email_off(client, personas, role, mailoutbox, unscoped):
    user = personas.users[role]
    client.force_login(user)
    url = reverse("org:notificationpreference_edit", args=["org-a"])
    assert client.get(url).status_code == 200

    response = client.post(url, {"digest_enabled": "on"})  # e-mail unticked

    assert response.status_code == 302
    with unscoped():
        preference = NotificationPreference.objects.get(user=user)
    assert (preference.email_enabled, preference.digest_enabled) == (False, True)
    assert _send(personas.org, users=[user], webhooks=False) == []


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_notification_pages_render_in_both_languages(client, personas, language):
    personas.owner.language = language
    personas.owner.save()
    client.force_login(personas.owner)
    for name in ("chatwebhook_list", "chatwebhook_create", "delivery_list", "notificationpreference_edit"):
        response = client.get(reverse(f"org:{name}", args=["org-a"]))
        assert response.status_code == 200, name
        assert f'<html lang="{language}">' in response.content.decode(), name


# --- The command


def test_notify_test_sends_to_every_active_webhook_and_reports(personas, hook_server, capsys):
    _add_webhook(personas, "slack", url=hook_server.url("/slack"))
    _add_webhook(personas, "teams", url=hook_server.url("/teams"))

    call_command("notify", "test", "--org", "org-a")

    assert {r["path"] for r in hook_server.received} == {"/slack", "/teams"}
    out = capsys.readouterr().out
    assert "#slack (Slack, 127.0.0.1/…lack): sent" in out


def test_notify_retry_and_prune(personas, mailoutbox, capsys):
    _send(personas.org, users=[personas.member], webhooks=False)
    call_command("notify", "retry")
    assert "1 deliveries attempted" in capsys.readouterr().out and len(mailoutbox) == 1

    with scopes_disabled():
        Delivery.objects.update(created_at=timezone.now() - timedelta(days=91))
    call_command("notify", "prune", "--days", "90")
    assert "1 deliveries deleted" in capsys.readouterr().out
