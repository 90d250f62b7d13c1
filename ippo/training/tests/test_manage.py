"""The manager's side: the pillar page, completion by person and department, assigning, rules, group
sessions, own lessons (sanitised Markdown) and the audit-ready export."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.html import escape
from openpyxl import load_workbook

from ippo.core.models import AuditEvent
from ippo.people.models import Department, Employee
from ippo.training.models import Assignment, AssignmentRule, CustomModule, GroupSession
from tests.helpers import query_count

pytestmark = pytest.mark.django_db


def _due(days=30):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_pillar_page_shows_completion_overdue_and_the_drill_section(client, personas, staff, assign, language):
    assign(staff.member, completed_at=timezone.now(), score=100)
    assign(staff.colleague, due_in=-3)
    client.cookies["ippo_language"] = language
    client.force_login(personas.owner)
    response = client.get("/o/org-a/training/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "加藤 大輔" in body  # overdue
    assert "営業部" in body
    assert "50%" in body
    assert ("部署ごとの受講状況" if language == "ja" else "Completion by department") in body


def test_the_pillar_page_query_count_is_constant(client, personas, staff, assign):
    client.force_login(personas.owner)
    assign(staff.member)
    before = query_count(client, "/o/org-a/training/")
    _add_people(personas, 1000)
    assert query_count(client, "/o/org-a/training/") == before


def _add_people(personas, n, assign=None):
    from django_scopes import scope

    org, today, now = personas.org, timezone.localdate(), timezone.now()
    with scope(organization=org):
        depts = [Department.objects.create(organization=org, name=f"部署{i}") for i in range(5)]
        people = Employee.objects.bulk_create(
            Employee(organization=org, name=f"社員{i}", email=f"e{i}@a.example", department=depts[i % 5])
            for i in range(n)
        )
        Assignment.objects.bulk_create(
            Assignment(
                organization=org,
                employee=e,
                module_id=module_id,
                due_on=today + timedelta(days=-1 if i % 3 == 0 else 10),
                assigned_at=now,
                completed_at=now if i % 2 else None,
                score=100 if i % 2 else None,
            )
            for i, e in enumerate(people)
            for module_id in ("passwords-mfa", "phishing-bec")
        )


def test_the_people_page_query_count_is_constant(client, personas, staff, assign):
    client.force_login(personas.manager)
    assign(staff.member)
    before = query_count(client, "/o/org-a/training/people/")
    _add_people(personas, 1000)
    assert query_count(client, "/o/org-a/training/people/") == before
    assert query_count(client, "/o/org-a/training/") == query_count(client, "/o/org-a/training/")
    body = client.get(f"/o/org-a/training/people/?department={staff.sales.pk}").content.decode()
    assert "加藤 大輔" in body and "社員1<" not in body


def test_members_and_viewers_cannot_manage(client, personas):
    for role in ("member", "viewer"):
        client.force_login(personas.users[role])
        for url in ("/o/org-a/training/people/", "/o/org-a/training/assign/", "/o/org-a/training/export/"):
            assert client.get(url).status_code == 403


def test_assign_to_everyone_a_department_or_chosen_people(client, personas, staff, unscoped):
    client.force_login(personas.owner)
    assert client.get("/o/org-a/training/assign/").status_code == 200
    url = "/o/org-a/training/assign/"
    assert client.post(url, {"module_id": "passwords-mfa", "audience": "everyone", "due_on": _due()}).status_code == 302
    client.post(url, {"module_id": "passwords-mfa", "audience": "everyone", "due_on": _due()})  # no duplicates
    client.post(url, {"module_id": "generative-ai", "audience": "department", "department": staff.factory.pk, "due_on": _due()})
    client.post(url, {"module_id": "phishing-bec", "audience": "people", "employees": [staff.colleague.pk], "due_on": _due()})
    with unscoped():
        assert Assignment.objects.filter(module_id="passwords-mfa").count() == 4
        assert list(Assignment.objects.filter(module_id="generative-ai").values_list("employee", flat=True)) == [staff.worker.pk]
        assert list(Assignment.objects.filter(module_id="phishing-bec").values_list("employee", flat=True)) == [staff.colleague.pk]
        assert AuditEvent.objects.filter(action="training.assigned").count() == 3


def test_assigning_checks_the_lesson_and_the_date(client, personas, staff):
    client.force_login(personas.owner)
    url = "/o/org-a/training/assign/"
    bad = client.post(url, {"module_id": "no-such-lesson", "audience": "everyone", "due_on": _due()})
    assert bad.status_code == 200 and "errorlist" in bad.content.decode() or "error" in bad.content.decode()
    past = client.post(url, {"module_id": "passwords-mfa", "audience": "everyone", "due_on": _due(-1)})
    assert "cannot be in the past" in past.content.decode()
    nobody = client.post(url, {"module_id": "passwords-mfa", "audience": "people", "due_on": _due()})
    assert "Choose at least one person" in nobody.content.decode()


def test_a_manager_cancels_an_assignment(client, personas, staff, assign, unscoped):
    a = assign(staff.colleague)
    client.force_login(personas.manager)
    assert client.get(f"/o/org-a/training/lessons/{a.pk}/cancel/").status_code == 405
    assert client.post(f"/o/org-a/training/lessons/{a.pk}/cancel/").status_code == 302
    with unscoped():
        assert Assignment.objects.get(pk=a.pk).cancelled_at is not None
        assert AuditEvent.objects.filter(action="training.assignment_cancelled").exists()


def test_rules_are_added_edited_and_deleted(client, personas, unscoped):
    client.force_login(personas.owner)
    url = "/o/org-a/training/rules/"
    assert client.get(url).status_code == 200
    r = client.post(url, {"kind": "yearly", "module_id": "passwords-mfa", "month": "4", "days": "30", "is_active": "on"})
    assert r.status_code == 302
    missing_month = client.post(url, {"kind": "yearly", "module_id": "passwords-mfa", "days": "30", "is_active": "on"})
    assert missing_month.status_code == 400 and "Choose the month" in missing_month.content.decode()
    client.post(url, {"kind": "drill", "module_id": "phishing-bec", "days": "14", "is_active": "on"})
    second_drill = client.post(url, {"kind": "drill", "module_id": "phishing-bec", "days": "7", "is_active": "on"})
    assert second_drill.status_code == 400
    with unscoped():
        rule = AssignmentRule.objects.get(kind="yearly")
    assert client.get(f"{url}{rule.pk}/").status_code == 200
    client.post(f"{url}{rule.pk}/", {"kind": "new_hire", "module_id": "passwords-mfa", "month": "4", "days": "20", "is_active": "on"})
    with unscoped():
        rule.refresh_from_db()
        assert (rule.kind, rule.month, rule.days) == ("new_hire", None, 20)
    assert client.post(f"{url}{rule.pk}/delete/").status_code == 302
    with unscoped():
        assert not AssignmentRule.objects.filter(pk=rule.pk).exists()
        assert AuditEvent.objects.filter(action="training.rule_changed").count() == 4


def test_a_group_session_records_completions_for_those_who_attended(client, personas, staff, assign, unscoped):
    open_one = assign(staff.worker, "ransomware-backup")
    client.force_login(personas.manager)
    assert client.get("/o/org-a/training/sessions/new/").status_code == 200
    held = (timezone.localdate() - timedelta(days=1)).isoformat()
    data = {"held_on": held, "module_id": "ransomware-backup", "facilitator": "石川 浩",
            "attendees": [staff.worker.pk, staff.colleague.pk]}
    assert client.post("/o/org-a/training/sessions/new/", data).status_code == 302
    with unscoped():
        session = GroupSession.objects.get()
        done = Assignment.objects.filter(group_session=session, completed_at__isnull=False)
        assert sorted(done.values_list("employee_id", flat=True)) == sorted([staff.worker.pk, staff.colleague.pk])
        assert done.get(employee=staff.worker).pk == open_one.pk  # the open assignment was completed
        assert AuditEvent.objects.filter(action="training.session_recorded").exists()
    # Taking someone off the list takes their completion back.
    data["attendees"] = [staff.worker.pk]
    client.post(f"/o/org-a/training/sessions/{session.pk}/", data)
    with unscoped():
        assert not Assignment.objects.filter(employee=staff.colleague, completed_at__isnull=False).exists()
    assert "石川 浩" in client.get("/o/org-a/training/sessions/").content.decode()
    future = dict(data, held_on=(timezone.localdate() + timedelta(days=2)).isoformat())
    assert "cannot be in the future" in client.post("/o/org-a/training/sessions/new/", future).content.decode()


QUIZ = "? 席を離れるときは？\n- そのまま\n* 画面をロック\n> ロックします。\n\n? 不審なメールは？\n* 相談する\n- 開く"


def test_own_lessons_preview_and_save_with_sanitised_markdown(client, personas, staff, unscoped):
    client.force_login(personas.manager)
    url = "/o/org-a/training/modules/new/"
    assert client.get(url).status_code == 200
    body = "## きまり\n\n<script>alert(1)</script>\n\n[link](javascript:alert(1)) <img src=x onerror=alert(1)>"
    data = {"title": "当社のきまり", "summary": "", "minutes": "5", "body": body, "quiz": QUIZ, "pass_mark": "80",
            "is_active": "on"}
    preview = client.post(url, dict(data, preview="1"))
    page = preview.content.decode()
    html = page[page.index('<section class="card lesson"') : page.index("</section>")]
    assert preview.status_code == 200 and "<h2>きまり</h2>" in html
    assert "<script" not in html and "javascript:" not in html and "onerror" not in html and "<img" not in html
    assert "&lt;script&gt;" in page  # the source in the text box is shown escaped
    with unscoped():
        assert not CustomModule.objects.exists()
    assert client.post(url, data).status_code == 302
    with unscoped():
        module = CustomModule.objects.get()
        assert AuditEvent.objects.filter(action="training.module_saved").exists()
    bad = client.post(f"/o/org-a/training/modules/{module.pk}/", dict(data, quiz="? no answers\n- a\n- b"))
    assert "mark exactly one answer" in bad.content.decode()
    # Assign it and take it as the member.
    client.post("/o/org-a/training/assign/", {"module_id": module.module_id, "audience": "people",
                                             "employees": [staff.member.pk], "due_on": _due()})
    with unscoped():
        a = Assignment.objects.get(module_id=module.module_id)
        assert a.custom_module == module
    client.force_login(personas.member)
    lesson = client.get(f"/o/org-a/training/lessons/{a.pk}/").content.decode()
    assert "<h2>きまり</h2>" in lesson and "<script>alert" not in lesson and "javascript:" not in lesson
    assert "onerror" not in lesson
    result = client.post(f"/o/org-a/training/lessons/{a.pk}/quiz/", {"q1": "b", "q2": "a"})
    assert "You passed with 100%" in result.content.decode()
    assert client.get(f"/o/org-a/training/lessons/{a.pk}/certificate/").status_code == 200


def test_lesson_preview_and_list(client, personas):
    client.force_login(personas.manager)
    assert "Signs of a fake email" in client.get("/o/org-a/training/preview/?module=phishing-bec").content.decode()
    assert client.get("/o/org-a/training/preview/?module=nope").status_code == 302
    assert client.get("/o/org-a/training/modules/").status_code == 200


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_export_lists_every_record_and_neutralises_formulas(client, personas, staff, assign, unscoped, fmt):
    with unscoped():
        Employee.objects.filter(pk=staff.colleague.pk).update(name="=HYPERLINK(\"http://x\")")
    assign(staff.member, completed_at=timezone.now(), score=90, attempts=2, certificate_code="TR-AAAA-BBBB-CCCC")
    assign(staff.colleague)
    client.force_login(personas.owner)
    response = client.get(f"/o/org-a/training/export/?format={fmt}")
    assert response.status_code == 200
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    else:
        rows = [[c if c is not None else "" for c in r] for r in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)]
    assert len(rows) == 3
    flat = [str(c) for r in rows for c in r]
    assert "TR-AAAA-BBBB-CCCC" in flat and "鈴木 一郎" in flat
    assert "'=HYPERLINK(\"http://x\")" in flat
    with unscoped():
        assert AuditEvent.objects.filter(action="training.exported", data__format=fmt).exists()
    assert client.get("/o/org-a/training/export/?format=pdf").status_code == 404


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize(
    "path",
    ["people/", "assign/", "rules/", "sessions/", "sessions/new/", "modules/", "modules/new/", "preview/?module=generative-ai", "mine/"],
)
def test_manager_pages_render_in_both_languages(client, personas, staff, assign, language, path):
    assign(staff.member)
    client.cookies["ippo_language"] = language
    client.force_login(personas.manager)
    response = client.get(f"/o/org-a/training/{path}")
    assert response.status_code == 200 and response["Content-Language"] == language


def test_hard_questions_are_shown_without_names(client, personas, staff, assign, unscoped):
    from ippo.training.lessons import builtin_modules
    from ippo.training.models import QuizAttempt

    module = builtin_modules()["phishing-bec"]
    hard = module.questions[2]
    a = assign(staff.colleague, "phishing-bec")
    with unscoped():
        for i in range(6):
            answers = {q.id: q.answer for q in module.questions}
            if i < 4:
                answers[hard.id] = next(c.id for c in hard.choices if c.id != hard.answer)
            QuizAttempt.objects.create(organization=personas.org, assignment=a, submitted_at=timezone.now(),
                                       score=80, passed=True, answers=answers)
    client.force_login(personas.owner)
    body = client.get("/o/org-a/training/").content.decode()
    assert escape(hard.text.en) in body and "67%" in body and "(4/6)" in body
    assert "加藤 大輔" not in body.split("Questions people find hard")[1].split("</table>")[0]


def test_my_training_query_count_is_constant(client, personas, staff, assign):
    client.force_login(personas.member)
    assign(staff.member)
    before = query_count(client, "/o/org-a/training/mine/")
    for m in ("phishing-bec", "generative-ai", "ransomware-backup"):
        assign(staff.member, m, completed_at=timezone.now(), score=100)
    assert query_count(client, "/o/org-a/training/mine/") == before


def test_a_pasted_attendance_list_is_matched_to_employees(client, personas, staff, unscoped):
    client.force_login(personas.manager)
    held = timezone.localdate().isoformat()
    data = {"held_on": held, "module_id": "ransomware-backup", "facilitator": "石川 浩",
            "pasted": "藤田勇\nKATO@a.example\n\n知らない 人"}
    response = client.post("/o/org-a/training/sessions/new/", data)
    assert response.status_code == 200 and "知らない 人" in response.content.decode()
    data["pasted"] = "藤田 勇\nKATO@a.example"
    assert client.post("/o/org-a/training/sessions/new/", data).status_code == 302
    with unscoped():
        assert set(GroupSession.objects.get().attendees.values_list("pk", flat=True)) == {staff.worker.pk, staff.colleague.pk}


def test_one_persons_training_page(client, personas, staff, assign):
    assign(staff.colleague, "passwords-mfa", due_in=-2)
    assign(staff.colleague, "phishing-bec", completed_at=timezone.now(), completed_via="quiz", score=100)
    client.force_login(personas.manager)
    url = f"/o/org-a/training/people/{staff.colleague.pk}/"
    body = client.get(url).content.decode()
    assert "加藤 大輔" in body and "Certificate (PDF)" in body and 'class="overdue"' in body
    before = query_count(client, url)
    for m in ("generative-ai", "ransomware-backup", "social-engineering"):
        assign(staff.colleague, m)
    assert query_count(client, url) == before
    client.force_login(personas.member)
    assert client.get(url).status_code == 403
