"""Plan pages run a constant number of queries: 5 items or 1,000."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scopes_disabled

from ippo.program.models import ActionItem

pytestmark = pytest.mark.django_db
URLS = ("/o/org-a/plan/", "/o/org-a/plan/mine/", "/o/org-a/plan/calendar/", "/o/org-a/plan/board/")


def _make_items(personas, n):
    today = timezone.localdate()
    with scopes_disabled():
        ActionItem.objects.bulk_create(
            ActionItem(
                organization=personas.org,
                title=f"Item {i}",
                owner=personas.owner if i % 2 else personas.users["manager"],
                due_date=today + timedelta(days=i % 40 - 10),
                priority=i % 17,
            )
            for i in range(n)
        )


def _counts(client):
    counts = {}
    for url in URLS:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts[url] = len(ctx.captured_queries)
    return counts


def test_plan_pages_do_not_grow_with_the_number_of_items(owner_client, personas):
    _make_items(personas, 5)
    small = _counts(owner_client)
    _make_items(personas, 995)
    large = _counts(owner_client)
    assert small == large
    assert max(large.values()) <= 14
