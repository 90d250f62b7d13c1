"""Deadlines: counted from awareness (not triage), 30 or 60 days, configurable, and reminders through a real
SMTP server on loopback, driven by a controllable clock."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from email.header import decode_header, make_header

import pytest
from django.utils import timezone
from django_scopes import scope

from ippo.incidents import clock, selectors, services
from ippo.incidents.models import ClockKind, IncidentClock, Status

AWARE = timezone.make_aware(datetime(2026, 12, 1, 10, 0))


def at(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _incident(personas, **kwargs):
    return services.incident_create(
        org=personas.org,
        actor=personas.manager,
        title="Customer list",
        kind="account-takeover",
        severity=2,
        aware_at=AWARE,
        **kwargs,
    )


def _clocks(incident):
    return {c.kind: c for c in IncidentClock.objects.filter(incident=incident)}


@pytest.mark.django_db
def test_appi_clocks_count_from_awareness_not_from_triage(personas, in_org):
    with in_org():
        incident = _incident(personas)
        # triage starts three days later
        services.incident_status_change(
            incident=incident, actor=personas.manager, status=Status.TRIAGE, now=AWARE + timedelta(days=3)
        )
        services.incident_personal_data_save(
            incident=incident, actor=personas.manager, personal_data=True, appi_over_1000=True
        )
        clocks = _clocks(incident)
    assert clocks[ClockKind.APPI_PRELIMINARY].due_at == AWARE + timedelta(days=3)
    assert clocks[ClockKind.APPI_FINAL].due_at == AWARE + timedelta(days=30)


@pytest.mark.django_db
def test_malicious_causes_give_60_days_and_changes_move_the_clocks(personas, in_org):
    with in_org():
        incident = _incident(personas)
        services.incident_personal_data_save(
            incident=incident, actor=personas.manager, personal_data=True, appi_malicious=True
        )
        assert _clocks(incident)[ClockKind.APPI_FINAL].due_at == AWARE + timedelta(days=60)
        # the company learns it knew a day earlier: both clocks move
        services.incident_update(
            incident=incident, actor=personas.manager, aware_at=AWARE - timedelta(days=1)
        )
        clocks = _clocks(incident)
        assert clocks[ClockKind.APPI_FINAL].due_at == AWARE + timedelta(days=59)
        assert clocks[ClockKind.APPI_PRELIMINARY].due_at == AWARE + timedelta(days=2)
        # a longer preliminary period in the settings moves the open clock too
        services.incident_settings_save(org=personas.org, actor=personas.owner, appi_preliminary_days=5)
        assert _clocks(incident)[ClockKind.APPI_PRELIMINARY].due_at == AWARE + timedelta(days=4)


@pytest.mark.django_db
def test_no_clock_without_a_reportable_case_or_with_strong_encryption(personas, in_org):
    with in_org():
        incident = _incident(personas)
        services.incident_personal_data_save(incident=incident, actor=personas.manager, personal_data=True)
        assert not _clocks(incident)
        services.incident_personal_data_save(incident=incident, actor=personas.manager, appi_financial=True)
        assert len(_clocks(incident)) == 2
        services.incident_personal_data_save(incident=incident, actor=personas.manager, appi_encrypted=True)
        assert not _clocks(incident)  # not met yet: stopped


@pytest.mark.django_db
def test_usual_clocks_come_from_the_settings_once(personas, in_org):
    with in_org():
        services.incident_settings_save(
            org=personas.org, actor=personas.owner, insurer_hours=48, contract_hours=72
        )
        incident = _incident(personas)
        added = services.clocks_usual_add(incident=incident, actor=personas.manager)
        assert {c.kind: c.due_at for c in added} == {
            "insurer": AWARE + timedelta(hours=48),
            "contract": AWARE + timedelta(hours=72),
        }
        assert services.clocks_usual_add(incident=incident, actor=personas.manager) == []


@pytest.mark.django_db
def test_summary_for_the_dashboard(personas, in_org):
    today = date(2026, 12, 2)
    with in_org():
        incident = _incident(personas)
        services.incident_personal_data_save(
            incident=incident, actor=personas.manager, personal_data=True, appi_sensitive=True
        )
        near = services.incident_create(
            org=personas.org, actor=personas.manager, title="n", near_miss=True, severity=5, aware_at=AWARE
        )
        services.incident_status_change(incident=near, actor=personas.manager, status=Status.CLOSED)
        services.incident_create(
            org=personas.org,
            actor=personas.manager,
            title="old",
            near_miss=True,
            severity=5,
            aware_at=AWARE - timedelta(days=365),
        )
        summary = selectors.incident_summary(personas.org, today=today)
    assert summary["open"] == 2
    assert summary["by_severity"] == {1: 0, 2: 1, 3: 0, 4: 0, 5: 1}
    assert summary["near_misses_this_year"] == 1
    assert summary["clocks_due"] == 1  # the preliminary report (3 days), not the final one (30 days)


@pytest.mark.django_db(transaction=True)
def test_reminders_before_and_after_a_deadline_are_sent_once_each(personas, smtp, settings):
    settings.LANGUAGE_CODE = "en"
    for user in personas.users.values():
        user.language = "en"
        user.save()
    with scope(organization=personas.org):
        incident = _incident(personas, owner=personas.advisor)
        services.incident_personal_data_save(
            incident=incident, actor=personas.manager, personal_data=True, appi_malicious=True
        )

    def tick(now):
        with scope(organization=personas.org):
            counts = clock.run(org=personas.org, today=timezone.localdate(now), now=now)
        return {"due": counts["due"], "overdue": counts["overdue"]}

    assert tick(AWARE + timedelta(days=1)) == {"due": 0, "overdue": 0}
    assert tick(AWARE + timedelta(days=2, hours=1)) == {"due": 1, "overdue": 0}
    assert tick(AWARE + timedelta(days=2, hours=2)) == {"due": 0, "overdue": 0}
    assert tick(AWARE + timedelta(days=3, hours=1)) == {"due": 0, "overdue": 1}
    assert tick(AWARE + timedelta(days=4)) == {"due": 0, "overdue": 0}
    subjects = sorted((rcpt[0], str(make_header(decode_header(msg["Subject"])))) for rcpt, msg in smtp)
    due = [r for r, s in subjects if "Deadline within a day: Preliminary report to the PPC" in s]
    late = [r for r, s in subjects if "Deadline passed: Preliminary report to the PPC" in s]
    assert sorted(due) == sorted(late) == ["advisor@a.example", "manager@a.example", "owner@a.example"]
    assert all("Customer list" not in s for _r, s in subjects)  # messages carry no details
    with scope(organization=personas.org):
        services.clock_done(clock=IncidentClock.objects.get(kind="appi_final"), actor=personas.manager)
    assert tick(AWARE + timedelta(days=61)) == {"due": 0, "overdue": 0}


@pytest.mark.django_db(transaction=True)
def test_two_workers_claim_each_reminder_once(personas, settings):
    with scope(organization=personas.org):
        incident = _incident(personas)
        services.clock_add(incident=incident, actor=personas.manager, kind="insurer", hours=1)
        now = AWARE + timedelta(hours=2)
        rows = list(IncidentClock.objects.filter(incident=incident))
        assert clock._claim(rows[0], "overdue_notified_at", now) is True
        assert clock._claim(rows[0], "overdue_notified_at", now) is False


@pytest.mark.django_db(transaction=True)
def test_missed_response_targets_are_flagged_once(personas, smtp, settings):
    settings.LANGUAGE_CODE = "en"
    for user in personas.users.values():
        user.language = "en"
        user.save()
    with scope(organization=personas.org):
        incident = _incident(personas)  # SEV2: acknowledge within 4 hours, contain within 24
        near = services.incident_create(
            org=personas.org, actor=personas.manager, title="n", near_miss=True, severity=2, aware_at=AWARE
        )

    def tick(now):
        with scope(organization=personas.org):
            counts = clock.run(org=personas.org, today=timezone.localdate(now), now=now)
        return counts["sla_ack"], counts["sla_contain"]

    assert tick(AWARE + timedelta(hours=3)) == (0, 0)
    assert tick(AWARE + timedelta(hours=5)) == (2, 0)  # both still "new"
    assert tick(AWARE + timedelta(hours=6)) == (0, 0)
    with scope(organization=personas.org):
        services.incident_status_change(incident=incident, actor=personas.manager, status=Status.TRIAGE)
    assert tick(AWARE + timedelta(hours=25)) == (0, 1)  # the near miss has no contain target
    assert tick(AWARE + timedelta(hours=26)) == (0, 0)
    subjects = {str(make_header(decode_header(msg["Subject"]))) for _r, msg in smtp}
    assert f"[Org A] Not yet acknowledged: incident #{incident.number} (SEV2 – high)" in subjects
    assert f"[Org A] Not yet contained: incident #{incident.number} (SEV2 – high)" in subjects
    assert not any(f"#{near.number} " in s and "contained" in s for s in subjects)
