"""The whole path: plan an exercise, run it step by step in facilitator mode, autosave notes, finish, hot wash,
and turn the after-action report's actions into action items (audited)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ippo.core.models import AuditEvent, Delivery
from ippo.program.models import ActionItem, Evidence
from ippo.tabletop import selectors, services
from ippo.tabletop.models import Exercise, ExerciseAction, InjectNote, Participant

pytestmark = pytest.mark.django_db


def _plan(client, personas, **extra):
    data = {
        "scenario_id": "ransomware-file-server",
        "scheduled_on": (timezone.localdate() + timedelta(days=10)).isoformat(),
        "start_time": "14:00",
        "duration_minutes": "90",
        "location": "Meeting room 2",
        "facilitator": str(personas.advisor.pk),
        "facilitator_name": "",
        "players_owner": [str(personas.owner.pk)],
        "players_it": [str(personas.manager.pk)],
        "players_staff": [str(personas.member.pk)],
        "others_vendor": "Kimura (IT support Co.)\n\n",
        "others_general_affairs": "Nakamura",
        **extra,
    }
    return client.post("/o/org-a/tabletop/new/", data)


def test_planning_an_exercise_records_players_by_role_and_audits(client, personas, unscoped):
    client.force_login(personas.manager)
    response = _plan(client, personas)
    assert response.status_code == 302
    with unscoped():
        ex = Exercise.objects.get()
        assert response["Location"] == f"/o/org-a/tabletop/{ex.pk}/"
        assert (ex.scenario_id, ex.duration_minutes, ex.facilitator, ex.status) == (
            "ransomware-file-server",
            90,
            personas.advisor,
            "planned",
        )
        players = {(p.role, p.user_id, p.name) for p in Participant.objects.filter(exercise=ex)}
        assert players == {
            ("owner", personas.owner.pk, ""),
            ("it", personas.manager.pk, ""),
            ("staff", personas.member.pk, ""),
            ("vendor", None, "Kimura (IT support Co.)"),
            ("general_affairs", None, "Nakamura"),
        }
        event = AuditEvent.objects.get(action="tabletop.exercise_planned")
        assert (
            event.organization == personas.org
            and event.actor == personas.manager
            and event.data["participants"] == 5
        )
        # The members who play or facilitate are invited by e-mail with a link to the briefing (not outsiders).
        invited = Delivery.objects.filter(event="tabletop.invited", channel="email")
        assert {d.recipient for d in invited} == {
            personas.owner,
            personas.manager,
            personas.member,
            personas.advisor,
        }
        assert all(d.url.endswith(f"/o/org-a/tabletop/{ex.pk}/briefing/") for d in invited)
        assert all("nobody is graded" in d.body or "採点" in d.body for d in invited)


def test_planning_refuses_people_from_another_organisation(client, personas, unscoped):
    client.force_login(personas.manager)
    response = _plan(client, personas, players_it=[str(personas.outsider.pk)])
    assert response.status_code == 200
    with unscoped():
        assert not Exercise.objects.exists()


def test_editing_the_plan_replaces_the_players(client, personas, unscoped):
    client.force_login(personas.manager)
    _plan(client, personas)
    with unscoped():
        ex = Exercise.objects.get()
    response = client.post(
        f"/o/org-a/tabletop/{ex.pk}/edit/",
        {
            "scheduled_on": ex.scheduled_on.isoformat(),
            "duration_minutes": "60",
            "players_owner": [str(personas.owner.pk)],
            "facilitator_name": "Outside facilitator",
        },
    )
    assert response.status_code == 302
    with unscoped():
        ex.refresh_from_db()
        assert (
            ex.duration_minutes == 60
            and ex.facilitator is None
            and ex.facilitator_name == "Outside facilitator"
        )
        assert ex.scenario_id == "ransomware-file-server"  # the scenario cannot change
        assert list(Participant.objects.filter(exercise=ex).values_list("role", flat=True)) == ["owner"]
        assert AuditEvent.objects.filter(action="tabletop.exercise_updated").exists()


@pytest.fixture
def planned(client, personas, unscoped):
    client.force_login(personas.manager)
    _plan(client, personas)
    with unscoped():
        return Exercise.objects.get()


def test_the_facilitator_plays_the_injects_step_by_step(client, planned, unscoped):
    base = f"/o/org-a/tabletop/{planned.pk}"
    html = client.get(f"{base}/run/").content.decode()
    assert "The clock starts when you press" in html and 'rel="next"' in html and 'rel="prev"' not in html
    assert "js/tabletop-facilitator.js" in html  # keyboard navigation, optional
    response = client.post(f"{base}/start/", {"step": "0"})
    assert response.status_code == 302 and response["Location"] == f"{base}/run/?step=0"
    with unscoped():
        planned.refresh_from_db()
        assert planned.status == "running" and planned.started_at is not None
        first_start = planned.started_at
        assert AuditEvent.objects.filter(action="tabletop.exercise_started").count() == 1
    client.post(f"{base}/start/")  # a second press keeps the first start time
    with unscoped():
        planned.refresh_from_db()
        assert planned.started_at == first_start
        assert AuditEvent.objects.filter(action="tabletop.exercise_started").count() == 1
    html = client.get(f"{base}/run/?step=2").content.decode()
    assert "The ransom demand" in html and "Inject 2 · minute 15" in html
    assert f'href="/o/org-a/tabletop/{planned.pk}/run/?step=1"' in html and f"{base}/run/?step=3" in html
    assert "data-elapsed-seconds" in html and 'data-running="1"' in html
    assert "Owner (executive)" in html and "Points the facilitator can listen for" in html
    assert "Handout" in html
    # Out-of-range steps are clamped, not errors.
    assert "Hot wash" in client.get(f"{base}/run/?step=99").content.decode()
    assert "Briefing" in client.get(f"{base}/run/?step=x").content.decode()
    response = client.post(f"{base}/finish/")
    assert response.status_code == 302 and response["Location"] == f"{base}/hotwash/"
    with unscoped():
        planned.refresh_from_db()
        assert planned.status == "finished" and planned.ended_at >= planned.started_at
        assert AuditEvent.objects.filter(action="tabletop.exercise_finished").count() == 1
        # The finished exercise is evidence for the catalog's "tabletop exercise once a year" control.
        evidence = Evidence.objects.get(organization=planned.organization, control_id="rs-tabletop")
        assert evidence.performed_on == timezone.localdate() and "The ransom" not in evidence.note
    client.post(f"{base}/finish/")  # finishing twice records nothing more
    with unscoped():
        assert Evidence.objects.filter(control_id="rs-tabletop").count() == 1


def test_the_clock_shows_when_the_group_falls_behind(planned, unscoped):
    with unscoped():
        scenario = planned.scenario
        steps = selectors.steps_for(planned, scenario)
        assert [s.minute for s in steps] == [0, 0, 15, 30, 45, 60, 75]
        planned.started_at = timezone.now() - timedelta(minutes=20)
        t = selectors.timing_for(planned, steps, 2)  # the 15-minute inject; the next is planned at 30
        assert (t.elapsed, t.planned, t.next_minute, t.behind) == (20, 15, 30, 0)
        t = selectors.timing_for(planned, steps, 1)  # still on the first inject, the next was due at 15
        assert t.behind == 5
        planned.duration_minutes = 60  # a shorter exercise stretches the schedule to fit
        assert [s.minute for s in selectors.steps_for(planned, scenario)] == [0, 0, 10, 20, 30, 40, 45]


def test_notes_autosave_with_htmx(client, planned, unscoped):
    url = f"/o/org-a/tabletop/{planned.pk}/notes/"
    response = client.post(
        url,
        {"inject": "backups", "text": "Nobody knew when the last restore test was."},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Saved at" in html and "<html" not in html
    client.post(url, {"inject": "backups", "text": "Second version."}, HTTP_HX_REQUEST="true")
    with unscoped():
        note = InjectNote.objects.get(exercise=planned)
        assert (note.inject_id, note.text) == ("backups", "Second version.")
    html = client.get(f"/o/org-a/tabletop/{planned.pk}/run/?step=3").content.decode()
    assert "Second version." in html and "Saved at" in html


def test_notes_save_without_javascript(client, planned, unscoped):
    response = client.post(
        f"/o/org-a/tabletop/{planned.pk}/notes/", {"inject": "briefing", "text": "Six people."}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/o/org-a/tabletop/{planned.pk}/run/?step=0#notes"
    with unscoped():
        assert InjectNote.objects.get(exercise=planned, inject_id="briefing").text == "Six people."


def test_notes_for_an_unknown_inject_are_refused(client, planned, unscoped):
    url = f"/o/org-a/tabletop/{planned.pk}/notes/"
    response = client.post(url, {"inject": "nope", "text": "x"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and "no such inject" in response.content.decode()
    assert client.post(url, {"inject": "nope", "text": "x"}).status_code == 302
    with unscoped():
        assert not InjectNote.objects.exists()


def test_hot_wash_actions_and_the_action_plan(client, personas, planned, unscoped):
    base = f"/o/org-a/tabletop/{planned.pk}"
    client.post(f"{base}/finish/")
    response = client.post(
        f"{base}/hotwash/", {"went_well": "Everyone reported at once.", "to_improve": "No contact list."}
    )
    assert response.status_code == 302
    due = timezone.localdate() + timedelta(days=30)
    response = client.post(
        f"{base}/actions/",
        {
            "title": "Test restoring the NAS",
            "owner": str(personas.manager.pk),
            "due_date": due.isoformat(),
            "control_id": "pr-restore-test",
        },
    )
    assert response.status_code == 302
    client.post(
        f"{base}/actions/", {"title": "Write the emergency contact list", "owner": str(personas.owner.pk)}
    )
    # A control that is not one of the scenario's, and an owner from elsewhere, are refused.
    assert client.post(f"{base}/actions/", {"title": "x", "control_id": "pr-wifi"}).status_code == 200
    assert (
        client.post(f"{base}/actions/", {"title": "x", "owner": str(personas.outsider.pk)}).status_code == 200
    )
    with unscoped():
        assert ExerciseAction.objects.filter(exercise=planned).count() == 2
        assert AuditEvent.objects.filter(action="tabletop.hotwash_saved").exists()

    report = client.get(f"{base}/report/").content.decode()
    assert "Everyone reported at once." in report and "Test restoring the NAS" in report
    assert "2 actions are not in the action plan yet" in report

    response = client.post(f"{base}/actions/to-plan/")
    assert response.status_code == 302 and response["Location"] == f"{base}/report/"
    with unscoped():
        items = list(ActionItem.objects.filter(organization=personas.org).order_by("pk"))
        assert [(i.title, i.owner, i.due_date, i.control_id) for i in items] == [
            ("Test restoring the NAS", personas.manager, due, "pr-restore-test"),
            ("Write the emergency contact list", personas.owner, None, ""),
        ]
        assert all(
            f"exercise no. {planned.pk}" in i.description and "tabletop exercise" in i.description
            for i in items
        )
        assert all(a.action_item_id for a in ExerciseAction.objects.filter(exercise=planned))
        event = AuditEvent.objects.get(action="tabletop.actions_added")
        assert event.data == {"action_items": [i.pk for i in items]} and event.actor == personas.manager
        assert AuditEvent.objects.filter(action="actionitem.created").count() == 2
    # Again: nothing new.
    client.post(f"{base}/actions/to-plan/")
    with unscoped():
        assert ActionItem.objects.count() == 2
        assert AuditEvent.objects.filter(action="tabletop.actions_added").count() == 1
    # An action in the plan is no longer removed here.
    with unscoped():
        action = ExerciseAction.objects.filter(exercise=planned).first()
    client.post(f"/o/org-a/tabletop/actions/{action.pk}/delete/")
    with unscoped():
        assert ExerciseAction.objects.filter(pk=action.pk).exists()
    assert "Every action is in the action plan." in client.get(f"{base}/report/").content.decode()


def test_an_action_not_yet_in_the_plan_can_be_removed(client, personas, planned, unscoped):
    with unscoped():
        action = services.exercise_action_add(exercise=planned, actor=personas.manager, title="Drop me")
    response = client.post(f"/o/org-a/tabletop/actions/{action.pk}/delete/")
    assert response.status_code == 302
    with unscoped():
        assert not ExerciseAction.objects.exists()


def test_deleting_an_exercise_is_audited(client, planned, unscoped):
    response = client.post(f"/o/org-a/tabletop/{planned.pk}/delete/")
    assert response.status_code == 302
    with unscoped():
        assert not Exercise.objects.exists() and not Participant.objects.exists()
        assert AuditEvent.objects.filter(action="tabletop.exercise_deleted").exists()
