"""Fixtures for the phishing tests. The sending side's live in send_fixtures.py (a loopback SMTP server,
employees, a sending profile); the tracking side's in tracking_fixtures.py (imported by its modules)."""

from __future__ import annotations

from ippo.phishing.tests.send_fixtures import (  # noqa: F401 — fixtures
    employees,
    profile,
    public_urls,
    smtp_sink,
)
from tests.helpers import _english, owner_client  # noqa: F401 — shared fixtures
