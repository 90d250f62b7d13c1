"""Share links: read-only, expiring, revocable, audited without addresses, showing nothing but the pack."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from ippo.core.models import AuditEvent
from ippo.sharing import throttle
from ippo.sharing.models import ShareLink

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(make_pack, make_link):
    pack = make_pack(language="en")
    link, token = make_link(pack)
    return pack, link, token


def _accesses():
    with scopes_disabled():
        return list(AuditEvent.objects.filter(action="sharelink.accessed").order_by("seq"))


def test_a_link_shows_the_pack_and_its_pdf_without_signing_in(client, shared):
    pack, link, token = shared
    response = client.get(f"/share/{token}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Information security: evidence for business partners" in html and pack.code in html
    assert "Org A" in html and "Yamada Taro" in html and pack.sha256 in html
    assert f"/share/{token}/pdf/" in html and f"/verify/{pack.code}/" in html
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]

    pdf = client.get(f"/share/{token}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content == bytes(pack.pdf) and "attachment" in pdf["Content-Disposition"]
    assert pdf["Referrer-Policy"] == "no-referrer"

    with scopes_disabled():
        link.refresh_from_db()
    assert link.access_count == 2 and link.last_accessed_at is not None


def test_every_opening_is_audited_without_address_or_browser(client, shared):
    pack, link, token = shared
    client.get(f"/share/{token}/", HTTP_USER_AGENT="Mozilla/5.0 Secret-Browser", REMOTE_ADDR="203.0.113.9")
    client.get(
        f"/share/{token}/pdf/", HTTP_USER_AGENT="Mozilla/5.0 Secret-Browser", REMOTE_ADDR="203.0.113.9"
    )
    events = _accesses()
    assert [e.data["what"] for e in events] == ["page", "pdf"]
    for event in events:
        assert event.organization_id == pack.organization_id and event.actor_id is None
        assert event.actor_label == "partner" and event.via == "share"
        assert event.target_type == "sharing.sharelink" and event.target_id == str(link.pk)
        blob = repr(event.payload())
        assert "203.0.113" not in blob and "Secret-Browser" not in blob and token not in blob


def test_unknown_expired_revoked_and_withdrawn_links_all_get_the_same_404(
    client, shared, make_link, revoke, personas
):
    from django_scopes import scope

    from ippo.sharing import services

    pack, link, token = shared
    unknown = client.get("/share/" + "x" * 43 + "/")
    assert unknown.status_code == 404

    expired_link, expired_token = make_link(pack, days=7)
    with scopes_disabled():
        ShareLink.objects.filter(pk=expired_link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    expired = client.get(f"/share/{expired_token}/")

    revoked_link, revoked_token = make_link(pack, days=90)
    with scope(organization=personas.org):
        services.sharelink_revoke(link=revoked_link, actor=personas.owner)
    revoked = client.get(f"/share/{revoked_token}/")

    assert client.get(f"/share/{token}/").status_code == 200
    revoke(pack)
    withdrawn = client.get(f"/share/{token}/")

    def page(response, token_):
        """The page without what differs on every page anyway: the CSRF token, and the page's own
        address in the language switch."""
        html = response.content.decode().replace(token_, "TOKEN")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)

    assert page(unknown, "x" * 43) == page(expired, expired_token) == page(revoked, revoked_token)
    assert page(withdrawn, token) == page(unknown, "x" * 43)
    for response in (expired, revoked, withdrawn):
        assert response.status_code == 404
        assert response["X-Robots-Tag"] == "noindex, nofollow"
    for token_ in (expired_token, revoked_token, token):
        assert client.get(f"/share/{token_}/pdf/").status_code == 404
    assert len(_accesses()) == 1  # only the one opening that worked


def test_the_share_page_shows_nothing_but_the_pack(client, shared, personas):
    from ippo.program.models import ActionItem

    pack, link, token = shared
    with scopes_disabled():
        ActionItem.objects.create(
            organization=personas.org, title="Secret plan: replace the firewall", source="manual", priority=1
        )
    html = client.get(f"/share/{token}/").content.decode()
    assert "Secret plan" not in html
    for user in personas.users.values():
        assert user.email not in html  # the maker's and members' addresses never appear
    assert "Partner K.K." not in html  # the link's own label is for the organisation only
    assert "/o/org-a/" not in html and 'class="sidenav"' not in html


def test_the_pack_keeps_what_it_said_when_the_records_change(client, shared, set_status):
    pack, link, token = shared
    none_yet = "None of the key measures is recorded as in place yet."
    assert none_yet in client.get(f"/share/{token}/").content.decode()
    set_status({"pr-mfa-email": "implemented", "pr-backup": "implemented"})
    after = client.get(f"/share/{token}/").content.decode()
    assert none_yet in after and "Multi-factor authentication on e-mail" not in after


def test_too_many_openings_are_refused_with_429(client, shared, monkeypatch):
    pack, link, token = shared
    monkeypatch.setattr(throttle, "PER_KEY_LIMIT", 3)
    statuses = [client.get(f"/share/{token}/").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    refused = client.get(f"/share/{token}/pdf/")
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    assert len(_accesses()) == 3  # refused requests are not counted as openings
    # Probing unknown tokens is throttled per client as well.
    monkeypatch.setattr(throttle, "PER_CLIENT_LIMIT", 8)
    probes = [client.get(f"/share/{'y' * 40}{n:03d}/").status_code for n in range(3)]
    assert probes[-1] == 429


def test_the_page_is_in_the_packs_language_and_the_frame_in_the_visitors(client, make_pack, make_link):
    pack = make_pack(language="ja")
    _link, token = make_link(pack)
    client.cookies["ippo_language"] = "en"
    html = client.get(f"/share/{token}/").content.decode()
    assert "情報セキュリティ対策状況のご説明" in html and 'lang="ja"' in html
    assert "Download the PDF" in html
