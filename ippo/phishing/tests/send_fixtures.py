"""Fixtures for the sending, profile, wizard and schedule tests: a real SMTP server on loopback (aiosmtpd),
employees in departments, a sending profile pointing at the server. Import them into a test module."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy

import pytest
from django.urls import NoReverseMatch, reverse
from django_scopes import scopes_disabled

from tests.helpers import _english, owner_client, query_count  # noqa: F401 — shared fixtures


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    at: float

    @property
    def message(self):
        return message_from_bytes(self.data, policy=policy.default)


@dataclass
class Sink:
    host: str
    port: int
    messages: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    refuse: set[str] = field(default_factory=set)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.01)
        return list(self.messages)


class _Handler:
    def __init__(self, sink: Sink):
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.sink.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.sink.lock:
            self.sink.messages.append(
                Received(
                    envelope.mail_from,
                    list(envelope.rcpt_tos),
                    envelope.original_content or envelope.content,
                    time.monotonic(),
                )
            )
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_sink():
    """A real SMTP server on 127.0.0.1 that keeps every message it receives."""
    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    port = _free_port()
    sink = Sink("127.0.0.1", port)
    controller = Controller(_Handler(sink), hostname="127.0.0.1", port=port, decode_data=False)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture
def public_urls(monkeypatch):
    """The public drill URLs come from the tracking module; if it is not mounted yet, stand-in paths (tests only)."""
    from ippo.phishing import sending

    try:
        reverse("drill:click", kwargs={"token": "x" * 22})
    except (NoReverseMatch, ImportError):  # not mounted yet, or another app's URLs are half-built
        monkeypatch.setattr(
            sending, "public_url", lambda name, token: f"{sending.base_url()}/drill/{name}/{token}/"
        )


def make_employees(org, spec: dict[str, int], *, prefix: str = "p") -> list:
    """Employees with mailboxes in departments: make_employees(org, {"営業部": 3, "総務部": 2})."""
    from ippo.people.models import Department, Employee

    family = ["山田", "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "中村"]
    given = ["太郎", "花子", "一郎", "美咲", "健", "由美", "大輔", "さくら"]
    people = []
    with scopes_disabled():
        n = 0
        for dept_name, count in spec.items():
            dept, _ = Department.objects.get_or_create(organization=org, name=dept_name)
            for _i in range(count):
                n += 1
                people.append(
                    Employee.objects.create(
                        organization=org,
                        name=f"{family[n % 8]} {given[(n * 3) % 8]}",
                        email=f"{prefix}{n}@staff.example",
                        department=dept,
                    )
                )
    return people


@pytest.fixture
def employees(personas):
    return make_employees(personas.org, {"営業部": 3, "総務部": 2, "製造部": 1})


@pytest.fixture
def profile(personas, smtp_sink):
    from ippo.phishing.models import SendingProfile

    with scopes_disabled():
        return SendingProfile.objects.create(
            organization=personas.org,
            name="訓練用サーバー",
            host=smtp_sink.host,
            port=smtp_sink.port,
            security="none",
            from_address="info@drill-mail.example",
            messages_per_minute=6000,
        )
