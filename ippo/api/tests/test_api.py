from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from ippo.api.models import ApiToken
from ippo.core.models import AuditEvent
from ippo.program.models import ActionItem

pytestmark = pytest.mark.django_db


def _item(org, **fields):
    with scopes_disabled():
        return ActionItem.objects.create(
            organization=org, title="API test", source="manual", priority=1, **fields
        )


def test_without_a_token_the_api_answers_401(api, personas):
    assert api("get", "/api/v1/orgs").status_code == 401
    assert api("get", "/api/v1/orgs", token="ippo_not-a-real-token").status_code == 401


def test_a_personal_token_lists_the_users_organisations(api, personas, token_for):
    response = api("get", "/api/v1/orgs", token=token_for(user=personas.owner))
    assert response.status_code == 200
    assert [o["slug"] for o in response.json()] == ["org-a"]
    assert response.json()[0]["role"] == "owner"


def test_an_organisation_token_sees_only_its_organisation(api, personas, token_for):
    token = token_for(org=personas.org)
    assert [o["slug"] for o in api("get", "/api/v1/orgs", token=token).json()] == ["org-a"]
    assert api("get", "/api/v1/orgs/org-a", token=token).status_code == 200
    assert api("get", "/api/v1/orgs/org-b", token=token).status_code == 404


def test_the_organisation_detail_gives_score_and_open_work(api, personas, token_for):
    _item(personas.org, due_date=timezone.localdate() - timedelta(days=3))
    _item(personas.org)
    body = api("get", "/api/v1/orgs/org-a", token=token_for(user=personas.manager)).json()
    assert body["open_action_items"] == 2 and body["overdue_action_items"] == 1
    assert set(body["score"]) >= {"overall", "tier", "by_function"}


def test_expired_and_revoked_tokens_are_refused(api, personas, token_for):
    token = token_for(user=personas.owner)
    with scopes_disabled():
        ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api("get", "/api/v1/orgs", token=token).status_code == 401
    token = token_for(user=personas.owner)
    with scopes_disabled():
        ApiToken.objects.filter(revoked_at__isnull=True, expires_at__gt=timezone.now()).update(
            revoked_at=timezone.now()
        )
    assert api("get", "/api/v1/orgs", token=token).status_code == 401


def test_tokens_are_stored_only_as_a_hash(personas, token_for):
    text = token_for(user=personas.owner)
    with scopes_disabled():
        token = ApiToken.objects.get()
    assert text not in (token.token_hash, token.prefix) and len(token.token_hash) == 64
    assert text.startswith(token.prefix)


def test_a_read_token_cannot_write(api, personas, token_for):
    response = api(
        "post", "/api/v1/orgs/org-a/action-items", token=token_for(user=personas.owner), json={"title": "x"}
    )
    assert response.status_code == 403


def test_a_viewer_cannot_write_even_with_a_write_token(api, personas, token_for):
    token = token_for(user=personas.viewer, scope="write")
    assert api("post", "/api/v1/orgs/org-a/action-items", token=token, json={"title": "x"}).status_code == 403


def test_action_items_are_created_and_updated_through_the_same_services(api, personas, token_for):
    token = token_for(user=personas.manager, scope="write")
    response = api(
        "post",
        "/api/v1/orgs/org-a/action-items",
        token=token,
        json={"title": "USB メモリの持ち出しルール", "owner": "member@a.example", "due_date": "2027-01-31"},
    )
    assert response.status_code == 201, response.content
    item_id = response.json()["id"]
    assert response.json()["owner"] == "member@a.example"
    response = api(
        "patch", f"/api/v1/orgs/org-a/action-items/{item_id}", token=token, json={"status": "in_progress"}
    )
    assert response.status_code == 200 and response.json()["status"] == "in_progress"
    with scopes_disabled():
        actions = list(AuditEvent.objects.filter(organization=personas.org).values_list("action", flat=True))
    assert "actionitem.created" in actions and "actionitem.updated" in actions


def test_bad_input_gets_a_clear_422(api, personas, token_for):
    token = token_for(user=personas.manager, scope="write")
    url = "/api/v1/orgs/org-a/action-items"
    assert api("post", url, token=token, json={"title": " "}).status_code == 422
    response = api("post", url, token=token, json={"title": "x", "owner": "stranger@b.example"})
    assert response.status_code == 422 and "not a member" in response.json()["detail"]
    response = api("post", url, token=token, json={"title": "x", "control_id": "no-such-control"})
    assert response.status_code == 422
    item = _item(personas.org)
    response = api("patch", f"{url}/{item.pk}", token=token, json={"status": "done"})
    assert response.status_code == 422
    response = api("patch", f"{url}/{item.pk}", token=token, json={"status": "bogus"})
    assert response.status_code == 422


def test_lists_are_paginated_and_filtered(api, personas, token_for):
    for i in range(7):
        _item(personas.org, status="todo" if i % 2 else "in_progress")
    token = token_for(user=personas.owner)
    body = api("get", "/api/v1/orgs/org-a/action-items?limit=3&offset=0", token=token).json()
    assert body["count"] == 7 and len(body["items"]) == 3
    body = api("get", "/api/v1/orgs/org-a/action-items?status=todo", token=token).json()
    assert body["count"] == 3 and {i["status"] for i in body["items"]} == {"todo"}
    body = api("get", "/api/v1/orgs/org-a/action-items?limit=1000", token=token).json()
    assert len(body["items"]) == 7


def test_controls_carry_status_and_framework_mappings(api, personas, token_for):
    body = api("get", "/api/v1/orgs/org-a/controls?lang=en", token=token_for(user=personas.owner)).json()
    assert len(body) >= 60
    first = body[0]
    assert first["status"] == "unknown" and first["mappings"] and first["title"]


def test_members_without_programme_access_get_403(api, personas, token_for):
    assert api("get", "/api/v1/orgs/org-a/controls", token=token_for(user=personas.member)).status_code == 403


def test_first_use_of_the_day_is_audited_once(api, personas, token_for):
    token = token_for(user=personas.owner)
    api("get", "/api/v1/orgs", token=token)
    api("get", "/api/v1/orgs", token=token)
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="apitoken.used").count() == 1


def test_the_schema_and_docs_are_served_without_a_cdn(client):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/orgs/{org_slug}/action-items" in schema.json()["paths"]
    docs = client.get("/api/v1/docs").content.decode()
    assert "cdn" not in docs.lower() and "/static/ninja/" in docs


def test_every_module_is_readable_on_the_demo_company(api, token_for):
    """End to end on the demo company: each module's endpoint answers with its real figures."""
    from django.core.management import call_command

    from ippo.accounts.models import User

    call_command("demo")
    token = token_for(user=User.objects.get(email="manager@example.com"))
    base = "/api/v1/orgs/demo"
    summary = api("get", f"{base}/summary", token=token).json()
    assert summary["score"] is not None and summary["training"]["assigned"] > 0
    assert summary["drills"]["report_rate"] is not None and summary["incidents"]["open"] >= 1
    assert api("get", f"{base}/training", token=token).json()["by_department"]
    drills = api("get", f"{base}/drills", token=token).json()
    assert any(d["status"] == "finished" and d["report_rate"] is not None for d in drills["items"])
    incidents = api("get", f"{base}/incidents?open=true", token=token).json()
    assert incidents["count"] >= 1 and all(i["status"] != "closed" for i in incidents["items"])
    reports = api("get", f"{base}/reports", token=token).json()
    assert reports["count"] >= 1 and all(r["kind"] != "misconduct" for r in reports["items"])
    assert "description" not in reports["items"][0]
    devices = api("get", f"{base}/devices", token=token).json()
    assert devices["count"] >= 3 and devices["items"][0]["results"]
    domains = api("get", f"{base}/domains", token=token).json()
    assert domains and domains[0]["results"]


def test_people_and_incident_endpoints_need_their_permissions(api, personas, token_for):
    token = token_for(user=personas.viewer)
    for path in ("training", "drills", "incidents", "reports"):
        assert api("get", f"/api/v1/orgs/org-a/{path}", token=token).status_code == 403, path
    for path in ("summary", "devices", "domains"):
        assert api("get", f"/api/v1/orgs/org-a/{path}", token=token).status_code == 200, path
