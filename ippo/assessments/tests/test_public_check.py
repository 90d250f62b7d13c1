"""The quick check without an account, and saving its result into a new organisation."""

from __future__ import annotations

import pytest

from ippo.assessments.models import Assessment
from ippo.assessments.tests.conftest import item_ids
from ippo.core.models import Membership, Organization

pytestmark = pytest.mark.django_db


def _answer_all(client, value="yes"):
    client.post("/check/", {"p-industry": "it", "p-headcount": "1-5", "it-it_uses": ["google"]})
    ids = item_ids(client.get("/check/questions/").content.decode())
    return ids, client.post("/check/questions/", {**{f"a-{i}": value for i in ids}, "go": "results"})


def test_an_anonymous_visitor_gets_a_result_without_anything_stored(client, unscoped):
    ids, response = _answer_all(client)
    assert response["Location"] == "/check/result/"
    page = client.get("/check/result/").content.decode()
    assert "score-number" in page and ">100<" in page
    assert client.get("/check/controls/pr-mfa-email/").status_code == 200
    with unscoped():
        assert not Assessment.objects.exists()


def test_unanswered_questions_are_marked_and_the_answers_kept(client):
    client.post("/check/", {"p-industry": "it", "p-headcount": "1-5"})
    ids = item_ids(client.get("/check/questions/").content.decode())
    response = client.post("/check/questions/", {f"a-{ids[0]}": "no", "go": "results"})
    html = response.content.decode()
    assert response.status_code == 200 and "still unanswered" in html
    assert f'name="a-{ids[0]}" value="no" checked' in html
    assert client.get("/check/result/")["Location"] == "/check/questions/"


def test_the_profile_step_needs_the_basics(client):
    response = client.post("/check/", {"p-headcount": "1-5"})
    assert "Choose the closest industry" in response.content.decode()


def test_saving_the_result_creates_an_organisation_owned_by_the_user(client, make_user, unscoped):
    ids, _ = _answer_all(client, "partial")
    assert client.get("/check/save/")["Location"].startswith("/accounts/login/")
    user = make_user("new@example.com")
    client.force_login(user)
    response = client.post("/check/save/", {"name": "Kobayashi Kogyo"})
    with unscoped():
        org = Organization.objects.get(name="Kobayashi Kogyo")
        assessment = Assessment.objects.get(organization=org)
        assert Membership.objects.get(organization=org).user == user
        assert assessment.status == "completed" and assessment.source == "anonymous"
        assert assessment.it_uses == ["google"] and assessment.answers.count() == len(ids)
    assert response["Location"] == f"/o/{org.slug}/assessment/{assessment.pk}/"
    assert assessment.result["overall"] == 50
    assert "ippo_quick_check" not in client.session  # the answers left the session
