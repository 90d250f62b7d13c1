"""The assessment pages run a constant number of queries, whatever the number of controls or answers."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_results_page_queries_do_not_grow_with_the_number_of_controls(owner_client, complete_assessment):
    quick = complete_assessment(kind="quick")  # about 40 controls through 24 questions
    full = complete_assessment(
        kind="full", it_uses=["m365", "google", "website", "online_shop", "remote_work"]
    )
    small, large = (_count(owner_client, f"/o/org-a/assessment/{a.pk}/") for a in (quick, full))
    assert len(full.result["control_answers"]) > len(quick.result["control_answers"])
    assert small == large
    assert large <= 12


def test_answer_and_draft_pages_queries_do_not_grow_with_the_answers(owner_client, personas):
    url = owner_client.post("/o/org-a/assessment/new/", {"kind": "full"})["Location"]
    empty = _count(owner_client, url + "?section=PR")
    draft_empty = _count(owner_client, url.replace("answer/", ""))
    from ippo.assessments.tests.conftest import item_ids

    ids = item_ids(owner_client.get(url + "?section=PR").content.decode())
    owner_client.post(url + "?section=PR", {**{f"a-{i}": "yes" for i in ids}, "go": "PR"})
    assert _count(owner_client, url + "?section=PR") == empty <= 12
    assert _count(owner_client, url.replace("answer/", "")) == draft_empty <= 12


def test_overview_and_control_list_queries_do_not_grow_with_the_history(owner_client, complete_assessment):
    complete_assessment(kind="quick")
    one = _count(owner_client, "/o/org-a/assessment/")
    controls = _count(owner_client, "/o/org-a/catalog/")
    complete_assessment(kind="full")
    complete_assessment(kind="quick")
    assert _count(owner_client, "/o/org-a/assessment/") == one <= 12
    assert _count(owner_client, "/o/org-a/catalog/") == controls <= 12
