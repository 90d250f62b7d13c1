import re

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from conftest import TOTP_SECRET, enrol_totp, totp_now
from ippo.core.demo import demo_load
from ippo.core.models import AuditEvent, Membership, Organization

PASSWORD = "a-Long-passw0rd!"


@pytest.fixture
def owner_without_mfa(make_user):
    user = make_user("boss@example.com")
    org = Organization.objects.create(name="Real Co", slug="real-co")
    Membership.objects.create(organization=org, user=user, role="owner")
    return user


@pytest.mark.parametrize("path", ["/", "/o/real-co/", "/o/real-co/members/", "/orgs/", "/settings/"])
def test_an_owner_without_mfa_reaches_only_the_mfa_setup(client, owner_without_mfa, path):
    client.force_login(owner_without_mfa)
    response = client.get(path)
    assert response.status_code == 302 and response["Location"] == reverse("mfa_index")


def _login(client, user):
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:300]
    # Changing two-step sign-in asks for the password again (allauth's reauthentication).
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302


def test_the_mfa_setup_pages_stay_reachable(client, owner_without_mfa):
    _login(client, owner_without_mfa)
    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.get(reverse("mfa_activate_totp")).status_code == 200


def test_members_are_not_forced_into_mfa(client, personas, make_user):
    client.force_login(personas.member)
    Authenticator.objects.filter(user=personas.member).delete()
    assert client.get("/o/org-a/").status_code == 200


def test_in_the_demo_company_mfa_is_offered_not_forced(client, db):
    _org, users = demo_load()
    client.force_login(users["owner"])
    response = client.get("/o/demo/")
    assert response.status_code == 200
    assert "デモ用の会社" in response.content.decode()


def test_enrolling_totp_lifts_the_restriction_and_is_audited(client, owner_without_mfa):
    client.force_login(owner_without_mfa)
    enrol_totp(owner_without_mfa)
    assert client.get("/o/real-co/").status_code == 200


def test_activating_totp_through_the_page(client, owner_without_mfa, django_capture_on_commit_callbacks):
    _login(client, owner_without_mfa)
    page = client.get(reverse("mfa_activate_totp"))
    secret = page.context["form"].secret
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_activate_totp"), {"code": totp_now(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=owner_without_mfa, type="totp").exists()
    assert AuditEvent.objects.filter(action="mfa.authenticator_added", actor=owner_without_mfa).exists()


def test_a_wrong_totp_code_gets_a_clear_message(client, owner_without_mfa):
    _login(client, owner_without_mfa)
    client.get(reverse("mfa_activate_totp"))
    response = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert response.status_code == 200
    assert "コードが正しくありません" in response.content.decode()
    assert not Authenticator.objects.filter(user=owner_without_mfa).exists()


def test_login_with_password_then_totp(client, personas):
    response = client.post(reverse("account_login"), {"login": personas.owner.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": totp_now(TOTP_SECRET)})
    assert response.status_code == 302
    assert client.get("/o/org-a/").status_code == 200
    assert AuditEvent.objects.filter(action="user.logged_in", actor=personas.owner).exists()


TOO_MANY = "ログイン失敗が連続しています"


def test_failed_logins_are_audited_and_rate_limited(client, personas):
    bodies = []
    for _ in range(6):
        response = client.post(reverse("account_login"), {"login": personas.owner.email, "password": "wrong"})
        bodies.append(response.content.decode())
    assert AuditEvent.objects.filter(action="user.login_failed").count() == 5
    assert TOO_MANY not in bodies[0] and TOO_MANY in bodies[-1]
    # Even the right password is refused while limited.
    response = client.post(reverse("account_login"), {"login": personas.owner.email, "password": PASSWORD})
    assert response.status_code == 200 and TOO_MANY in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_wrong_mfa_codes_are_rate_limited(client, personas):
    client.post(reverse("account_login"), {"login": personas.owner.email, "password": PASSWORD})
    bodies = [client.post(reverse("mfa_authenticate"), {"code": "000000"}).content.decode() for _ in range(6)]
    assert "コードが正しくありません" in bodies[0] and TOO_MANY in bodies[-1]
    response = client.post(reverse("mfa_authenticate"), {"code": totp_now(TOTP_SECRET)})
    assert TOO_MANY in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_passwords_are_hashed_with_argon2(settings, make_user):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = make_user("hash@example.com")
    assert user.password.startswith("argon2$argon2id$")


def test_signup_refuses_a_weak_password_with_a_clear_message(client, db):
    response = client.post(
        reverse("account_signup"), {"email": "a@example.com", "password1": "password", "password2": "password"}
    )
    assert response.status_code == 200
    assert "よく使われるパスワード" in response.content.decode()
    from ippo.accounts.models import User

    assert not User.objects.filter(email="a@example.com").exists()


def test_signup_confirms_the_address_by_code_then_asks_for_an_organisation(client, db, mailoutbox):
    response = client.post(
        reverse("account_signup"),
        {"email": "founder@example.com", "password1": "Correct-Horse-77", "password2": "Correct-Horse-77"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("account_email_verification_sent")
    assert client.get("/").status_code == 302 and "/accounts/login/" in client.get("/")["Location"]
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mailoutbox[-1].body, re.M).group(1)
    response = client.post(reverse("account_email_verification_sent"), {"code": "WRONG1"})
    assert "コードが正しくありません" in response.content.decode()
    response = client.post(reverse("account_email_verification_sent"), {"code": code})
    assert response.status_code == 302
    assert client.get("/")["Location"] == reverse("core:org_create")
    assert AuditEvent.objects.filter(action="user.signed_up").exists()
