"""Results: report rate and time-to-report first, departments under five hidden, constant queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ippo.core.models import AuditEvent
from ippo.phishing import results
from ippo.phishing.models import Drill, Recipient
from ippo.phishing.tests.tracking_fixtures import _english, build_drill, query_count  # noqa: F401

pytestmark = pytest.mark.django_db


def _mark(unscoped, built, *, reported=(), clicked=(), scanner=(), submitted=(), minutes=30):
    with unscoped():
        for i in reported:
            r = built.recipients[i]
            Recipient.objects.filter(pk=r.pk).update(reported_at=r.sent_at + timedelta(minutes=minutes))
        for i in clicked:
            r = built.recipients[i]
            Recipient.objects.filter(pk=r.pk).update(
                clicked_at=r.sent_at + timedelta(minutes=5), verified_click_at=r.sent_at + timedelta(minutes=6)
            )
        for i in scanner:
            r = built.recipients[i]
            Recipient.objects.filter(pk=r.pk).update(clicked_at=r.sent_at + timedelta(seconds=3))
        for i in submitted:
            r = built.recipients[i]
            Recipient.objects.filter(pk=r.pk).update(submitted_at=r.sent_at + timedelta(minutes=7))


def _results(unscoped, drill):
    with unscoped():
        return results.drill_results(Drill.objects.get(pk=drill.pk))


def test_figures_of_one_drill(personas, unscoped):
    built = build_drill(personas.org, people=10, departments=("営業部", "総務部"), status="finished")
    _mark(unscoped, built, reported=(0, 1, 2, 3), clicked=(4, 5), scanner=(6,), submitted=(5,))
    data = _results(unscoped, built.drill)
    assert data["recipients"] == 10
    assert data["reported"] == 4 and data["report_rate"] == 40.0
    assert data["median_minutes_to_report"] == 30.0
    assert data["verified_clicks"] == 2 and data["click_rate"] == 20.0
    assert data["scanner_clicks"] == 1
    assert data["submitted"] == 1 and data["submit_rate"] == 10.0
    assert [d["name"] for d in data["departments"]] == ["営業部", "総務部"]
    assert all(d["recipients"] == 5 for d in data["departments"])


def test_departments_under_five_people_are_hidden(personas, unscoped):
    built = build_drill(personas.org, people=9, departments=("営業部", "総務部"))
    data = _results(unscoped, built.drill)
    assert [d["name"] for d in data["departments"]] == ["営業部"]  # 5 and 4 people
    assert data["hidden_departments"] == 1


def test_nothing_sent_means_no_rates(personas, unscoped):
    built = build_drill(personas.org, people=3)
    with unscoped():
        Recipient.objects.filter(drill=built.drill).update(sent_at=None)
    data = _results(unscoped, built.drill)
    assert data["recipients"] == 0 and data["report_rate"] is None and data["median_minutes_to_report"] is None
    assert data["not_sent"] == 3


def test_drill_summary_for_the_dashboard(personas, unscoped):
    with unscoped():
        empty = results.drill_summary(personas.org)
    assert empty == {
        "drills": 0, "last_drill": None, "recipients": None, "report_rate": None,
        "median_minutes_to_report": None, "click_rate": None, "submit_rate": None,
    }
    built = build_drill(personas.org, people=5, status="finished", name="Autumn")
    _mark(unscoped, built, reported=(0, 1), clicked=(2,))
    with unscoped():
        Drill.objects.filter(pk=built.drill.pk).update(finished_at=timezone.now())
        summary = results.drill_summary(personas.org)
    assert summary["drills"] == 1
    assert summary["last_drill"]["name"] == "Autumn"
    assert summary["recipients"] == 5 and summary["report_rate"] == 40.0 and summary["click_rate"] == 20.0


def test_the_results_page_puts_reporting_first(client, personas, unscoped):
    built = build_drill(personas.org, people=6, status="finished")
    _mark(unscoped, built, reported=(0, 1, 2), clicked=(3,))
    client.force_login(personas.manager)
    body = client.get(reverse("org:drill_results", args=[personas.org.slug, built.drill.pk])).content.decode()
    assert body.index("Reported the mail") < body.index("Clicked the link (confirmed)")
    assert "50.0%" in body


def test_the_overview_shows_trend_departments_and_repeat_clickers(client, personas, unscoped, make_user):
    from ippo.people.models import Employee

    first = build_drill(personas.org, people=5, status="finished", name="Spring")
    with unscoped():
        people = list(Employee.objects.filter(pk__in=[r.employee_id for r in first.recipients]).order_by("pk"))
    second = build_drill(personas.org, people=5, status="finished", name="Summer", employees=people)
    _mark(unscoped, first, clicked=(0,), reported=(1,))
    _mark(unscoped, second, clicked=(0,), reported=(1, 2))
    client.force_login(personas.manager)
    response = client.get(reverse("org:drills_results", args=[personas.org.slug]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in body
    assert "Spring" in body and "Summer" in body
    assert people[0].name in body  # clicked in both drills
    assert people[1].name not in body
    assert reverse("org:employee_drillfollowup", args=[personas.org.slug, people[0].pk]) in body


@pytest.mark.parametrize("name", ["org:drills_results", "org:drill_results"])
def test_results_pages_need_drills_manage(client, personas, name):
    built = build_drill(personas.org, people=1)
    args = [personas.org.slug] + ([built.drill.pk] if name == "org:drill_results" else [])
    client.force_login(personas.member)
    assert client.get(reverse(name, args=args)).status_code == 403


def test_results_render_in_japanese(client, personas, unscoped):
    built = build_drill(personas.org, people=5, status="finished")
    _mark(unscoped, built, reported=(0,))
    client.force_login(personas.manager)
    client.cookies["ippo_language"] = "ja"
    for url in (
        reverse("org:drills_results", args=[personas.org.slug]),
        reverse("org:drill_results", args=[personas.org.slug, built.drill.pk]),
    ):
        body = client.get(url).content.decode()
        assert "報告" in body


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_are_audited(client, personas, unscoped, fmt):
    built = build_drill(personas.org, people=5, status="finished", name="=HYPERLINK(1)")
    _mark(unscoped, built, reported=(0,))
    client.force_login(personas.manager)
    for url in (
        reverse("org:drills_results_export", args=[personas.org.slug]),
        reverse("org:drill_results_export", args=[personas.org.slug, built.drill.pk]),
    ):
        response = client.get(url + f"?format={fmt}")
        assert response.status_code == 200
        assert "attachment" in response["Content-Disposition"]
        if fmt == "csv":
            text = response.content.decode("utf-8-sig")
            assert "Report rate (%)" in text
            assert "'=HYPERLINK" in text or "HYPERLINK" not in text
    with unscoped():
        assert AuditEvent.objects.filter(organization=personas.org, action="drill.results_exported").count() == 2


def test_follow_up_training_is_assigned_and_audited(client, personas, unscoped, monkeypatch):
    calls = []

    def fake(*, org, employee, reason, actor):
        calls.append((org, employee, reason, actor))
        return object()

    import ippo.training.services as training_services

    monkeypatch.setattr(training_services, "assignment_followup", fake, raising=False)
    built = build_drill(personas.org, people=1, status="finished")
    employee = built.recipients[0].employee
    client.force_login(personas.manager)
    url = reverse("org:employee_drillfollowup", args=[personas.org.slug, employee.pk])
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    assert len(calls) == 1 and calls[0][1].pk == employee.pk and calls[0][3] == personas.manager
    with unscoped():
        assert AuditEvent.objects.filter(action="drill.followup_assigned").exists()


def test_follow_up_without_the_training_function_says_so(client, personas, monkeypatch):
    import ippo.training.services as training_services

    monkeypatch.delattr(training_services, "assignment_followup", raising=False)
    built = build_drill(personas.org, people=1)
    client.force_login(personas.manager)
    url = reverse("org:employee_drillfollowup", args=[personas.org.slug, built.recipients[0].employee.pk])
    response = client.post(url, follow=True)
    assert "not available" in response.content.decode()


def test_another_organisations_drill_is_not_found(client, personas):
    built = build_drill(personas.org, people=1)
    client.force_login(personas.outsider)
    for name in ("org:drill_results", "org:drill_results_export"):
        assert client.get(reverse(name, args=[personas.other_org.slug, built.drill.pk])).status_code == 404


def test_another_organisations_recipients_are_not_counted(personas, unscoped):
    mine = build_drill(personas.org, people=5, status="finished")
    theirs = build_drill(personas.other_org, people=7, status="finished")
    _mark(unscoped, theirs, reported=(0, 1, 2))
    from django_scopes import scope

    with scope(organization=personas.org):
        overview = results.results_overview(personas.org)
    assert [r["drill"].pk for r in overview["rows"]] == [mine.drill.pk]
    assert overview["summary"]["recipients"] == 5 and overview["summary"]["report_rate"] == 0.0


# --- Query counts ---------------------------------------------------------------------------------------------


def _pages(personas, drill):
    return [
        reverse("org:drills_results", args=[personas.org.slug]),
        reverse("org:drill_results", args=[personas.org.slug, drill.pk]),
        reverse("org:drill_results_export", args=[personas.org.slug, drill.pk]) + "?format=csv",
        reverse("org:drills_results_export", args=[personas.org.slug]) + "?format=csv",
    ]


def _bulk_mark(unscoped, drill):
    from django.db.models import F

    with unscoped():
        ids = list(Recipient.objects.filter(drill=drill).values_list("pk", flat=True))
        Recipient.objects.filter(pk__in=ids[::3]).update(reported_at=F("sent_at") + timedelta(minutes=12))
        Recipient.objects.filter(pk__in=ids[1::4]).update(
            clicked_at=F("sent_at") + timedelta(minutes=3), verified_click_at=F("sent_at") + timedelta(minutes=4)
        )
        Recipient.objects.filter(pk__in=ids[2::5]).update(clicked_at=F("sent_at"))


def test_results_pages_run_a_constant_number_of_queries(client, personas, unscoped):
    """10 recipients vs 1,000: the same number of queries on every results page."""
    small = build_drill(personas.org, people=10, departments=("営業部", "総務部"), status="finished", name="Small")
    _bulk_mark(unscoped, small.drill)
    client.force_login(personas.manager)
    before = [query_count(client, url) for url in _pages(personas, small.drill)]

    depts = tuple(f"部署{i}" for i in range(12))
    big = build_drill(personas.org, people=1000, departments=depts, status="finished", name="Big")
    _bulk_mark(unscoped, big.drill)
    after_small = [query_count(client, url) for url in _pages(personas, small.drill)]
    after_big = [query_count(client, url) for url in _pages(personas, big.drill)]
    assert before == after_small == after_big


def test_times_to_report_read_naturally():
    from django.utils import translation

    from ippo.phishing.templatetags.drill_results_tags import drill_minutes

    with translation.override("ja"):
        assert drill_minutes(12.4) == "12分"
    with translation.override("en"):
        assert drill_minutes(None) == "—"
        assert drill_minutes(0.4) == "under a minute"
        assert drill_minutes(12.4) == "12 min"
        assert drill_minutes(185) == "3 h 5 min"
        assert drill_minutes(60 * 24 * 3) == "3.0 days"


def test_departments_across_drills_count_only_cohorts_of_five_or_more(personas, unscoped):
    from django_scopes import scope

    big = build_drill(personas.org, people=10, departments=("営業部", "総務部"), status="finished", name="A")
    small = build_drill(personas.org, people=6, departments=("営業部", "総務部"), status="finished", name="B")
    _mark(unscoped, big, reported=(0, 2))  # both in 営業部 (even indexes)
    _mark(unscoped, small, reported=(0, 1, 2, 3, 4, 5))  # 3 + 3 people: too small to count
    with scope(organization=personas.org):
        overview = results.results_overview(personas.org)
    by_name = {d["name"]: d for d in overview["departments"]}
    assert set(by_name) == {"営業部", "総務部"}
    assert by_name["営業部"]["drills"] == 1 and by_name["営業部"]["recipients"] == 5
    assert by_name["営業部"]["report_rate"] == 40.0
    assert by_name["総務部"]["report_rate"] == 0.0
