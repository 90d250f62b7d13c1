"""Sending profiles: the password is encrypted at rest and never shown back, a test message really goes
through the server, the sender domain check is stored (or says it is not available), writes are audited."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from ippo.core.models import AuditEvent
from ippo.phishing.models import SendingProfile

pytestmark = pytest.mark.django_db

SECRET = "S3cret-パスワード-42"  # noqa: S105 — a test value


def _form(**extra):
    data = {
        "name": "訓練用",
        "host": "127.0.0.1",
        "port": "2525",
        "security": "none",
        "username": "drill",
        "password": SECRET,
        "from_address": "info@drill-mail.example",
        "messages_per_minute": "30",
    }
    data.update(extra)
    return data


def test_create_stores_the_password_encrypted_and_never_shows_it(owner_client, personas):
    response = owner_client.post("/o/org-a/drills/profiles/new/", _form())
    assert response.status_code == 302
    with scopes_disabled():
        profile = SendingProfile.objects.get(organization=personas.org)
        assert profile.password_encrypted.startswith("enc1:") and SECRET not in profile.password_encrypted
        assert profile.get_password() == SECRET
        event = AuditEvent.objects.get(action="sendingprofile.created")
        assert SECRET not in str(event.data)
    html = owner_client.get(response["Location"]).content.decode()
    assert SECRET not in html and profile.password_encrypted not in html
    assert "A password is stored. Leave this empty to keep it." in html


def test_an_empty_password_keeps_the_stored_one(owner_client, personas):
    owner_client.post("/o/org-a/drills/profiles/new/", _form())
    with scopes_disabled():
        profile = SendingProfile.objects.get(organization=personas.org)
    response = owner_client.post(
        f"/o/org-a/drills/profiles/{profile.pk}/", _form(password="", messages_per_minute="10")
    )
    assert response.status_code == 302
    with scopes_disabled():
        profile.refresh_from_db()
        assert profile.get_password() == SECRET and profile.messages_per_minute == 10
        assert AuditEvent.objects.filter(action="sendingprofile.updated").exists()


def test_bad_input_is_explained_and_nothing_is_lost(owner_client, personas):
    response = owner_client.post(
        "/o/org-a/drills/profiles/new/", _form(host="http://mail.example/", port="0")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "without http://" in html and "from 1 to 65535" in html
    assert 'value="info@drill-mail.example"' in html and 'value="訓練用"' in html
    with scopes_disabled():
        assert not SendingProfile.objects.exists()


def test_send_a_test_message_through_the_server(owner_client, personas, profile, smtp_sink):
    response = owner_client.post(
        f"/o/org-a/drills/profiles/{profile.pk}/test/", {"to_address": "me@a.example"}
    )
    assert response.status_code == 302
    received = smtp_sink.wait_for(1)
    assert received[0].rcpt_tos == ["me@a.example"] and received[0].mail_from == "info@drill-mail.example"
    html = owner_client.get(response["Location"]).content.decode()
    assert "A test message was sent to me@a.example" in html
    with scopes_disabled():
        assert AuditEvent.objects.get(action="sendingprofile.tested").data["ok"] is True


def test_a_test_message_that_fails_says_why(owner_client, personas, profile):
    with scopes_disabled():
        profile.port = 1
        profile.save()
    response = owner_client.post(
        f"/o/org-a/drills/profiles/{profile.pk}/test/", {"to_address": "me@a.example"}, follow=True
    )
    assert "The test message could not be sent" in response.content.decode()


def test_the_domain_check_is_stored_or_not_available(owner_client, personas, profile, monkeypatch):
    from ippo.phishing import services

    monkeypatch.setattr(services, "_sender_domain_check", lambda: None)  # an installation without the checks
    response = owner_client.post(f"/o/org-a/drills/profiles/{profile.pk}/check/", follow=True)
    assert "Check not available" in response.content.decode()
    with scopes_disabled():
        profile.refresh_from_db()
        assert profile.domain_check["available"] is False


def test_the_domain_check_result_is_shown_with_guidance(owner_client, personas, profile, monkeypatch):
    calls = []

    def sender_domain_check(domain, *, resolver=None):
        calls.append(domain)
        return [
            {"check": "SPF", "status": "pass", "message": "SPF allows the server."},
            {"check": "DMARC", "status": "fail", "message": "No DMARC record."},
        ]

    from ippo.phishing import services

    monkeypatch.setattr(services, "_sender_domain_check", lambda: sender_domain_check)
    # a domain reserved for examples is not looked up at all
    owner_client.post(f"/o/org-a/drills/profiles/{profile.pk}/check/")
    assert calls == []
    with scopes_disabled():
        profile.refresh_from_db()
        assert profile.domain_check["results"][0]["status"] == "na"
        profile.from_address = "info@kunren.ippo-sample.jp"
        profile.save()
    owner_client.post(f"/o/org-a/drills/profiles/{profile.pk}/check/")
    assert calls == ["kunren.ippo-sample.jp"]
    html = owner_client.get(f"/o/org-a/drills/profiles/{profile.pk}/").content.decode()
    assert "No DMARC record." in html and "Use a domain kept only for drills" in html
    with scopes_disabled():
        profile.refresh_from_db()
        assert [r["status"] for r in profile.domain_check["results"]] == ["pass", "fail"]
        assert AuditEvent.objects.filter(action="sendingprofile.domain_checked").exists()


def test_a_member_cannot_see_profiles(client, personas, profile):
    client.force_login(personas.member)
    assert client.get("/o/org-a/drills/profiles/").status_code == 403
    assert (
        client.post(f"/o/org-a/drills/profiles/{profile.pk}/test/", {"to_address": "x@a.example"}).status_code
        == 403
    )


def test_post_only_actions_refuse_get(owner_client, profile):
    for action in ("test", "check", "delete"):
        assert owner_client.get(f"/o/org-a/drills/profiles/{profile.pk}/{action}/").status_code == 405


@pytest.mark.parametrize("language", ["ja", "en"])
def test_profile_pages_render_in_both_languages(owner_client, profile, language):
    owner_client.cookies["ippo_language"] = language
    for url in (
        "/o/org-a/drills/profiles/",
        "/o/org-a/drills/profiles/new/",
        f"/o/org-a/drills/profiles/{profile.pk}/",
    ):
        response = owner_client.get(url)
        assert response.status_code == 200 and response["Content-Language"] == language
        html = response.content.decode()
        assert "<script>" not in html and " style=" not in html
    assert ("送信設定" if language == "ja" else "Sending profiles") in owner_client.get(
        "/o/org-a/drills/profiles/"
    ).content.decode()


def test_a_profile_in_use_cannot_be_deleted(owner_client, personas, profile):
    from ippo.phishing.models import Drill

    with scopes_disabled():
        Drill.objects.create(organization=personas.org, name="x", profile=profile)
    response = owner_client.post(f"/o/org-a/drills/profiles/{profile.pk}/delete/", follow=True)
    assert "cannot be deleted" in response.content.decode()
    with scopes_disabled():
        assert SendingProfile.objects.filter(pk=profile.pk).exists()
