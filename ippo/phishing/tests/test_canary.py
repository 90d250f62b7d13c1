"""The canary: a password typed into a drill's practice sign-in form must end up nowhere.

It is sent the way the page sends it, and by hand-crafted requests that skip the page (urlencoded,
multipart, JSON, and in the query string). Afterwards every table of the test database, every log record
and the cache are searched for it. The view is also shown never to read the request body at all.
"""

from __future__ import annotations

import json
import logging
import re
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.client import FakePayload
from django.urls import reverse

from ippo.phishing.models import Recipient
from ippo.phishing.tests.tracking_fixtures import _english, build_drill  # noqa: F401

pytestmark = pytest.mark.django_db

SENTINEL = "Canary-Pa55w0rd-7f3a9c1e"


class _FormFields(HTMLParser):
    """What a browser would send for the practice form: the named, enabled inputs (with what was typed)."""

    def __init__(self):
        super().__init__()
        self.action = None
        self.fields: list[str] = []
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "data-drill-practice" in attrs:
            self._in_form, self.action = True, attrs.get("action")
        elif tag == "input" and self._in_form and attrs.get("name"):
            self.fields.append(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False


def _dump_every_table() -> str:
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 — our own table names
            parts.append(f"{table}: {cursor.fetchall()!r}")
    return "\n".join(parts)


def _cache_dump() -> str:
    store = getattr(cache, "_cache", {})
    return repr(list(store.keys())) + repr(list(store.values()))


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records: list[str] = []

    def emit(self, record):
        self.records.append(f"{record.getMessage()} {record.args!r} {getattr(record, 'request', '')!r}")


@pytest.fixture
def captured_logs():
    handler = _Capture()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    loggers = [logging.getLogger(n) for n in ("django", "django.request", "django.server", "django.db.backends")]
    old = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
    try:
        yield handler.records
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        for lg, level in zip(loggers, old, strict=True):
            lg.setLevel(level)


@pytest.fixture
def body_reads(monkeypatch):
    """Counts every read of a request body made through the test client's input stream."""
    reads = []
    original = FakePayload.read

    def read(self, *args, **kwargs):
        data = original(self, *args, **kwargs)
        if data:
            reads.append(data)
        return data

    monkeypatch.setattr(FakePayload, "read", read)
    return reads


def _assert_nowhere(logs):
    assert SENTINEL not in _dump_every_table()
    assert not [r for r in logs if SENTINEL in r]
    assert SENTINEL not in _cache_dump()


def test_the_sentinel_typed_into_the_page_goes_nowhere(client, personas, unscoped, captured_logs, body_reads):
    built = build_drill(personas.org, landing="form")
    token = built.tokens[0]
    page = client.get(reverse("drill:click", kwargs={"token": token})).content.decode()
    form = _FormFields()
    form.feed(page)
    assert form.action == reverse("drill:submit", kwargs={"token": token})
    # Typing into the fields changes nothing a browser sends: they have no name.
    assert form.fields == []
    data = {name: SENTINEL for name in form.fields}
    response = client.post(form.action, data)
    assert response.status_code == 302
    with unscoped():
        assert Recipient.objects.get(pk=built.recipients[0].pk).submitted_at is not None
    _assert_nowhere(captured_logs)


@pytest.mark.parametrize(
    "kind",
    ["urlencoded", "multipart", "json", "query", "text"],
)
def test_a_hand_crafted_post_with_the_sentinel_is_not_read_or_stored(client, personas, unscoped, captured_logs, body_reads, kind):
    built = build_drill(personas.org, landing="form")
    url = reverse("drill:submit", kwargs={"token": built.tokens[0]})
    fields = {"email": "someone@example.com", "password": SENTINEL, "csrfmiddlewaretoken": SENTINEL}
    if kind == "urlencoded":
        response = client.post(
            url, "email=someone%40example.com&password=" + SENTINEL, content_type="application/x-www-form-urlencoded"
        )
    elif kind == "multipart":
        response = client.post(url, fields)  # the test client encodes dicts as multipart/form-data
    elif kind == "json":
        response = client.post(url, json.dumps(fields), content_type="application/json")
    elif kind == "query":
        response = client.post(f"{url}?password={SENTINEL}", {})
    else:
        response = client.post(url, f"password={SENTINEL}\n" * 1000, content_type="text/plain")
    assert response.status_code == 302
    assert response["Location"] == reverse("drill:learn", kwargs={"token": built.tokens[0]})
    assert not response.cookies
    # The view did not read the body: no byte of it left the input stream.
    assert body_reads == []
    with unscoped():
        assert Recipient.objects.get(pk=built.recipients[0].pk).submitted_at is not None
    _assert_nowhere(captured_logs)
    # …and the page it leads to does not echo anything back.
    assert SENTINEL not in client.get(response["Location"]).content.decode()


def test_the_submit_view_never_touches_the_request_body_attributes(client, personas, monkeypatch):
    """Belt and braces: reading request.body, .POST or .FILES during the submit raises."""
    from django.core.handlers.wsgi import WSGIRequest

    def forbidden(self):
        raise AssertionError("the practice-form view must not read the request body")

    for name in ("body", "POST", "FILES"):
        monkeypatch.setattr(WSGIRequest, name, property(forbidden), raising=False)
    monkeypatch.setattr(WSGIRequest, "read", lambda self, *a: forbidden(self))
    built = build_drill(personas.org, landing="form")
    response = client.post(
        reverse("drill:submit", kwargs={"token": built.tokens[0]}),
        "password=" + SENTINEL,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 302


def test_the_sentinel_check_itself_finds_a_stored_value(personas, unscoped):
    """The dump is not blind: a value written to a table is found."""
    built = build_drill(personas.org)
    with unscoped():
        Recipient.objects.filter(pk=built.recipients[0].pk).update(send_error=SENTINEL)
    assert SENTINEL in _dump_every_table()
    assert re.search(r"phishing_recipient", _dump_every_table())
