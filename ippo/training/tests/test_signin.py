"""One-time sign-in links: bound to one employee, short-lived, single use, stored as a hash; a GET only
shows a button (mail scanners open links), the POST signs in."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from ippo.accounts.models import User, hash_token
from ippo.core.models import AuditEvent, Membership
from ippo.people.models import Employee
from ippo.training import services
from ippo.training.models import SignInLink

pytestmark = pytest.mark.django_db


def _send(employee, in_org, **kw) -> str:
    with TestCase.captureOnCommitCallbacks(execute=True), in_org():
        assert services.signinlink_send(employee=employee, **kw)
    message = mail.outbox[-1]
    assert message.to == [employee.email]
    return re.search(r"/learn/s/([\w-]+)/", message.body).group(1)


def test_a_link_is_mailed_and_only_its_hash_is_stored(staff, in_org, unscoped, django_capture_on_commit_callbacks):
    token = _send(staff.colleague, in_org)
    assert len(token) >= 43  # 32 random bytes
    with unscoped():
        link = SignInLink.objects.get()
        assert link.token_hash == hash_token(token) and token not in link.token_hash
        assert link.expires_at - link.created_at == services.LINK_VALID
        assert AuditEvent.objects.filter(action="training.link_sent").exists()


def test_opening_the_link_changes_nothing_and_the_button_signs_in(client, staff, in_org, unscoped, django_capture_on_commit_callbacks):
    token = _send(staff.colleague, in_org)
    url = f"/learn/s/{token}/"
    page = client.get(url)
    assert page.status_code == 200 and "<form method=\"post\"" in page.content.decode()
    assert page["X-Robots-Tag"].startswith("noindex") and page["Referrer-Policy"] == "same-origin"
    with unscoped():
        assert SignInLink.objects.get().used_at is None
        assert not User.objects.filter(email="kato@a.example").exists()
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == "/o/org-a/training/mine/"
    with unscoped():
        user = User.objects.get(email="kato@a.example")
        assert not user.has_usable_password() and user.name == "加藤 大輔"
        assert Membership.objects.get(user=user).role == "member"
        assert Employee.objects.get(pk=staff.colleague.pk).user == user
        assert SignInLink.objects.get().used_at is not None
        assert AuditEvent.objects.filter(action="training.link_used", actor=user).exists()
    assert client.get("/o/org-a/training/mine/").status_code == 200


def test_a_link_works_once(client, staff, in_org, django_capture_on_commit_callbacks):
    token = _send(staff.colleague, in_org)
    assert client.post(f"/learn/s/{token}/").status_code == 302
    client.logout()
    client.cookies["ippo_language"] = "en"
    again = client.post(f"/learn/s/{token}/")
    assert again.status_code == 410 and "already been used" in again.content.decode()
    assert client.get("/o/org-a/training/mine/").status_code == 302  # not signed in


def test_an_expired_link_does_not_sign_in(client, staff, in_org, unscoped, django_capture_on_commit_callbacks):
    token = _send(staff.colleague, in_org, now=timezone.now() - timedelta(hours=25))
    response = client.post(f"/learn/s/{token}/")
    assert response.status_code == 410 and "expired" in response.content.decode()
    with unscoped():
        assert not User.objects.filter(email="kato@a.example").exists()


def test_an_unknown_token_is_a_404(client):
    assert client.get("/learn/s/" + "x" * 43 + "/").status_code == 404
    assert client.post("/learn/s/" + "x" * 43 + "/").status_code == 404


def test_the_link_signs_in_only_the_person_it_was_sent_to(client, personas, staff, in_org, unscoped, django_capture_on_commit_callbacks):
    """The member's link signs in the member's account, whoever is signed in on the device."""
    token = _send(staff.member, in_org)
    client.force_login(personas.viewer)
    client.post(f"/learn/s/{token}/")
    assert int(client.session["_auth_user_id"]) == personas.member.pk
    with unscoped():
        assert Employee.objects.get(pk=staff.colleague.pk).user is None


def test_an_account_with_two_step_sign_in_cannot_use_a_link(client, personas, staff, in_org, unscoped, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        token = _send(staff.boss, in_org)  # linked to the manager, who uses two-step sign-in
    response = client.post(f"/learn/s/{token}/")
    assert response.status_code == 410 and "two-step sign-in" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_people_without_a_mailbox_or_who_left_get_no_link(staff, in_org):
    with in_org():
        assert not services.signinlink_send(employee=staff.worker)
        staff.colleague.is_active = False
        staff.colleague.save()
        assert not services.signinlink_send(employee=staff.colleague)


def test_links_per_hour_are_limited(staff, in_org):
    with in_org():
        sent = [services.signinlink_send(employee=staff.colleague) for _ in range(services.LINKS_PER_HOUR + 2)]
    assert sent.count(True) == services.LINKS_PER_HOUR


def test_asking_for_a_new_link_always_gets_the_same_answer(client, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post("/learn/new-link/", {"email": "KATO@a.example"})
        unknown = client.post("/learn/new-link/", {"email": "nobody@a.example"})
    assert known.status_code == unknown.status_code == 200
    strip = lambda r: re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", r.content.decode())  # noqa: E731
    assert strip(known) == strip(unknown)
    assert [m.to for m in mail.outbox] == [["kato@a.example"]]
    assert client.get("/learn/new-link/").status_code == 200


def test_the_manager_can_send_a_link_from_the_people_page(client, personas, staff, django_capture_on_commit_callbacks):
    client.force_login(personas.owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/o/org-a/training/people/{staff.colleague.pk}/send-link/")
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["kato@a.example"]
    client.force_login(personas.member)
    assert client.post(f"/o/org-a/training/people/{staff.colleague.pk}/send-link/").status_code == 403


def test_the_link_mail_is_in_japanese_by_default(staff, in_org, settings):
    settings.LANGUAGE_CODE = "ja"
    _send(staff.colleague, in_org)
    message = mail.outbox[-1]
    assert "セキュリティ教育" in message.subject and "パスワードは不要" in message.body


def test_sending_a_link_needs_a_post(client, personas, staff):
    client.force_login(personas.owner)
    assert client.get(f"/o/org-a/training/people/{staff.colleague.pk}/send-link/").status_code == 405
    assert not mail.outbox


def test_the_token_reaches_the_task_queue_only_encrypted(staff, in_org, monkeypatch):
    from ippo.lib.crypto import decrypt
    from ippo.training import tasks

    queued = []
    stub = type("Stub", (), {"enqueue": staticmethod(lambda *args: queued.append(args))})
    monkeypatch.setattr(tasks, "signin_link_mail", stub)
    with TestCase.captureOnCommitCallbacks(execute=True), in_org():
        assert services.signinlink_send(employee=staff.colleague)
    (link_id, token_encrypted, language), = queued
    with in_org():
        link = SignInLink.objects.get(pk=link_id)
    token = decrypt(token_encrypted)
    assert token not in token_encrypted and hash_token(token) == link.token_hash and language == "ja"
