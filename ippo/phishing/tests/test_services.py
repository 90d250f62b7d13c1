"""The drill clock: recurring drills create their next drill once, due mail is sent by the task, drills
move on from "sending" to "running"; the home-page entry for managers."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from ippo.core.models import AuditEvent
from ippo.phishing import clock, services
from ippo.phishing.models import Drill, DrillEvent, DrillProgramme, Recipient
from ippo.phishing.schedule import JST
from ippo.phishing.tests.send_fixtures import make_employees

pytestmark = pytest.mark.django_db


def _programme(org, profile, *, next_run_on, departments=()):
    with scopes_disabled():
        programme = DrillProgramme.objects.create(
            organization=org,
            name="四半期の訓練",
            every_months=3,
            profile=profile,
            next_run_on=next_run_on,
            template_ids=["delivery-notice", "password-expiry", "shared-document"],
            random_template=True,
        )
        programme.departments.set(departments)
    return programme


def _tick(org, now):
    with scope(organization=org):
        return clock.run(org=org, today=timezone.localdate(now), now=now)


def test_a_recurring_drill_creates_its_next_drill_once(personas, employees, profile):
    programme = _programme(personas.org, profile, next_run_on=date(2027, 4, 29))  # 昭和の日
    now = datetime(2027, 4, 29, 8, 0, tzinfo=JST)
    assert _tick(personas.org, now)["drills_created"] == 1
    assert _tick(personas.org, now)["drills_created"] == 0  # the same day again: nothing more
    with scopes_disabled():
        drill = Drill.objects.get(programme=programme)
        programme.refresh_from_db()
        assert programme.next_run_on == date(2027, 7, 29)
        assert drill.status == "scheduled" and drill.random_template
        assert drill.window_start == datetime(2027, 4, 30, 10, 0, tzinfo=JST)  # the next business day
        recipients = list(Recipient.objects.filter(drill=drill))
        assert len(recipients) == len(employees)
        assert {r.template_id for r in recipients} <= set(programme.template_ids)
        assert AuditEvent.objects.filter(action="drillprogramme.drill_created").exists()


def test_a_stopped_or_departmental_programme(personas, employees, profile):
    with scopes_disabled():
        sales = employees[0].department
    programme = _programme(personas.org, profile, next_run_on=date(2027, 6, 1), departments=[sales])
    _tick(personas.org, datetime(2027, 6, 1, 9, 0, tzinfo=JST))
    with scopes_disabled():
        drill = Drill.objects.get(programme=programme)
        assert set(Recipient.objects.filter(drill=drill).values_list("department_name", flat=True)) == {
            "営業部"
        }
        DrillProgramme.objects.filter(pk=programme.pk).update(is_active=False)
    assert _tick(personas.org, datetime(2027, 9, 1, 9, 0, tzinfo=JST))["drills_created"] == 0


def test_the_clock_sends_due_mail_and_settles_the_drill(
    personas, employees, profile, smtp_sink, public_urls, django_capture_on_commit_callbacks
):
    now = timezone.now() - timedelta(seconds=30)  # scheduled half a minute ago, over five seconds
    with scope(organization=personas.org):
        drill = services.drill_draft_create(org=personas.org, actor=personas.owner, name="今すぐ")
        services.drill_audience_save(
            drill=drill, actor=personas.owner, name="今すぐ", mode="everyone", departments=[], employees=[]
        )
        services.drill_templates_save(
            drill=drill, actor=personas.owner, template_ids=["password-expiry"], random_template=False
        )
        services.drill_window_save(
            drill=drill,
            actor=personas.owner,
            profile=profile,
            window_start=now,
            window_end=now + timedelta(seconds=5),
            business_hours_only=False,
            now=now,
        )
        services.drill_schedule(drill=drill, actor=personas.owner, now=now)
    with django_capture_on_commit_callbacks(execute=True):
        result = _tick(personas.org, timezone.now())
    assert result["send_enqueued"] == 1
    assert len(smtp_sink.wait_for(len(employees))) == len(employees)
    with scopes_disabled():
        drill.refresh_from_db()
        assert drill.status == "running"
    assert _tick(personas.org, timezone.now())["send_enqueued"] == 0
    assert len(smtp_sink.messages) == len(employees)


def test_the_programme_tick_finds_the_drill_clock():
    from ippo.program.reminders import app_clocks

    assert ("phishing", clock.run) in app_clocks()


def test_home_tasks_for_drafts_and_running_drills(rf, personas, profile):
    from ippo.phishing.home import tasks

    with scopes_disabled():
        Drill.objects.create(organization=personas.org, name="下書き", profile=profile)
        Drill.objects.create(organization=personas.org, name="実施中", status="running", profile=profile)
    request = rf.get("/")
    request.org, request.user, request.role = personas.org, personas.manager, "manager"
    with scope(organization=personas.org):
        items = tasks(request)
    titles = " ".join(i["title"] for i in items)
    assert "下書き" in titles and "実施中" in titles
    request.role = "member"
    with scope(organization=personas.org):
        assert tasks(request) == []


def test_demo_makes_a_finished_drill_with_results_once(personas):
    from ippo.phishing import demo

    with scope(organization=personas.org):
        demo.load(org=personas.org, users={})
        assert not Drill.objects.exists()  # no demo employees yet: nothing
    make_employees(personas.org, {"営業部": 10, "総務部": 8, "製造部": 12})
    with scope(organization=personas.org):
        demo.load(org=personas.org, users={"owner": personas.owner})
        demo.load(org=personas.org, users={"owner": personas.owner})
        drill = Drill.objects.get()
        assert drill.status == "finished" and drill.recipients.count() == 25
        kinds = set(DrillEvent.objects.values_list("kind", flat=True))
        assert {"sent", "opened", "clicked", "click_confirmed", "reported"} <= kinds
        assert DrillEvent.objects.filter(likely_scanner=True).exists()
        assert drill.recipients.filter(reported_at__isnull=False).count() >= 5
        assert DrillProgramme.objects.get().is_active
        assert drill.recipients.filter(token_hash__isnull=False).count() == 0
