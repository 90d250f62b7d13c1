"""The incident workflow: recording, the playbook checklist, status changes and their timestamps, the review."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ippo.core.models import AuditEvent
from ippo.incidents import services
from ippo.incidents.models import EntryKind, ExternalContact, Incident, Status
from ippo.incidents.playbooks import playbook_get

pytestmark = pytest.mark.django_db


def _actions(org):
    return list(AuditEvent.objects.filter(organization=org).values_list("action", flat=True))


def test_recording_numbers_incidents_and_fills_the_checklist_from_the_playbook(personas, in_org):
    with in_org():
        first = services.incident_create(
            org=personas.org, actor=personas.manager, title="Ransom note", kind="ransomware", severity=1
        )
        second = services.incident_create(org=personas.org, actor=personas.manager, title="Odd", kind="other")
        steps = [t.step for t in first.tasks.all()]
        assert (first.number, second.number) == (1, 2)
        assert steps == [f"ransomware/{s.id}" for s in playbook_get("ransomware").first_hour]
        assert first.playbook_applied == "ransomware"
        assert not second.tasks.exists()
        # applying again adds nothing twice
        assert services.playbook_apply(incident=first, actor=personas.manager) == []
        assert first.tasks.count() == len(steps)
        assert first.entries.filter(kind=EntryKind.OBSERVATION).count() == 1
        # the contacts directory was filled in on the way, once
        assert ExternalContact.objects.filter(organization=personas.org).exclude(seed_key="").count() == 7
    assert _actions(personas.org).count("incident.created") == 2
    assert "incident.playbook_applied" in _actions(personas.org)


def test_the_status_workflow_records_acknowledgement_containment_and_closing(personas, in_org):
    start = timezone.make_aware(datetime(2026, 12, 1, 9, 0))
    with in_org():
        incident = services.incident_create(
            org=personas.org,
            actor=personas.manager,
            title="Phish",
            kind="phishing-click",
            severity=2,
            aware_at=start,
        )
        with pytest.raises(ValidationError):
            services.incident_status_change(incident=incident, actor=personas.manager, status=Status.RECOVERY)
        services.incident_status_change(
            incident=incident, actor=personas.manager, status=Status.TRIAGE, now=start + timedelta(hours=2)
        )
        assert incident.acknowledged_at == start + timedelta(hours=2)
        ack, contain = incident.sla()
        assert ack["state"] == "met" and ack["due"] == start + timedelta(hours=4)
        services.incident_status_change(
            incident=incident,
            actor=personas.manager,
            status=Status.CONTAINMENT,
            now=start + timedelta(hours=3),
        )
        services.incident_status_change(
            incident=incident, actor=personas.manager, status=Status.RECOVERY, now=start + timedelta(hours=30)
        )
        assert incident.contained_at == start + timedelta(hours=30)
        assert incident.sla()[1]["state"] == "late"  # SEV2: contain within 24 hours
        services.incident_status_change(
            incident=incident, actor=personas.manager, status=Status.REVIEW, note="ok"
        )
        services.incident_status_change(incident=incident, actor=personas.manager, status=Status.CLOSED)
        assert incident.closed_at is not None and not incident.is_open
        services.incident_status_change(incident=incident, actor=personas.manager, status=Status.TRIAGE)
        assert incident.closed_at is None
        decisions = incident.entries.filter(kind=EntryKind.DECISION).count()
    assert decisions == 6
    assert _actions(personas.org).count("incident.status_changed") == 6


def test_a_near_miss_can_go_from_triage_straight_to_closed(personas, in_org):
    with in_org():
        incident = services.incident_create(
            org=personas.org,
            actor=personas.manager,
            title="Caught",
            kind="invoice-fraud",
            near_miss=True,
            severity=5,
        )
        services.incident_status_change(incident=incident, actor=personas.manager, status=Status.TRIAGE)
        services.incident_status_change(incident=incident, actor=personas.manager, status=Status.CLOSED)
        assert incident.status == Status.CLOSED and incident.near_miss


def test_ticking_a_task_adds_an_action_to_the_timeline(personas, in_org):
    with in_org():
        incident = services.incident_create(
            org=personas.org, actor=personas.manager, title="Lost", kind="lost-device"
        )
        task = incident.tasks.first()
        services.task_update(task=task, actor=personas.manager, done=True, assignee=personas.advisor)
        task.refresh_from_db()
        assert task.is_done and task.done_by == personas.manager and task.assignee == personas.advisor
        assert incident.entries.filter(kind=EntryKind.ACTION).count() == 1
        services.task_update(task=task, actor=personas.manager, done=False)
        task.refresh_from_db()
        assert not task.is_done
        with pytest.raises(ValidationError):
            services.task_update(task=task, actor=personas.manager, assignee=personas.outsider)


def test_the_owner_must_be_a_member(personas, in_org):
    with in_org(), pytest.raises(ValidationError):
        services.incident_create(org=personas.org, actor=personas.manager, title="x", owner=personas.outsider)


def test_the_review_turns_lessons_into_action_items(personas, in_org):
    from ippo.program.models import ActionItem

    with in_org():
        incident = services.incident_create(
            org=personas.org, actor=personas.manager, title="Misdirected", kind="misdirected-email"
        )
        items = services.incident_review_save(
            incident=incident,
            actor=personas.manager,
            what_happened="Sent the list to the wrong customer.",
            went_well="Reported at once.",
            to_improve="Autocomplete picked the wrong address.",
            lessons=["Turn off address autocomplete", "  ", "Send customer lists only as shared links"],
            owner=personas.manager,
            due_date=timezone.localdate() + timedelta(days=14),
        )
        assert [i.title for i in items] == [
            "Turn off address autocomplete",
            "Send customer lists only as shared links",
        ]
        assert set(incident.review_actions.all()) == set(items)
        assert ActionItem.objects.filter(organization=personas.org).count() == 2
        assert all(i.owner == personas.manager and f"#{incident.number}" in i.description for i in items)
        assert incident.reviewed_at is not None
    actions = _actions(personas.org)
    assert "incident.reviewed" in actions and actions.count("actionitem.created") == 2


def _report(personas, **fields):
    from ippo.reporting.models import Report

    defaults = {
        "kind": "ransom",
        "identity": "anonymous",
        "channel": "link",
        "created_at": timezone.now(),
        "severity": 4,
    }
    defaults.update(fields)
    return Report.objects.create(organization=personas.org, **defaults)


def test_a_report_becomes_an_incident_without_the_reporters_identity(personas, in_org):
    received = timezone.now() - timedelta(hours=5)
    with in_org():
        report = _report(personas, created_at=received, description="My screen shows a ransom note")
        named = _report(
            personas,
            kind="lost_device",
            identity="named",
            reporter=personas.member,
            reporter_name="Secret Name",
            severity=0,
        )
        incident = services.incident_create_from_report(
            org=personas.org, report=report, actor=personas.manager
        )
        assert incident.kind == "ransomware" and incident.severity == 1
        assert incident.aware_at == received  # aware when the report arrived, not now
        assert f"#{report.pk}" in incident.title
        assert report.incident == incident
        assert (
            services.incident_create_from_report(org=personas.org, report=report, actor=personas.manager)
            == incident
        )
        assert incident.entries.filter(text=f"Opened from report #{report.pk}.").exists()
        other = services.incident_create_from_report(org=personas.org, report=named, actor=personas.manager)
        assert other.kind == "lost-device" and other.severity == 3  # the playbook's suggestion
        stored = [Incident.objects.filter(pk=i.pk).values()[0] for i in (incident, other)]
        entries = list(other.entries.values_list("text", flat=True))
    assert not any("Secret Name" in str(v) for row in stored for v in row.values())
    assert all(personas.member.pk not in (row["owner_id"], row["created_by_id"]) for row in stored)
    assert not any("Secret Name" in e for e in entries)
    assert not any("Secret Name" in str(e.data) for e in AuditEvent.objects.all())


def test_report_kinds_without_a_playbook_become_other(personas, in_org):
    with in_org():
        report = _report(personas, kind="other", severity=0)
        incident = services.incident_create_from_report(
            org=personas.org, report=report, actor=personas.manager
        )
    assert incident.kind == "other" and incident.severity == 3


def test_a_concern_about_misconduct_gives_an_incident_that_names_nothing(personas, in_org):
    from django.utils import translation

    with in_org(), translation.override("en"):
        report = _report(personas, kind="misconduct", severity=0, description="The boss takes cash")
        incident = services.incident_create_from_report(
            org=personas.org, report=report, actor=personas.manager
        )
    assert incident.title == f"Report #{report.pk}" and incident.kind == "other" and not incident.description
