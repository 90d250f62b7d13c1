"""Faults: the server killed (SIGKILL) in the middle of concurrent writes, and the task worker killed in the
middle of sending e-mail. Real processes on loopback, a temporary data dir (SQLite) each."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from tests.reliability.helpers import free_port, ippo_env, kill_group, shell, start, wait_http

SETUP = """
from ippo.api.services import apitoken_create
from ippo.core.models import Organization
org = Organization.objects.create(name="クラッシュ試験", slug="crash")
_token, text = apitoken_create(actor=None, name="crash test", scope="write", days=1, org=org)
print(text)
"""


def _integrity(db) -> str:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def test_acknowledged_writes_survive_sigkill_of_the_server(data_dir):
    token = shell(data_dir, SETUP).strip().splitlines()[-1]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    args = ("serve", "--no-worker", "--no-migrate", "--port", str(port), "--workers", "2", "--threads", "4")
    server = start(data_dir, *args)
    acknowledged: list[str] = []
    errors: Counter = Counter()
    stop = threading.Event()
    try:
        wait_http(f"{base}/healthz", server)

        def writer(n: int) -> None:
            i = 0
            while not stop.is_set():
                title = f"w{n}-{i}"
                i += 1
                request = urllib.request.Request(
                    f"{base}/api/v1/orgs/crash/action-items",
                    data=json.dumps({"title": title}).encode(),
                    method="POST",
                    headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                )
                try:
                    with urllib.request.urlopen(request, timeout=10) as response:
                        if response.status == 201 and json.loads(response.read())["title"] == title:
                            acknowledged.append(title)
                except urllib.error.HTTPError as exc:
                    errors[exc.code] += 1
                except OSError:  # the server is gone: the write is not acknowledged
                    errors["connection"] += 1
                    time.sleep(0.05)

        with ThreadPoolExecutor(8) as pool:
            for n in range(8):
                pool.submit(writer, n)
            deadline = time.monotonic() + 20
            while len(acknowledged) < 150 and time.monotonic() < deadline:
                time.sleep(0.02)
            kill_group(server)  # SIGKILL, mid-way: the writers are still posting
            time.sleep(0.5)
            stop.set()
    finally:
        stop.set()
        if server.poll() is None:
            kill_group(server)
    print(
        f"crash test: {len(acknowledged)} writes acknowledged before SIGKILL; failed after it: {dict(errors)}"
    )
    assert len(acknowledged) >= 50, (len(acknowledged), errors)
    assert not [code for code in errors if code != "connection"], errors
    db = data_dir / "ippo.sqlite3"
    assert _integrity(db) == "ok"

    server = start(data_dir, *args)
    try:
        wait_http(f"{base}/healthz", server)
        assert _integrity(db) == "ok"
        conn = sqlite3.connect(db)
        try:
            stored = {row[0] for row in conn.execute("SELECT title FROM program_actionitem")}
        finally:
            conn.close()
        missing = [t for t in acknowledged if t not in stored]
        assert not missing, f"{len(missing)} acknowledged writes lost: {missing[:5]}"
        request = urllib.request.Request(
            f"{base}/api/v1/orgs/crash/action-items",
            data=json.dumps({"title": "after restart"}).encode(),
            method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 201
    finally:
        kill_group(server)


# --- The task worker killed while sending ------------------------------------------------------------------

ENQUEUE = """
from ippo.accounts.models import User
from ippo.core.models import Membership, Organization
from ippo.core.notify import notification_send
org = Organization.objects.create(name="配信試験", slug="mail")
users = []
for i in range({n}):
    user = User.objects.create_user(email=f"person{{i}}@mail.example", password=None)
    Membership.objects.create(organization=org, user=user, role="member")
    users.append(user)
print(len(notification_send(org=org, event="test.bulk", users=users, subject="お知らせ", body="本文", webhooks=False)))
"""


class _Smtp:
    """Counts the messages it accepted (answered 250) per recipient. When the `hold_at`-th message arrives
    it holds its answer until the test has killed the worker, so the kill falls mid-send."""

    def __init__(self, hold_at: int) -> None:
        self.accepted: Counter = Counter()
        self.arrived = 0
        self.hold_at = hold_at
        self.holding = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.arrived += 1
        if self.arrived == self.hold_at:
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 try again later"
        for rcpt in envelope.rcpt_tos:
            self.accepted[rcpt] += 1
        return "250 OK"


def test_queued_mail_survives_a_worker_kill_and_is_sent_once(data_dir):
    from aiosmtpd.controller import Controller

    recipients = 30
    smtp = _Smtp(hold_at=8)
    port = free_port()
    controller = Controller(smtp, hostname="127.0.0.1", port=port)
    controller.start()
    env = ippo_env(data_dir, EMAIL_URL=f"smtp://127.0.0.1:{port}?timeout=5")
    worker_args = ("db_worker", "--no-reload", "--interval", "0.2", "--queue-name", "*")
    try:
        assert shell(data_dir, ENQUEUE.format(n=recipients), env=env).strip().endswith(str(recipients))
        worker = start(data_dir, *worker_args, env=env)
        try:
            assert smtp.holding.wait(60), "the worker never reached the held message"
            kill_group(worker)  # SIGKILL while the 8th message waits for the server's answer
        finally:
            smtp.release.set()
            if worker.poll() is None:
                kill_group(worker)
        sent_before = sum(smtp.accepted.values())
        assert sent_before == 7

        worker = start(data_dir, *worker_args, env=env)
        try:
            deadline = time.monotonic() + 60
            while sum(smtp.accepted.values()) < recipients - 1 and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            kill_group(worker)
        # The message that was in flight stays claimed (leased) until the lease runs out; then the clock's
        # retry sends it. Run that retry as if the lease were over.
        shell(
            data_dir,
            "from datetime import timedelta\n"
            "from django.utils import timezone\n"
            "from ippo.core.notify import CLAIM_LEASE, deliveries_retry_due\n"
            "print(deliveries_retry_due(now=timezone.now() + CLAIM_LEASE + timedelta(seconds=5)))",
            env=env,
        )
        shell(  # and a second retry finds nothing left to send
            data_dir,
            "from datetime import timedelta\n"
            "from django.utils import timezone\n"
            "from ippo.core.notify import CLAIM_LEASE, deliveries_retry_due\n"
            "assert deliveries_retry_due(now=timezone.now() + CLAIM_LEASE + timedelta(seconds=5)) == 0",
            env=env,
        )
    finally:
        controller.stop()
    expected = {f"person{i}@mail.example" for i in range(recipients)}
    assert set(smtp.accepted) == expected, f"lost: {sorted(expected - set(smtp.accepted))}"
    assert max(smtp.accepted.values()) == 1, f"sent twice: {[a for a, n in smtp.accepted.items() if n > 1]}"
    conn = sqlite3.connect(data_dir / "ippo.sqlite3")
    try:
        statuses = Counter(row[0] for row in conn.execute("SELECT status FROM core_delivery"))
    finally:
        conn.close()
    assert statuses == {"sent": recipients}
