import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from ippo.accounts.models import Invitation, User
from ippo.core.models import AuditEvent, Membership


@pytest.fixture
def _invite(client, personas, django_capture_on_commit_callbacks):
    def invite(client, personas, email="newbie@example.com", role="member"):
        return _send(client, personas, django_capture_on_commit_callbacks, email, role)

    return invite


def _send(client, personas, capture, email, role):
    client.force_login(personas.manager)
    with capture(execute=True):
        response = client.post("/o/org-a/members/invite/", {"email": email, "role": role})
    assert response.status_code == 302, response.content.decode()[:500]
    client.logout()
    link = re.search(r"https?://\S+/invite/(\S+)/", mail.outbox[-1].body)
    return link.group(1)


def test_an_invitation_mail_carries_a_single_use_link(client, personas, unscoped, _invite):
    token = _invite(client, personas)
    message = mail.outbox[-1]
    assert message.to == ["newbie@example.com"]
    assert "Org A" in message.subject
    with unscoped():
        invitation = Invitation.objects.get(email="newbie@example.com")
    assert invitation.token_hash != token and token not in str(invitation.__dict__)
    assert AuditEvent.objects.filter(action="invitation.created", organization=personas.org).exists()


def test_a_new_employee_accepts_without_a_password_and_is_signed_in(client, personas, unscoped, _invite):
    token = _invite(client, personas)
    response = client.post(f"/invite/{token}/", {"name": "新人 さん", "password": ""})
    assert response.status_code == 302 and response["Location"] == "/o/org-a/"
    user = User.objects.get(email="newbie@example.com")
    assert not user.has_usable_password()
    with unscoped():
        assert Membership.objects.get(user=user).role == "member"
    assert client.get("/o/org-a/").status_code == 200
    assert AuditEvent.objects.filter(action="invitation.accepted", actor=user).exists()


def test_a_used_link_cannot_be_used_again(client, personas, _invite):
    token = _invite(client, personas)
    client.post(f"/invite/{token}/", {"name": ""})
    client.logout()
    response = client.get(f"/invite/{token}/")
    assert response.status_code == 410
    assert "この招待はすでに使われています" in response.content.decode()
    response = client.post(f"/invite/{token}/", {"name": "again"})
    assert response.status_code == 410
    assert User.objects.filter(email="newbie@example.com").count() == 1


def test_an_expired_link_says_so(client, personas, unscoped, _invite):
    token = _invite(client, personas)
    with unscoped():
        Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(f"/invite/{token}/")
    assert response.status_code == 410
    assert "有効期限が切れています" in response.content.decode()
    client.post(f"/invite/{token}/", {"name": "late"})
    assert not User.objects.filter(email="newbie@example.com").exists()


def test_a_wrong_link_says_so_in_english_too(client, personas):
    client.cookies["ippo_language"] = "en"
    response = client.get("/invite/not-a-real-token/")
    assert response.status_code == 404
    assert "This invitation link is not valid" in response.content.decode()


def test_a_cancelled_invitation_cannot_be_used(client, personas, unscoped, _invite):
    token = _invite(client, personas)
    with unscoped():
        invitation = Invitation.objects.get(email="newbie@example.com")
    client.force_login(personas.manager)
    client.post(f"/o/org-a/invitations/{invitation.pk}/revoke/")
    client.logout()
    response = client.get(f"/invite/{token}/")
    assert response.status_code == 410 and "取り消されました" in response.content.decode()


def test_a_weak_password_is_refused_and_nothing_is_saved(client, personas, _invite):
    token = _invite(client, personas)
    response = client.post(f"/invite/{token}/", {"name": "x", "password": "12345"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "短すぎます" in body or "パスワード" in body
    assert not User.objects.filter(email="newbie@example.com").exists()


def test_a_signed_in_person_with_another_address_cannot_take_the_invitation(client, personas, make_user, unscoped, _invite):
    token = _invite(client, personas)
    intruder = make_user("intruder@example.com")
    client.force_login(intruder)
    response = client.post(f"/invite/{token}/")
    assert response.status_code == 400
    assert "newbie@example.com" in response.content.decode()
    with unscoped():
        assert not Membership.objects.filter(user=intruder).exists()


def test_an_existing_account_is_asked_to_sign_in_first(client, personas, make_user, unscoped, _invite):
    existing = make_user("newbie@example.com")
    token = _invite(client, personas)
    page = client.get(f"/invite/{token}/").content.decode()
    assert "/accounts/login/?next=" in page
    client.post(f"/invite/{token}/", {"name": "x"})
    with unscoped():
        assert not Membership.objects.filter(user=existing).exists()
    client.force_login(existing)
    assert client.post(f"/invite/{token}/").status_code == 302
    with unscoped():
        assert Membership.objects.get(user=existing).role == "member"


def test_inviting_an_existing_member_gets_a_clear_message(client, personas):
    client.force_login(personas.manager)
    response = client.post("/o/org-a/members/invite/", {"email": personas.member.email, "role": "member"})
    assert response.status_code == 400
    assert "すでにこの組織に所属しています" in response.content.decode()
    assert len(mail.outbox) == 0


def test_a_bad_email_address_gets_a_clear_message(client, personas):
    client.force_login(personas.manager)
    response = client.post("/o/org-a/members/invite/", {"email": "not-an-address", "role": "member"})
    assert response.status_code == 400
    assert "有効なメールアドレス" in response.content.decode()


@pytest.mark.parametrize("role", ["manager", "advisor"])
def test_invited_staff_must_set_up_mfa_before_anything_else(client, personas, role, _invite):
    token = _invite(client, personas, email=f"{role}2@example.com", role=role)
    client.post(f"/invite/{token}/", {"name": "x", "password": "Sufficiently-long-pass-9"})
    response = client.get("/o/org-a/")
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/"
