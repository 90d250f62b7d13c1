"""The assessment pages run a constant number of queries, whatever the number of controls or answers."""

from __future__ import annotations

import pytest

from tests.helpers import query_count

pytestmark = pytest.mark.django_db


def test_results_page_queries_do_not_grow_with_the_number_of_controls(owner_client, complete_assessment):
    quick = complete_assessment(kind="quick")  # about 40 controls through 24 questions
    full = complete_assessment(
        kind="full", it_uses=["m365", "google", "website", "online_shop", "remote_work"]
    )
    small, large = (query_count(owner_client, f"/o/org-a/assessment/{a.pk}/") for a in (quick, full))
    assert len(full.result["control_answers"]) > len(quick.result["control_answers"])
    assert small == large
    assert large <= 12


def test_answer_and_draft_pages_queries_do_not_grow_with_the_answers(owner_client, personas):
    url = owner_client.post("/o/org-a/assessment/new/", {"kind": "full"})["Location"]
    empty = query_count(owner_client, url + "?section=PR")
    draft_empty = query_count(owner_client, url.replace("answer/", ""))
    from ippo.assessments.tests.conftest import item_ids

    ids = item_ids(owner_client.get(url + "?section=PR").content.decode())
    owner_client.post(url + "?section=PR", {**{f"a-{i}": "yes" for i in ids}, "go": "PR"})
    assert query_count(owner_client, url + "?section=PR") == empty <= 12
    assert query_count(owner_client, url.replace("answer/", "")) == draft_empty <= 12


def test_overview_and_control_list_queries_do_not_grow_with_the_history(owner_client, complete_assessment):
    complete_assessment(kind="quick")
    one = query_count(owner_client, "/o/org-a/assessment/")
    controls = query_count(owner_client, "/o/org-a/catalog/")
    complete_assessment(kind="full")
    complete_assessment(kind="quick")
    assert query_count(owner_client, "/o/org-a/assessment/") == one <= 12
    assert query_count(owner_client, "/o/org-a/catalog/") == controls <= 12
