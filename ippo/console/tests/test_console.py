from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scopes_disabled

from ippo.assessments.models import Assessment, CompanyProfile
from ippo.console.models import BenchmarkParticipation
from ippo.console.selectors import benchmark_for
from ippo.core.models import AuditEvent, Delivery, Membership, Organization
from ippo.program.models import ActionItem

pytestmark = pytest.mark.django_db


def _client_org(advisor, name, *, role="advisor", score=None, previous=None, overdue=0):
    with scopes_disabled():
        org = Organization.objects.create(name=name, slug=name.lower().replace(" ", "-"))
        Membership.objects.create(organization=org, user=advisor, role=role)
        now = timezone.now()
        for offset, value in ((200, previous), (10, score)):
            if value is not None:
                Assessment.objects.create(
                    organization=org,
                    kind="quick",
                    status="completed",
                    catalog_version="2026.11",
                    completed_at=now - timedelta(days=offset),
                    result={"overall": value, "tier": 2, "by_function": {}},
                )
        for _ in range(overdue):
            ActionItem.objects.create(
                organization=org,
                title="t",
                source="manual",
                due_date=timezone.localdate() - timedelta(days=5),
            )
    return org


def test_the_console_lists_every_client_with_score_trend_and_overdue_work(client, make_user):
    advisor = make_user("advisor@vendor.example", mfa=True)
    _client_org(advisor, "Alpha", score=72.5, previous=60.0, overdue=2)
    _client_org(advisor, "Beta", score=35.0)
    _client_org(advisor, "Gamma")
    client.force_login(advisor)
    response = client.get("/console/")
    rows = {r.org.name: r for r in response.context["rows"]}
    assert set(rows) == {"Alpha", "Beta", "Gamma"}
    assert rows["Alpha"].score == 72.5 and rows["Alpha"].delta == 12.5 and rows["Alpha"].overdue_items == 2
    assert rows["Gamma"].score is None
    assert "/o/alpha/" in response.content.decode()


def test_organisations_where_the_user_is_only_an_employee_are_not_listed(client, make_user):
    user = make_user("person@vendor.example", mfa=True)
    _client_org(user, "Mine", role="advisor")
    _client_org(user, "Employer", role="member", score=50)
    client.force_login(user)
    names = [r.org.name for r in client.get("/console/").context["rows"]]
    assert names == ["Mine"]


def test_sorting_and_filtering(client, make_user):
    advisor = make_user("advisor@vendor.example", mfa=True)
    _client_org(advisor, "Alpha", score=72.5, overdue=1)
    _client_org(advisor, "Beta", score=35.0)
    _client_org(advisor, "Gamma", score=90.0)
    client.force_login(advisor)
    names = lambda r: [row.org.name for row in r.context["rows"]]  # noqa: E731
    assert names(client.get("/console/?sort=score")) == ["Beta", "Alpha", "Gamma"]
    assert names(client.get("/console/?sort=-score")) == ["Gamma", "Alpha", "Beta"]
    assert names(client.get("/console/?q=gam")) == ["Gamma"]
    # Needs attention: overdue work (Alpha) or a score under 40 (Beta).
    assert names(client.get("/console/?attention=1")) == ["Alpha", "Beta"]
    assert names(client.get("/console/?sort=nonsense")) == ["Alpha", "Beta", "Gamma"]


def test_the_console_runs_the_same_number_of_queries_for_3_or_60_organisations(client, make_user):
    advisor = make_user("advisor@vendor.example", mfa=True)
    for i in range(3):
        _client_org(advisor, f"Org {i}", score=50.0 + i, previous=40.0, overdue=1)
    client.force_login(advisor)
    client.get("/console/")
    with CaptureQueriesContext(connection) as few:
        client.get("/console/")
    for i in range(3, 60):
        _client_org(advisor, f"Org {i}", score=50.0, previous=40.0, overdue=2)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/console/")
    assert len(response.context["page"].paginator.object_list) == 60
    assert len(many.captured_queries) == len(few.captured_queries)


def test_bulk_start_runs_only_where_the_role_allows_it(client, make_user):
    advisor = make_user("advisor@vendor.example", mfa=True)
    allowed = _client_org(advisor, "Alpha")
    read_only = _client_org(advisor, "Beta", role="viewer")
    client.force_login(advisor)
    response = client.post(
        "/console/", {"action": "start_quick", "orgs": ["alpha", "beta", "not-mine"]}, follow=True
    )
    text = response.content.decode()
    assert "Alpha" in text and "Skipped" in text
    with scopes_disabled():
        assert Assessment.objects.filter(organization=allowed, status="draft").count() == 1
        assert not Assessment.objects.filter(organization=read_only).exists()
        assert AuditEvent.objects.filter(action="console.bulk_action", organization=allowed).exists()


def test_bulk_reminder_notifies_owners_and_managers(client, make_user):
    advisor = make_user("advisor@vendor.example", mfa=True)
    org = _client_org(advisor, "Alpha", overdue=3)
    owner = make_user("boss@alpha.example")
    with scopes_disabled():
        Membership.objects.create(organization=org, user=owner, role="owner")
    client.force_login(advisor)
    client.post("/console/", {"action": "remind", "orgs": ["alpha"]})
    with scopes_disabled():
        delivery = Delivery.objects.get(organization=org, event="console.reminder")
    assert delivery.to_address == "boss@alpha.example" and "3" in delivery.body


def test_bulk_action_needs_a_choice_and_post(client, make_user):
    advisor = make_user("advisor@vendor.example", mfa=True)
    _client_org(advisor, "Alpha")
    client.force_login(advisor)
    response = client.post("/console/", {"action": "", "orgs": ["alpha"]}, follow=True)
    assert "Choose what to do." in response.content.decode()
    response = client.post("/console/", {"action": "start_quick"}, follow=True)
    assert "Choose at least one organisation." in response.content.decode()


def test_the_console_needs_a_login(client):
    assert client.get("/console/").status_code == 302


def _peer(i, industry="manufacturing", headcount="21-50", score=50.0, join=True):
    with scopes_disabled():
        org = Organization.objects.create(name=f"Peer {i}", slug=f"peer-{i}")
        CompanyProfile.objects.create(organization=org, industry=industry, headcount=headcount)
        Assessment.objects.create(
            organization=org,
            kind="quick",
            status="completed",
            catalog_version="2026.11",
            completed_at=timezone.now(),
            result={"overall": score, "tier": 2, "by_function": {}},
        )
        if join:
            BenchmarkParticipation.objects.create(organization=org)
    return org


def test_the_benchmark_needs_five_opted_in_peers_of_the_same_group():
    me = _peer(0, score=61.0, join=False)
    for i in range(1, 5):
        _peer(i, score=40.0 + i * 10)
    _peer(90, industry="it", score=99.0)  # another industry
    _peer(91, score=1.0, join=False)  # not taking part
    assert benchmark_for(me) is None
    _peer(5, score=90.0)
    result = benchmark_for(me)
    assert result.count == 5 and result.own == 61.0
    assert result.median == 70.0 and result.lower_quartile == 60.0 and result.upper_quartile == 80.0


def test_joining_and_leaving_the_benchmark_is_for_the_owner(client, personas):
    page = f"/o/{personas.org.slug}/benchmark/"
    url = f"/o/{personas.org.slug}/benchmark/join/"
    client.force_login(personas.manager)
    assert client.get(page).status_code == 200
    assert client.post(url, {"join": "1"}).status_code == 403
    assert client.get(url).status_code == 405
    client.force_login(personas.owner)
    client.post(url, {"join": "1"})
    with scopes_disabled():
        assert BenchmarkParticipation.objects.filter(organization=personas.org).exists()
        assert AuditEvent.objects.filter(action="benchmark.joined").exists()
    client.post(url, {"join": "0"})
    with scopes_disabled():
        assert not BenchmarkParticipation.objects.filter(organization=personas.org).exists()


def test_bulk_training_assignment_and_drill_draft(client, make_user):
    from ippo.people.models import Employee
    from ippo.phishing.models import Drill
    from ippo.training.models import Assignment

    advisor = make_user("advisor@vendor.example", mfa=True)
    org = _client_org(advisor, "Alpha")
    with scopes_disabled():
        Employee.objects.create(organization=org, name="伊藤 さくら", email="sakura@alpha.example")
    client.force_login(advisor)
    page = client.get("/console/").content.decode()
    assert 'value="assign_training"' in page and 'value="phishing-bec"' in page
    client.post("/console/", {"action": "assign_training", "orgs": ["alpha"], "module_id": "phishing-bec"})
    client.post("/console/", {"action": "drill_draft", "orgs": ["alpha"], "template_id": "delivery-notice"})
    response = client.post("/console/", {"action": "assign_training", "orgs": ["alpha"], "module_id": "nope"}, follow=True)
    assert "Not done" in response.content.decode()
    with scopes_disabled():
        assert Assignment.objects.filter(organization=org, module_id="phishing-bec").count() == 1
        drill = Drill.objects.get(organization=org)
        assert drill.status == "draft" and drill.template_ids == ["delivery-notice"]


def test_console_shows_training_drill_and_incident_figures(client, make_user):
    from ippo.incidents.models import Incident

    advisor = make_user("advisor@vendor.example", mfa=True)
    org = _client_org(advisor, "Alpha")
    with scopes_disabled():
        Incident.objects.create(organization=org, number=1, title="不審なメール", kind="phishing-click", severity=3)
    client.force_login(advisor)
    row = client.get("/console/").context["rows"][0]
    assert row.open_incidents == 1 and row.training_rate is None and row.drill_report_rate is None
