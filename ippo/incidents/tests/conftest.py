from __future__ import annotations

import socket
from email import message_from_bytes

import pytest

from tests.helpers import _english, owner_client  # noqa: F401 — shared fixtures


@pytest.fixture
def in_org(personas):
    """Run a block inside organisation A's scope: `with in_org(): ...`."""
    from django_scopes import scope

    return lambda: scope(organization=personas.org)


@pytest.fixture
def manager_client(client, personas):
    client.force_login(personas.manager)
    return client


@pytest.fixture
def smtp(settings):
    """A real SMTP server on 127.0.0.1 (aiosmtpd); messages land in the returned list."""
    from aiosmtpd.controller import Controller

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
            return "250 OK"

    with socket.socket() as probe:
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
