"""Escalation with a controllable clock: e-mail to a local SMTP server, chat posts to a local HTTP server.
Messages carry no content; office-hours and out-of-hours contacts; re-escalation when nobody acknowledges;
concurrent clocks notify once; concerns reach the designated handlers only."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

import pytest
from django_scopes import scope

from ippo.core import notify
from ippo.reporting import clock, escalation, services
from ippo.reporting.models import EscalationNotice, Report

pytestmark = pytest.mark.django_db

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
WEDNESDAY_10AM = datetime(2026, 11, 25, 10, 0, tzinfo=TOKYO)
WEDNESDAY_10PM = datetime(2026, 11, 25, 22, 0, tzinfo=TOKYO)
SECRET_DETAIL = "the CFO asked me to wire 3,000,000 yen"


@pytest.fixture(autouse=True)
def _english_installation(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def rule(personas):
    return services.escalationrule_save(
        org=personas.org,
        actor=personas.owner,
        rule=None,
        contacts={
            (1, "day"): [personas.manager],
            (1, "night"): [personas.advisor],
            (2, "day"): [personas.owner],
        },
        name="Money and sign-ins",
        position=1,
        kinds=["strange_signin"],
        min_severity=0,
        reescalate_minutes=30,
        notify_chat=True,
        is_active=True,
    )


@pytest.fixture
def hook(personas, chat):
    notify.chatwebhook_create(
        actor=personas.owner, org=personas.org, kind="slack", name="#security", url=chat.url
    )
    return chat


def _report(personas, *, now, kind="strange_signin", identity="named"):
    if identity == "anonymous":
        report, _code = services.report_submit_public(
            org=personas.org,
            kind=kind,
            happened="just_now",
            description=SECRET_DETAIL,
            identity=identity,
            now=now,
        )
        return report
    return services.report_submit(
        org=personas.org,
        actor=personas.member,
        kind=kind,
        happened="just_now",
        description=SECRET_DETAIL,
        identity=identity,
        severity_guess=2,
        now=now,
    )


def _deliver(_now) -> None:
    """Send what was queued (deliveries are due at the real time they were queued)."""
    from django.utils import timezone

    notify.deliveries_retry_due(now=timezone.now() + timedelta(seconds=1))


def _recipients(smtp) -> list[str]:
    return sorted(address for rcpts, _message in smtp for address in rcpts)


def test_office_hours_contacts_are_told_at_once_without_content_then_the_next_step(
    personas, rule, hook, smtp
):
    _report(personas, now=WEDNESDAY_10AM, identity="anonymous")
    _deliver(WEDNESDAY_10AM)
    assert _recipients(smtp) == ["manager@a.example"]
    assert len(hook.posts) == 1
    rcpts, message = smtp[0]
    text = message.get_payload(decode=True).decode() if not message.is_multipart() else message.as_string()
    everything = message["Subject"] + text + str(hook.posts)
    assert "A new report has arrived" in everything
    for secret in (SECRET_DETAIL, "3,000,000", "sign-in", "Strange", "bank"):
        assert secret not in everything, secret

    # Nobody acknowledges: nothing before 30 minutes, then step 2 (the owner), once, however many clocks run.
    assert (
        clock.run(org=personas.org, today=WEDNESDAY_10AM.date(), now=WEDNESDAY_10AM + timedelta(minutes=29))[
            "reescalated"
        ]
        == 0
    )
    later = WEDNESDAY_10AM + timedelta(minutes=31)
    with scope(organization=personas.org):
        assert escalation.escalations_due(org=personas.org, now=later) == 1
        assert escalation.escalations_due(org=personas.org, now=later) == 0
    _deliver(later)
    assert _recipients(smtp) == ["manager@a.example", "owner@a.example"]
    assert "waiting for someone to acknowledge" in smtp[-1][1]["Subject"]

    # After the last step, one final reminder to everybody on every step, then silence.
    last = later + timedelta(minutes=31)
    assert clock.run(org=personas.org, today=last.date(), now=last)["reescalated"] == 1
    _deliver(last)
    assert _recipients(smtp[2:]) == ["advisor@a.example", "manager@a.example", "owner@a.example"]
    assert clock.run(org=personas.org, today=last.date(), now=last + timedelta(hours=5))["reescalated"] == 0


def test_out_of_hours_the_night_contacts_are_told(personas, rule, smtp):
    _report(personas, now=WEDNESDAY_10PM)
    _deliver(WEDNESDAY_10PM)
    assert _recipients(smtp) == ["advisor@a.example"]
    with scope(organization=personas.org):
        assert EscalationNotice.objects.get().shift == "night"


def test_weekends_count_as_out_of_hours(personas, rule, smtp):
    saturday = WEDNESDAY_10AM + timedelta(days=3)
    _report(personas, now=saturday)
    _deliver(saturday)
    assert _recipients(smtp) == ["advisor@a.example"]


def test_acknowledging_stops_the_escalation(personas, rule, smtp):
    report = _report(personas, now=WEDNESDAY_10AM)
    services.report_acknowledge(
        report=report, actor=personas.manager, now=WEDNESDAY_10AM + timedelta(minutes=5)
    )
    assert (
        clock.run(org=personas.org, today=WEDNESDAY_10AM.date(), now=WEDNESDAY_10AM + timedelta(hours=2))[
            "reescalated"
        ]
        == 0
    )
    with scope(organization=personas.org):
        report.refresh_from_db()
    assert report.status == "acknowledged" and report.next_escalation_at is None


def test_without_a_matching_rule_the_owners_and_managers_are_told(personas, rule, smtp):
    _report(personas, now=WEDNESDAY_10AM, kind="lost_device")
    _deliver(WEDNESDAY_10AM)
    assert _recipients(smtp) == ["manager@a.example", "owner@a.example"]


def test_concerns_reach_only_the_designated_handlers_and_never_chat(personas, rule, hook, smtp):
    services.designatedhandler_add(org=personas.org, actor=personas.owner, user=personas.advisor)
    _report(personas, now=WEDNESDAY_10AM, kind="misconduct", identity="anonymous")
    _deliver(WEDNESDAY_10AM)
    assert _recipients(smtp) == ["advisor@a.example"]
    assert hook.posts == []
    later = WEDNESDAY_10AM + timedelta(minutes=31)
    clock.run(org=personas.org, today=later.date(), now=later)
    _deliver(later)
    assert _recipients(smtp) == ["advisor@a.example", "advisor@a.example"]
    assert hook.posts == []


def test_a_report_from_the_mail_intake_is_a_suspicious_mail_report(personas, smtp):
    report = services.report_create_from_mail(
        org=personas.org,
        subject="Your  account\nis locked",
        received_at=WEDNESDAY_10AM,
        reporter=personas.member,
    )
    assert (
        report.kind == "suspicious_mail" and report.channel == "mail" and report.reporter == personas.member
    )
    assert "Your account is locked" in report.description
    with scope(organization=personas.org):
        assert Report.objects.count() == 1 and EscalationNotice.objects.count() == 1
