"""Sending a 1,000-person phishing drill to a local SMTP sink (aiosmtpd on loopback), as a ratio to sending
1,000 small pre-built messages with plain smtplib to the same sink in the same run.

Measures: scheduling the drill (recipients and send times), and sending it — claim with conditional UPDATEs,
render each bilingual message, 128-bit token + SHA-256, SMTP, the "sent" event — with the throttle set out
of the way (the pace is the profile's business; this measures what the machine can do). Prints the numbers
and appends them to bench/results/drill_send.jsonl. Knob: IPPO_BENCH_MESSAGES (default 1000)."""

from __future__ import annotations

import json
import os
import smtplib
import socket
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("IPPO_DATA_DIR", tempfile.mkdtemp(prefix="ippo-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ippo.settings")
COUNT = int(os.environ.get("IPPO_BENCH_MESSAGES", "1000"))


SINK = r"""
import asyncio, signal, sys
from aiosmtpd.controller import Controller

class Sink:
    count = 0
    size = 0
    rcpts = set()
    async def handle_DATA(self, server, session, envelope):
        Sink.count += 1
        Sink.size += len(envelope.original_content or envelope.content)
        Sink.rcpts.update(envelope.rcpt_tos)
        return "250 OK"

controller = Controller(Sink(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
for line in sys.stdin:
    if line.strip() == "reset":
        Sink.count, Sink.size, Sink.rcpts = 0, 0, set()
    print(Sink.count, Sink.size, len(Sink.rcpts), flush=True)
controller.stop()
"""


class Sink:
    """A local SMTP sink in its own process (as a real mail server would be), on loopback."""

    def __init__(self, port: int):
        import subprocess

        self.proc = subprocess.Popen(  # noqa: S603 — our own interpreter and script
            [sys.executable, "-c", SINK, str(port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.proc.stdout.readline().strip() == "ready"

    def counts(self, command: str = "?") -> tuple[int, int, int]:
        """(messages, bytes, distinct recipients) since the last reset."""
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        count, size, distinct = self.proc.stdout.readline().split()
        return int(count), int(size), int(distinct)

    def wait_for(self, count: int, timeout: float = 15) -> tuple[int, int, int]:
        deadline = time.monotonic() + timeout
        while self.counts()[0] < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.counts()

    def stop(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(10)


WORKER = r"""
import sys
from datetime import datetime

import django

django.setup()
from django_scopes import scope

from ippo.core.models import Organization
from ippo.phishing.sending import send_due

org = Organization.objects.get(slug="bench-drill")
at = datetime.fromisoformat(sys.argv[1])
with scope(organization=org):
    result = send_due(org=org, clock=lambda: at, sleep=lambda s: None, max_seconds=3600)
print(result["sent"], result["failed"], flush=True)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def baseline(port: int, count: int) -> float:
    """Plain smtplib: one connection, `count` small pre-built messages."""
    msg = EmailMessage()
    msg["From"] = "a@bench.example"
    msg["To"] = "b@bench.example"
    msg["Subject"] = "baseline"
    msg.set_content("baseline message\n")
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as conn:
        for _ in range(count):
            conn.send_message(msg)
    return time.perf_counter() - start


def main() -> None:
    import logging

    import django

    django.setup()
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    from django.core.management import call_command
    from django.utils import timezone as djtz
    from django_scopes import scope

    from ippo.core.models import Organization
    from ippo.people.models import Department, Employee
    from ippo.phishing import sending, services
    from ippo.phishing.models import Drill, SendingProfile

    call_command("migrate", verbosity=0)
    port = free_port()
    sink = Sink(port)
    try:
        base_s = baseline(port, COUNT)
        sink.counts("reset")
        org, _ = Organization.objects.get_or_create(slug="bench-drill", defaults={"name": "ベンチ株式会社"})
        with scope(organization=org):
            Drill.objects.filter(organization=org).delete()
            Employee.objects.filter(organization=org).delete()
            depts = [
                Department.objects.get_or_create(organization=org, name=n)[0]
                for n in ("営業部", "総務部", "製造部", "開発部")
            ]
            Employee.objects.bulk_create(
                [
                    Employee(
                        organization=org,
                        name=f"社員 {i:04d}",
                        email=f"user{i}@staff.bench.example",
                        department=depts[i % len(depts)],
                    )
                    for i in range(COUNT)
                ]
            )
            profile, _ = SendingProfile.objects.update_or_create(
                organization=org,
                name="bench",
                defaults={
                    "host": "127.0.0.1",
                    "port": port,
                    "security": "none",
                    "from_address": "info@drill.bench.example",
                    "messages_per_minute": 1_000_000,
                },
            )

            def schedule(name: str):
                now = djtz.now()
                drill = services.drill_draft_create(org=org, actor=None, name=name)
                services.drill_audience_save(
                    drill=drill, actor=None, name=name, mode="everyone", departments=[], employees=[]
                )
                services.drill_templates_save(
                    drill=drill,
                    actor=None,
                    random_template=True,
                    template_ids=[
                        "delivery-notice",
                        "invoice-bank-change",
                        "password-expiry",
                        "shared-document",
                    ],
                )
                services.drill_window_save(
                    drill=drill,
                    actor=None,
                    profile=profile,
                    window_start=now,
                    window_end=now + timedelta(minutes=5),
                    business_hours_only=False,
                    now=now,
                )
                start = time.perf_counter()
                services.drill_schedule(drill=drill, actor=None, now=now)
                return drill, time.perf_counter() - start, now + timedelta(minutes=10)

            # One worker.
            _drill, schedule_s, later = schedule("bench 1")
            start = time.perf_counter()
            result = sending.send_due(org=org, clock=lambda: later, sleep=lambda s: None, max_seconds=3600)
            send_s = time.perf_counter() - start
        received, received_bytes, _distinct = sink.wait_for(result["sent"])

        # Two worker processes at once on the same drill: nobody may receive it twice.
        sink.counts("reset")
        with scope(organization=org):
            _drill2, _s, later2 = schedule("bench 2")
        import subprocess

        start = time.perf_counter()
        workers = [
            subprocess.Popen(  # noqa: S603 — our own interpreter and script
                [sys.executable, "-c", WORKER, later2.isoformat()], stdout=subprocess.PIPE, text=True
            )
            for _ in range(2)
        ]
        outputs = [w.communicate(timeout=3600)[0].split() for w in workers]
        two_s = time.perf_counter() - start
        two_sent = sum(int(o[0]) for o in outputs)
        two_received, _b, two_distinct = sink.wait_for(two_sent)
    finally:
        sink.stop()
    from django.db import connection

    record = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "messages": COUNT,
        "database": connection.vendor,
        "sent": result["sent"],
        "failed": result["failed"],
        "received_by_sink": received,
        "avg_message_bytes": round(received_bytes / max(received, 1)),
        "schedule_s": round(schedule_s, 3),
        "send_s": round(send_s, 3),
        "messages_per_s": round(result["sent"] / send_s, 1),
        "baseline_smtplib_s": round(base_s, 3),
        "baseline_messages_per_s": round(COUNT / base_s, 1),
        "ratio_to_baseline": round(send_s / base_s, 2),
        "two_workers_s": round(two_s, 3),
        "two_workers_messages_per_s": round(two_sent / two_s, 1),
        "two_workers_sent_each": [int(o[0]) for o in outputs],
        "two_workers_received": two_received,
        "two_workers_distinct_recipients": two_distinct,
        "two_workers_duplicates": two_received - two_distinct,
    }
    out = ROOT / "bench" / "results" / "drill_send.jsonl"
    out.parent.mkdir(exist_ok=True)
    with out.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(record) + "\n")
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
