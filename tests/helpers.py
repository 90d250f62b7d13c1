"""Helpers and fixtures shared by the apps' tests (import them into an app's conftest.py)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


def query_count(client, url: str) -> int:
    """How many database queries a GET of `url` runs (asserting the page answers 200)."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.fixture(autouse=True)
def _english(client):
    """Assertions read English messages; the tests that check Japanese switch explicitly."""
    client.cookies["ippo_language"] = "en"


@pytest.fixture
def owner_client(client, personas):
    client.force_login(personas.owner)
    return client
