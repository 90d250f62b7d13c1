"""Training in a real browser: an employee signs in with the e-mailed one-time link, reads the lesson on a
phone-sized screen, fails the quiz once, passes it and downloads the certificate."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import timezone
from django_scopes import scope

from tests.browser.conftest import snapshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _answer(page, module_id: str, *, right: bool) -> None:
    from ippo.training.lessons import builtin_modules

    for q in builtin_modules()[module_id].questions:
        choice = q.answer if right else next(c.id for c in q.choices if c.id != q.answer)
        page.locator(f"input[name='{q.id}'][value='{choice}']").check()


def test_sign_in_with_a_link_take_the_quiz_and_download_the_certificate(page, live_server):
    from ippo.core.models import Organization
    from ippo.people.models import Department, Employee
    from ippo.training import services
    from ippo.training.models import Assignment

    org = Organization.objects.create(name="Learn Test Ltd", slug="learn-test")
    with scope(organization=org):
        dept = Department.objects.create(organization=org, name="営業部")
        employee = Employee.objects.create(organization=org, name="加藤 大輔", email="kato@learn.example", department=dept)
        assignment = Assignment.objects.create(
            organization=org,
            employee=employee,
            module_id="phishing-bec",
            due_on=timezone.localdate() + timedelta(days=14),
            assigned_at=timezone.now(),
        )
        with TestCase.captureOnCommitCallbacks(execute=True):
            assert services.signinlink_send(employee=employee, assignment=assignment)
    link = re.search(r"https?://\S+/learn/s/[\w-]+/", mail.outbox[-1].body).group(0)
    path = link[link.index("/learn/"):]

    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(path)
    snapshot(page, "training-signin")
    page.get_by_role("button").filter(has_text=re.compile("サインイン|Sign in")).last.click()
    page.wait_for_url(f"**/o/{org.slug}/training/lessons/{assignment.pk}/")
    assert page.locator("h1").inner_text().strip() == "不審なメールと振込先変更の詐欺"
    assert page.locator(".lesson-section").count() >= 3
    snapshot(page, "training-lesson-phone")

    page.locator(f"a[href='/o/{org.slug}/training/lessons/{assignment.pk}/quiz/']").click()
    _answer(page, "phishing-bec", right=False)
    page.locator("form button[type=submit]").last.click()
    assert page.locator(".quiz-verdict.wrong").count() >= 5
    assignment.refresh_from_db()
    assert assignment.completed_at is None and assignment.attempts == 1

    page.locator(f"a[href='/o/{org.slug}/training/lessons/{assignment.pk}/quiz/']").first.click()
    _answer(page, "phishing-bec", right=True)
    page.locator("form button[type=submit]").last.click()
    page.locator(".quiz-result").wait_for()
    snapshot(page, "training-quiz-passed")
    assignment.refresh_from_db()
    assert assignment.completed_at is not None and assignment.score == 100

    with page.expect_download() as download_info:
        page.locator(f"a[href='/o/{org.slug}/training/lessons/{assignment.pk}/certificate/']").first.click()
    download = download_info.value
    assert download.suggested_filename == f"ippo-certificate-{assignment.certificate_code}.pdf"
    with open(download.path(), "rb") as f:
        assert f.read(4) == b"%PDF"

    # The link was single-use.
    page.context.clear_cookies()
    page.goto(path)
    assert page.locator(".form-errors").count() == 1
    assert not [e for e in page.csp_errors if "Content Security Policy" in e], page.csp_errors
