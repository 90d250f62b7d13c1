"""The clock: rules create assignments once; reminders go to the person, then to their manager; none twice."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from ippo.core.models import Delivery
from ippo.people.models import Employee
from ippo.training import clock
from ippo.training.models import Assignment, AssignmentRule

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 10)
NOW = datetime(2026, 6, 10, 9, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


def _run(personas, in_org, today=TODAY, now=NOW):
    with TestCase.captureOnCommitCallbacks(execute=True), in_org():
        return clock.run(org=personas.org, today=today, now=now)


def test_a_yearly_rule_assigns_everyone_once_from_its_month(personas, staff, in_org, unscoped):
    with in_org():
        AssignmentRule.objects.create(organization=personas.org, kind="yearly", module_id="passwords-mfa", month=7, days=30)
    assert _run(personas, in_org)["assigned"] == 0  # June: not yet
    july = date(2026, 7, 1)
    assert _run(personas, in_org, today=july)["assigned"] == 4
    assert _run(personas, in_org, today=july + timedelta(days=1))["assigned"] == 0
    with unscoped():
        rows = Assignment.objects.filter(module_id="passwords-mfa")
        assert rows.count() == 4 and {a.due_on for a in rows} == {date(2026, 7, 31)}
        assert {a.reason for a in rows} == {"yearly"}
    # Next year, again once.
    assert _run(personas, in_org, today=date(2027, 7, 2))["assigned"] == 4


def test_a_yearly_rule_added_late_gives_the_full_period(personas, staff, in_org, unscoped):
    with in_org():
        AssignmentRule.objects.create(organization=personas.org, kind="yearly", module_id="passwords-mfa", month=4, days=30)
    _run(personas, in_org)
    with unscoped():
        assert {a.due_on for a in Assignment.objects.all()} == {TODAY + timedelta(days=30)}


def test_a_new_staff_rule_assigns_recent_joiners_only(personas, staff, in_org, unscoped):
    with in_org():
        AssignmentRule.objects.create(organization=personas.org, kind="new_hire", module_id="phishing-bec", days=30)
        Employee.objects.filter(pk=staff.colleague.pk).update(joined_on=TODAY - timedelta(days=5))
        Employee.objects.filter(pk=staff.member.pk).update(joined_on=TODAY - timedelta(days=400))
    assert _run(personas, in_org)["assigned"] == 1
    assert _run(personas, in_org)["assigned"] == 0
    with unscoped():
        a = Assignment.objects.get()
        assert a.employee_id == staff.colleague.pk and a.due_on == TODAY + timedelta(days=25) and a.reason == "new_hire"


def test_the_person_is_told_of_a_new_lesson_then_reminded_before_the_due_date_never_twice(
    personas, staff, assign, in_org, unscoped
):
    assign(staff.member, "passwords-mfa", due_in=(TODAY - timezone.localdate()).days + 2)
    assign(staff.member, "phishing-bec", due_in=(TODAY - timezone.localdate()).days + 20)
    assert _run(personas, in_org) == {"assigned": 0, "announced": 2, "reminded": 0, "overdue": 0, "evidence": 0}
    assert _run(personas, in_org)["reminded"] == 0  # not right after the notice
    tomorrow = NOW + timedelta(days=1)
    assert _run(personas, in_org, today=TODAY + timedelta(days=1), now=tomorrow)["reminded"] == 1
    assert _run(personas, in_org, today=TODAY + timedelta(days=1), now=tomorrow)["reminded"] == 0
    with unscoped():
        new = Delivery.objects.get(event="training.assigned")  # both lessons in one message
        assert new.recipient_id == personas.member.pk and new.body.count("\n- ") == 2
        sent = Delivery.objects.filter(event="training.due")
        assert [d.recipient_id for d in sent] == [personas.member.pk]


def test_overdue_lessons_go_to_the_person_and_their_manager(personas, staff, assign, in_org, unscoped):
    assign(staff.member, due_in=(TODAY - timezone.localdate()).days - 1)
    assert _run(personas, in_org)["overdue"] == 1
    assert _run(personas, in_org)["overdue"] == 0
    with unscoped():
        assert list(Delivery.objects.filter(event="training.overdue").values_list("recipient", flat=True)) == [personas.member.pk]
        manager_mail = Delivery.objects.get(event="training.overdue_manager")
        assert manager_mail.recipient_id == personas.manager.pk  # staff.boss is linked to the manager
        assert "鈴木 一郎" in manager_mail.subject


def test_people_without_an_account_get_a_sign_in_link_and_without_a_manager_the_leaders_are_told(
    personas, staff, assign, in_org, unscoped
):
    assign(staff.colleague, due_in=(TODAY - timezone.localdate()).days + 1)
    worker = assign(staff.worker, due_in=(TODAY - timezone.localdate()).days - 2)
    _run(personas, in_org)
    to_kato = [m for m in mail.outbox if m.to == ["kato@a.example"]]
    assert len(to_kato) == 1 and "/learn/s/" in to_kato[0].body
    with unscoped():
        told = set(Delivery.objects.filter(event="training.overdue_manager").values_list("recipient", flat=True))
        assert told == {personas.owner.pk, personas.manager.pk}
        assert Assignment.objects.get(pk=worker.pk).overdue_notified_at is not None


def test_completed_and_cancelled_lessons_get_no_reminders(personas, staff, assign, in_org):
    past = (TODAY - timezone.localdate()).days - 1
    assign(staff.member, due_in=past, completed_at=timezone.now())
    assign(staff.colleague, due_in=past, cancelled_at=timezone.now())
    assert _run(personas, in_org) == {"assigned": 0, "announced": 0, "reminded": 0, "overdue": 0, "evidence": 0}


def test_evidence_is_added_to_the_awareness_control_once_most_staff_completed(personas, staff, assign, in_org, unscoped):
    from ippo.program.models import Evidence

    done_at = NOW - timedelta(days=3)
    for e in (staff.boss, staff.member, staff.colleague):
        assign(e, completed_at=done_at)
    assert _run(personas, in_org)["evidence"] == 0  # 3 of 4: 75 %
    assign(staff.worker, completed_at=done_at)
    assert _run(personas, in_org)["evidence"] == 1
    assert _run(personas, in_org)["evidence"] == 0
    with unscoped():
        evidence = Evidence.objects.get(control_id="pr-awareness-training")
        assert "100%" in evidence.note and evidence.performed_on == TODAY
