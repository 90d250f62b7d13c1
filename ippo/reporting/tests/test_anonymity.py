"""Anonymity, proven end to end: after anonymous reports, follow-ups with the receipt code and a handler's
reply, no database row, no log line, no cookie and no stored file holds the reporter's address, browser,
session or account, and the receipt code exists only as an Argon2id hash."""

from __future__ import annotations

import io
import logging
import re

import pytest
from django.db import connection
from django_scopes import scopes_disabled
from PIL import Image

from ippo.reporting import services
from ippo.reporting.models import ReceiptCode, Report, ReportAttachment, ReportMessage
from ippo.reporting.tests.conftest import report_data

pytestmark = pytest.mark.django_db

CLIENT_IP = "203.0.113.77"
FORWARDED_IP = "198.51.100.23"
USER_AGENT = "CanaryPhone/9.8.7 (UA-7f3e9c-canary)"
REFERER = "https://intranet.example/people/tanaka-canary"
CANARIES = (CLIENT_IP, FORWARDED_IP, "UA-7f3e9c-canary", "CanaryPhone", "tanaka-canary")
HEADERS = {
    "REMOTE_ADDR": CLIENT_IP,
    "HTTP_USER_AGENT": USER_AGENT,
    "HTTP_X_FORWARDED_FOR": FORWARDED_IP,
    "HTTP_REFERER": REFERER,
}


class _Everything(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        text = f"{record.name} {record.levelname} {record.getMessage()} {record.__dict__!r}"
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        self.lines.append(text)


@pytest.fixture
def all_logs():
    """Capture every record at every logger, before any handler or filter can drop it."""
    handler = _Everything()
    loggers = [logging.getLogger()] + [
        logging.getLogger(name) for name in list(logging.root.manager.loggerDict)
    ]
    saved = [(lg, lg.level, lg.disabled) for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.DEBUG)
        lg.disabled = False
    yield handler
    for lg, level, disabled in saved:
        lg.removeHandler(handler)
        lg.setLevel(level)
        lg.disabled = disabled


def _jpeg_with_exif(text: str) -> bytes:
    image = Image.new("RGB", (40, 30), (200, 30, 30))
    exif = Image.Exif()
    exif[0x013B] = text  # Artist
    exif[0x010F] = text  # Make
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def _all_database_text() -> str:
    """Every value of every row of every table, as text (including tables Django does not model)."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 — table names from introspection
            for row in cursor.fetchall():
                chunks.append(f"{table}: " + " | ".join(str(v) for v in row))
    return "\n".join(chunks)


def _session_row(key: str):
    with connection.cursor() as cursor:
        cursor.execute("SELECT session_data, expire_date FROM django_session WHERE session_key = %s", [key])
        return cursor.fetchone()


def _responses_set_no_cookie(responses) -> None:
    for response in responses:
        assert not response.cookies, (response.request["PATH_INFO"], response.cookies)
        assert "Set-Cookie" not in response.headers
        assert "Cookie" not in response.headers.get("Vary", "")
        assert response.headers["Cache-Control"].startswith("no-store")
        assert response.headers["Referrer-Policy"] == "no-referrer"


def test_anonymous_reports_leave_no_trace_of_the_reporter(
    client, personas, report_token, all_logs, settings, tmp_path
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    # The reporter is a signed-in member using the same browser: the report link must not see the session.
    client.force_login(personas.member)
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.cookies["ippo_language"] = "en"
    session_before = _session_row(session_key)
    rows_before = set(_all_database_text().splitlines())
    responses = []

    page = client.get(f"/report/{report_token}/", **HEADERS)
    responses.append(page)
    assert page.status_code == 200
    form_token = re.search(rb'name="form_token" value="([^"]+)"', page.content).group(1).decode()
    assert "csrfmiddlewaretoken" not in page.content.decode()

    photo = io.BytesIO(_jpeg_with_exif("Tanaka UA-7f3e9c-canary GPS"))
    photo.name = "IMG_tanaka-canary.jpg"
    sent = client.post(
        f"/report/{report_token}/",
        {
            **report_data(),
            "form_token": form_token,
            "lang": "en",
            "passphrase": "blue heron",
            "screenshots": photo,
        },
        **HEADERS,
    )
    responses.append(sent)
    assert sent.status_code == 200
    body = sent.content.decode()
    assert "Thank you for reporting" in body
    code = re.search(r'id="receipt-code">([\d ]+)<', body).group(1).replace(" ", "")
    assert len(code) >= 16
    receipt = re.search(r'name="receipt" value="([^"]+)"', body).group(1)

    confirmed = client.post(
        f"/report/{report_token}/confirm/", {"receipt": receipt, "code": code, "lang": "en"}, **HEADERS
    )
    responses.append(confirmed)
    assert "That is right" in confirmed.content.decode()

    with scopes_disabled():
        report = Report.objects.get()
    services.report_reply(
        report=report, actor=personas.manager, body="Thank you for telling us. Which site was it?"
    )

    opened = client.post(
        f"/report/{report_token}/follow-up/",
        {"form_token": form_token, "code": code, "passphrase": "blue heron", "lang": "en"},
        **HEADERS,
    )
    responses.append(opened)
    text = opened.content.decode()
    assert "Which site was it?" in text
    access = re.search(r'name="access" value="([^"]+)"', text).group(1)
    added = client.post(
        f"/report/{report_token}/follow-up/reply/",
        {"access": access, "body": "It looked like our mail login page.", "lang": "en"},
        **HEADERS,
    )
    responses.append(added)
    assert "Your message has been added" in added.content.decode()
    # An unknown link and a wrong code: errors must not log the visitor either.
    responses.append(client.get("/report/not-a-real-token/", **HEADERS))
    responses.append(
        client.post(
            f"/report/{report_token}/follow-up/",
            {"form_token": form_token, "code": "1111 2222 3333 4444", "lang": "en"},
            **HEADERS,
        )
    )

    _responses_set_no_cookie(responses)

    with scopes_disabled():
        report.refresh_from_db()
        assert report.reporter_id is None and report.reporter_name == "" and report.identity == "anonymous"
        assert report.created_at.minute == 0 and report.created_at.second == 0  # rounded to the hour
        assert not ReportMessage.objects.filter(author_kind="reporter", author__isnull=False).exists()
        receipt_row = ReceiptCode.objects.get(report=report)
        assert receipt_row.code_hash.startswith("$argon2id$v=19$")
        assert receipt_row.confirmed and receipt_row.returned
        attachment = ReportAttachment.objects.get()
        stored = attachment.file.read()
        assert attachment.metadata_removed
    for canary in ("tanaka", "canary", "Tanaka"):
        assert canary.encode() not in stored
        assert canary not in attachment.file.name

    # The signed-in member's session was neither read into the report nor changed.
    assert _session_row(session_key) == session_before
    database = _all_database_text()
    for canary in (*CANARIES, code, code[:8] + " " + code[8:], "blue heron"):
        assert canary not in database, canary
    # Rows written or changed during the flow hold nothing of the member's account or session.
    changed = "\n".join(set(database.splitlines()) - rows_before)
    assert "reporting_report:" in changed
    for canary in (session_key, personas.member.email, str(personas.member.name)):
        assert canary not in changed, canary
    assert "blue heron" not in database
    # No audit event for anonymous submissions, and nothing about the member.
    from ippo.core.models import AuditEvent

    assert not AuditEvent.objects.filter(action="report.received").exists()

    logs = "\n".join(all_logs.lines)
    for canary in (*CANARIES, code, session_key):
        assert canary not in logs, canary
    assert f"/report/{report_token}" not in logs


def test_anonymous_route_strips_cookies_address_and_browser_before_any_middleware(rf):
    from ippo.reporting.middleware import AnonymousRoutesMiddleware

    seen = {}

    def downstream(request):
        seen.update(cookies=dict(request.COOKIES), ip=request.META["REMOTE_ADDR"], meta=dict(request.META))
        from django.http import HttpResponse

        response = HttpResponse("ok")
        response.set_cookie("sessionid", "new-session")
        return response

    request = rf.get("/report/abc/", HTTP_COOKIE="sessionid=abc; csrftoken=x", **HEADERS)
    response = AnonymousRoutesMiddleware(downstream)(request)
    assert seen["cookies"] == {} and seen["ip"] == "0.0.0.0"  # noqa: S104
    assert not any(c in str(seen["meta"]) for c in CANARIES)
    assert not response.cookies
    # Other paths are untouched.
    other = rf.get("/o/org-a/", **HEADERS)
    AnonymousRoutesMiddleware(downstream)(other)
    assert seen["ip"] == CLIENT_IP


def test_the_log_filter_withholds_anonymous_route_lines():
    from ippo.reporting.logfilter import AnonymousRouteFilter
    from ippo.reporting.routes import in_anonymous_route

    log_filter = AnonymousRouteFilter()
    record = logging.LogRecord(
        "django.server", logging.INFO, __file__, 1, '"%s" %s', ("GET /report/abc/ HTTP/1.1", 200), None
    )
    assert not log_filter.filter(record)
    other = logging.LogRecord("x", logging.INFO, __file__, 1, "GET /o/a/", (), None)
    assert log_filter.filter(other)
    token = in_anonymous_route.set(True)
    try:
        assert not log_filter.filter(other)
    finally:
        in_anonymous_route.reset(token)


def test_the_production_access_log_skips_anonymous_routes(capsys):
    from types import SimpleNamespace

    from gunicorn.config import Config

    from ippo.reporting.accesslog import AccessLogger

    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", '"%(m)s %(U)s" %(s)s')
    logger = AccessLogger(config)
    response = SimpleNamespace(status="200 OK", response_length=10, headers=[], sent=10)
    request = SimpleNamespace(headers=[], method="GET", uri="/", query="", version=(1, 1), path="/")

    def environ(path):
        return {
            "PATH_INFO": path,
            "REQUEST_METHOD": "GET",
            "QUERY_STRING": "",
            "REMOTE_ADDR": CLIENT_IP,
            "SERVER_PROTOCOL": "HTTP/1.1",
            "RAW_URI": path,
        }

    from datetime import timedelta

    logger.access(response, request, environ("/report/abc/follow-up/"), timedelta(seconds=0.01))
    logger.access(response, request, environ("/o/org-a/"), timedelta(seconds=0.01))
    for handler in logger.access_log.handlers:
        handler.flush()
    out = capsys.readouterr()
    text = out.out + out.err
    assert "/o/org-a/" in text
    assert "/report/" not in text
