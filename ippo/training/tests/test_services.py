"""Contracts other apps call, the sanitiser, the quiz format, the home page entries and the demo."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ippo.training import lessons, selectors, services
from ippo.training.models import Assignment, AssignmentRule, CustomModule, GroupSession

pytestmark = pytest.mark.django_db


def test_assignment_followup_assigns_the_phishing_lesson_once(personas, staff, in_org):
    with in_org():
        a = services.assignment_followup(org=personas.org, employee=staff.colleague, reason="clicked in drill 3")
        assert a is not None and a.module_id == "phishing-bec" and a.reason == "drill"
        assert a.due_on == timezone.localdate() + timedelta(days=14)
        assert services.assignment_followup(org=personas.org, employee=staff.colleague, reason="again") is None


def test_assignment_followup_respects_a_switched_off_rule(personas, staff, in_org):
    with in_org():
        AssignmentRule.objects.create(organization=personas.org, kind="drill", module_id="phishing-bec", days=7, is_active=False)
        assert services.assignment_followup(org=personas.org, employee=staff.colleague, reason="x") is None


def test_training_summary(personas, staff, assign, in_org):
    assign(staff.member, completed_at=timezone.now())
    assign(staff.colleague, due_in=-1)
    assign(staff.worker, cancelled_at=timezone.now())
    with in_org():
        summary = selectors.training_summary(personas.org, today=timezone.localdate())
        empty = selectors.training_summary(personas.other_org, today=timezone.localdate())
    assert summary["employees"] == 4 and summary["assigned"] == 2 and summary["completed"] == 1
    assert summary["overdue"] == 1 and summary["completion_rate"] == 50
    assert summary["by_department"] == [{"name": "営業部", "assigned": 2, "completed": 1}]
    assert empty["completion_rate"] is None and empty["assigned"] == 0


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        '<p onclick="alert(1)" style="color:red">x</p>',
        '<iframe src="https://evil.example"></iframe>',
    ],
)
def test_the_sanitiser_strips_anything_active(source):
    html = lessons.markdown_render(source).lower()
    for bad in ("<script", "onerror", "javascript:", "onclick", "style=", "<iframe", "<img", "alert(1)</script"):
        assert bad not in html


def test_the_sanitiser_keeps_plain_structure():
    html = lessons.markdown_render("# Title\n\n- one\n- **two**\n\n[site](https://example.com)")
    assert "<h2>Title</h2>" in html and "<strong>two</strong>" in html
    assert 'href="https://example.com"' in html and "noopener" in html


def test_the_quiz_format():
    questions = lessons.quiz_parse("? Q one\n- a\n* b\n> because\n\n? Q two\n* x\n- y")
    assert [q.answer for q in questions] == ["b", "a"] and questions[0].explanation.ja == "because"
    for bad in ("", "? no answers\n- a\n- b", "? two right\n* a\n* b", "- a\n* b", "? q\n* only one", "? q\nnot marked\n* a\n- b"):
        with pytest.raises(ValidationError):
            lessons.quiz_parse(bad)


def test_home_lists_my_open_lessons_in_one_query(client, personas, staff, assign, django_assert_num_queries, in_org):
    from types import SimpleNamespace

    from ippo.training import home

    assign(staff.member, "passwords-mfa", due_in=5)
    assign(staff.member, "phishing-bec", due_in=9, completed_at=timezone.now())
    assign(staff.colleague, "generative-ai")
    request = SimpleNamespace(org=personas.org, user=personas.member)
    with in_org(), django_assert_num_queries(1):
        tasks = home.tasks(request)
    assert len(tasks) == 1 and "/training/lessons/" in tasks[0]["url"]
    client.force_login(personas.member)
    assert "/training/lessons/" in client.get("/o/org-a/").content.decode()


def test_the_demo_adds_training_once(personas, in_org, unscoped):
    from ippo.people import demo as people_demo
    from ippo.training import demo

    with in_org():
        demo.load(org=personas.org, users={})  # no employees yet: nothing
        assert not Assignment.objects.exists()
        people_demo.load(org=personas.org, users={"manager": personas.manager, "member": personas.member})
        demo.load(org=personas.org, users={"manager": personas.manager})
        count = Assignment.objects.count()
        demo.load(org=personas.org, users={"manager": personas.manager})
        assert Assignment.objects.count() == count
        assert Assignment.objects.filter(completed_at__isnull=False).exists()
        assert Assignment.objects.filter(completed_at__isnull=True, due_on__lt=timezone.localdate()).exists()
        assert Assignment.objects.filter(completed_at__isnull=True, due_on__gte=timezone.localdate()).exists()
        session = GroupSession.objects.get()
        assert session.attendees.filter(email="").exists()
        custom = CustomModule.objects.get()
        assert len(lessons.quiz_parse(custom.quiz)) == 3
        assert AssignmentRule.objects.count() == 4
