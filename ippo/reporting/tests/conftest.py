from __future__ import annotations

import json
import re
import socket
import threading
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.helpers import _english, owner_client  # noqa: F401 — shared fixtures


@pytest.fixture
def in_org(personas):
    """Run a block inside organisation A's scope: `with in_org(): ...`."""
    from django_scopes import scope

    return lambda: scope(organization=personas.org)


@pytest.fixture
def report_token(personas):
    from ippo.reporting.services import reportsettings_get

    return reportsettings_get(org=personas.org).token


@pytest.fixture
def public_post(client, report_token):
    """POST to the report link the way the page does: fetch the form first for its signed form token."""

    def post(path: str = "", data: dict | None = None, files: dict | None = None, **extra):
        url = f"/report/{report_token}/{path}"
        page = client.get(f"/report/{report_token}/", **extra)
        token = re.search(rb'name="form_token" value="([^"]+)"', page.content)
        payload = {"form_token": token.group(1).decode() if token else "", "lang": "en", **(data or {})}
        payload.update(files or {})
        return client.post(url, payload, **extra)

    return post


def report_data(**extra) -> dict:
    return {
        "kind": "clicked",
        "happened": "today",
        "description": "I typed my password into a fake sign-in page.",
        "severity_guess": "2",
        "identity": "anonymous",
        **extra,
    }


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


@pytest.fixture
def chat():
    """A local HTTP server standing in for a chat service's incoming webhook; posts land in `.posts`."""
    posts = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            posts.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.posts = posts
    server.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    yield server
    server.shutdown()
    server.server_close()
