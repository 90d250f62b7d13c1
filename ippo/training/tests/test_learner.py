"""The learner's flow: my training, a lesson, the quiz graded on the server, the certificate.
Nothing completes on a GET."""

from __future__ import annotations

import pytest

from ippo.core.models import AuditEvent
from ippo.training.models import Assignment, QuizAttempt
from ippo.training.tests.conftest import right_answers, wrong_answers

pytestmark = pytest.mark.django_db


def _url(name, a):
    return f"/o/org-a/training/lessons/{a.pk}/" + {"detail": "", "quiz": "quiz/", "certificate": "certificate/"}[name]


def test_my_training_lists_my_open_and_completed_lessons(client, personas, staff, assign):
    mine = assign(staff.member, "passwords-mfa")
    other = assign(staff.colleague, "generative-ai")
    client.force_login(personas.member)
    body = client.get("/o/org-a/training/mine/").content.decode()
    assert f"/training/lessons/{mine.pk}/" in body
    assert f"/training/lessons/{other.pk}/" not in body


def test_a_member_opening_the_pillar_page_sees_their_own_training(client, personas, staff, assign):
    assign(staff.member)
    client.force_login(personas.member)
    response = client.get("/o/org-a/training/")
    assert response.status_code == 200
    assert "My training" in response.content.decode()
    assert "Completion by department" not in response.content.decode()


def test_a_member_without_an_employee_entry_is_told_why_nothing_is_listed(client, personas):
    client.force_login(personas.member)
    body = client.get("/o/org-a/training/mine/").content.decode()
    assert "not linked to an entry in the employee list" in body


def test_the_lesson_page_shows_the_sections_and_never_the_answers(client, personas, staff, assign):
    a = assign(staff.member, "phishing-bec")
    client.force_login(personas.member)
    body = client.get(_url("detail", a)).content.decode()
    assert "Phishing and invoice or bank-change fraud" in body
    assert "Signs of a fake email" in body
    quiz = client.get(_url("quiz", a)).content.decode()
    assert 'type="radio"' in quiz and "✓" not in quiz and "quiz-verdict" not in quiz


@pytest.mark.parametrize("language", ["ja", "en"])
def test_lesson_and_quiz_render_in_both_languages(client, personas, staff, assign, language):
    a = assign(staff.member, "passwords-mfa")
    client.cookies["ippo_language"] = language
    client.force_login(personas.member)
    for name in ("detail", "quiz"):
        response = client.get(_url(name, a))
        assert response.status_code == 200
        assert response["Content-Language"] == language
    assert ("小テスト" if language == "ja" else "Quiz") in client.get(_url("detail", a)).content.decode()


def test_gets_never_complete_a_lesson(client, personas, staff, assign, unscoped):
    a = assign(staff.member, "passwords-mfa")
    client.force_login(personas.member)
    for name in ("detail", "quiz", "certificate"):
        client.get(_url(name, a))
    client.get(_url("quiz", a) + "?" + "&".join(f"{k}={v}" for k, v in right_answers("passwords-mfa").items()))
    with unscoped():
        a.refresh_from_db()
        assert a.completed_at is None and a.attempts == 0
        assert not QuizAttempt.objects.exists()


def test_a_failed_quiz_shows_explanations_and_records_the_attempt_only(client, personas, staff, assign, unscoped):
    a = assign(staff.member, "passwords-mfa")
    client.force_login(personas.member)
    response = client.post(_url("quiz", a), wrong_answers("passwords-mfa"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "You scored 0%" in body and "Not quite" in body and "try again" in body.lower()
    with unscoped():
        a.refresh_from_db()
        assert a.completed_at is None and a.attempts == 1 and a.score == 0
        assert QuizAttempt.objects.get().passed is False


def test_a_passed_quiz_completes_the_lesson_once_with_a_certificate_number(client, personas, staff, assign, unscoped):
    a = assign(staff.member, "passwords-mfa")
    client.force_login(personas.member)
    client.post(_url("quiz", a), wrong_answers("passwords-mfa"))
    body = client.post(_url("quiz", a), right_answers("passwords-mfa")).content.decode()
    assert "You passed with 100%" in body and "Download the certificate" in body
    with unscoped():
        a.refresh_from_db()
        first_completed, code = a.completed_at, a.certificate_code
        assert first_completed and a.completed_via == "quiz" and a.score == 100 and a.attempts == 2
        assert code.startswith("TR-") and len(code) == 17
        assert AuditEvent.objects.filter(action="training.completed", target_id=str(a.pk), actor=personas.member).count() == 1
    client.post(_url("quiz", a), right_answers("passwords-mfa"))  # practice again
    with unscoped():
        a.refresh_from_db()
        assert (a.completed_at, a.certificate_code, a.attempts) == (first_completed, code, 3)
        assert AuditEvent.objects.filter(action="training.completed").count() == 1


def test_an_incomplete_answer_sheet_is_not_graded(client, personas, staff, assign, unscoped):
    a = assign(staff.member, "passwords-mfa")
    client.force_login(personas.member)
    answers = right_answers("passwords-mfa")
    answers.pop(next(iter(answers)))
    response = client.post(_url("quiz", a), answers)
    assert response.status_code == 400 and "Please answer every question" in response.content.decode()
    with unscoped():
        assert Assignment.objects.get(pk=a.pk).attempts == 0


def test_made_up_answers_score_nothing(client, personas, staff, assign, unscoped):
    a = assign(staff.member, "passwords-mfa")
    client.force_login(personas.member)
    client.post(_url("quiz", a), {q: "zzz" for q in right_answers("passwords-mfa")})
    with unscoped():
        a.refresh_from_db()
        assert a.completed_at is None and a.score == 0


def test_nobody_can_take_someone_elses_quiz(client, personas, staff, assign, unscoped):
    a = assign(staff.colleague, "passwords-mfa")
    for user in (personas.member, personas.owner):
        client.force_login(user)
        response = client.post(_url("quiz", a), right_answers("passwords-mfa"))
        assert response.status_code == 302
    with unscoped():
        a.refresh_from_db()
        assert a.completed_at is None and not QuizAttempt.objects.exists()


def test_a_member_opening_someone_elses_lesson_is_sent_to_their_own(client, personas, staff, assign):
    a = assign(staff.colleague)
    client.force_login(personas.member)
    for name in ("detail", "certificate"):
        response = client.get(_url(name, a))
        assert response.status_code == 302 and response["Location"] == "/o/org-a/training/mine/"


def test_the_certificate_is_a_pdf_once_passed(client, personas, staff, assign):
    a = assign(staff.member, "passwords-mfa")
    client.force_login(personas.member)
    assert client.get(_url("certificate", a)).status_code == 302
    client.post(_url("quiz", a), right_answers("passwords-mfa"))
    response = client.get(_url("certificate", a))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    # A manager may download it too (for audits); a colleague may not.
    client.force_login(personas.owner)
    assert client.get(_url("certificate", a)).status_code == 200


def test_the_quiz_rejects_other_methods(client, personas, staff, assign):
    a = assign(staff.member)
    client.force_login(personas.member)
    assert client.put(_url("quiz", a)).status_code == 405
    assert client.post(_url("detail", a)).status_code == 405
    assert client.post(_url("certificate", a)).status_code == 405


def test_a_cancelled_assignment_is_gone(client, personas, staff, assign):
    from django.utils import timezone

    a = assign(staff.member, cancelled_at=timezone.now())
    client.force_login(personas.member)
    assert client.get(_url("detail", a)).status_code == 404


def test_a_certificate_number_can_be_checked_publicly(client, personas, staff, assign):
    from django.utils import timezone

    assign(staff.member, completed_at=timezone.now(), completed_via="quiz", score=100, certificate_code="TR-ABCD-EFGH-JKLM")
    assign(staff.colleague, cancelled_at=timezone.now(), completed_at=timezone.now(), certificate_code="TR-ZZZZ-ZZZZ-ZZZZ")
    assert client.get("/learn/verify/").status_code == 200
    found = client.get("/learn/verify/?code=tr-abcd-efgh-jklm ")
    body = found.content.decode()
    assert found.status_code == 200 and "genuine" in body and "鈴木 一郎" in body and "Org A" in body
    assert found["X-Robots-Tag"].startswith("noindex")
    for code in ("TR-ZZZZ-ZZZZ-ZZZZ", "TR-0000-0000-0000"):
        response = client.get(f"/learn/verify/?code={code}")
        assert response.status_code == 404 and "No certificate has this number" in response.content.decode()
    assert client.post("/learn/verify/").status_code == 405
