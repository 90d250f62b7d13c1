"""The organisation pages: list, make, read, download, share, revoke, withdraw; roles, languages, queries."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from ippo.core.models import AuditEvent
from ippo.sharing.models import EvidencePack, ShareLink
from ippo.sharing.services import token_hash
from tests.factories import FACTORIES
from tests.helpers import query_count

pytestmark = pytest.mark.django_db

LIST = "/o/org-a/evidence-packs/"


def _factory_pack(personas, with_links: int = 0):
    with scopes_disabled():
        pack = FACTORIES["sharing.evidencepack"](personas.org, None)
        for n in range(with_links):
            ShareLink.objects.create(
                organization=personas.org,
                pack=pack,
                token_hash=token_hash(f"{pack.code}-{n}"),
                expires_at=timezone.now() + timedelta(days=30),
                access_count=2,
            )
    return pack


def _events(action):
    with scopes_disabled():
        return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def test_making_a_pack_freezes_signs_and_audits_it(as_user, personas):
    client = as_user(personas.manager)
    form = client.get("/o/org-a/evidence-packs/new/").content.decode()
    assert 'value="manager@a.example"' in form  # prefilled with the person making it
    response = client.post(
        "/o/org-a/evidence-packs/new/",
        {
            "language": "en",
            "contact_name": "Sato",
            "contact_email": "sato@org-a.example",
            "contact_phone": "",
        },
    )
    with scopes_disabled():
        pack = EvidencePack.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/o/org-a/evidence-packs/{pack.pk}/"
    assert pack.created_by == personas.manager and pack.snapshot["contact"]["name"] == "Sato"
    assert pack.pdf[:5] == b"%PDF-" and len(pack.sha256) == 64
    [event] = _events("evidencepack.created")
    assert event.actor == personas.manager and event.data["code"] == pack.code
    # The next pack starts from the same contact.
    assert 'value="Sato"' in client.get("/o/org-a/evidence-packs/new/").content.decode()


def test_a_contact_needs_a_way_to_reach_them(as_user, personas):
    client = as_user(personas.owner)
    response = client.post("/o/org-a/evidence-packs/new/", {"language": "ja", "contact_name": "Sato"})
    assert response.status_code == 400
    assert "Give an e-mail address or a phone number" in response.content.decode()
    with scopes_disabled():
        assert not EvidencePack.objects.exists()


def test_the_pack_page_shows_code_links_and_preview(as_user, personas):
    pack = _factory_pack(personas, with_links=1)
    html = as_user(personas.manager).get(f"/o/org-a/evidence-packs/{pack.pk}/").content.decode()
    assert pack.code in html and pack.sha256 in html and f"/verify/{pack.code}/" in html
    assert "Information security: evidence for business partners" in html  # the preview
    assert "Create a share link" in html and "Withdraw this pack" in html and "Revoke" in html


def test_a_viewer_reads_and_downloads_but_cannot_share(as_user, personas):
    pack = _factory_pack(personas, with_links=1)
    client = as_user(personas.viewer)
    html = client.get(f"/o/org-a/evidence-packs/{pack.pk}/").content.decode()
    assert pack.code in html and "Create a share link" not in html and "Withdraw this pack" not in html
    assert "Make an evidence pack" not in client.get(LIST).content.decode()
    pdf = client.get(f"/o/org-a/evidence-packs/{pack.pk}/pdf/")
    assert pdf.status_code == 200 and pdf.content == bytes(pack.pdf)
    assert f"ippo-org-a-evidence-{pack.code}.pdf" in pdf["Content-Disposition"]
    assert client.post("/o/org-a/evidence-packs/links/new/", {"pack": pack.pk, "days": 30}).status_code == 403


def test_a_share_link_is_shown_once_and_only_its_hash_is_kept(as_user, personas):
    pack = _factory_pack(personas)
    client = as_user(personas.manager)
    response = client.post(
        "/o/org-a/evidence-packs/links/new/", {"pack": pack.pk, "days": "7", "label": "Big Customer Ltd"}
    )
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    url = re.search(r'value="(http://[^"]+/share/([^/"]+)/)"', response.content.decode())
    token = url.group(2)
    with scopes_disabled():
        link = ShareLink.objects.get()
    assert link.token_hash == token_hash(token) and link.label == "Big Customer Ltd"
    assert 6 <= (link.expires_at - link.created_at).days <= 7
    assert token not in client.get(f"/o/org-a/evidence-packs/{pack.pk}/").content.decode()
    [event] = _events("sharelink.created")
    assert token not in repr(event.payload()) and event.data["days"] == 7
    assert client.get(f"/share/{token}/").status_code == 200


def test_only_7_30_or_90_days(as_user, personas):
    pack = _factory_pack(personas)
    response = as_user(personas.owner).post(
        "/o/org-a/evidence-packs/links/new/", {"pack": pack.pk, "days": "365"}
    )
    assert response.status_code == 400
    with scopes_disabled():
        assert not ShareLink.objects.exists()


def test_revoking_a_link_stops_it_at_once(as_user, personas, make_pack, make_link):
    pack = make_pack()
    link, token = make_link(pack)
    client = as_user(personas.owner)
    response = client.post(f"/o/org-a/evidence-packs/links/{link.pk}/revoke/")
    assert response.status_code == 302 and response["Location"] == f"/o/org-a/evidence-packs/{pack.pk}/"
    client.logout()
    assert client.get(f"/share/{token}/").status_code == 404
    [event] = _events("sharelink.revoked")
    assert event.actor == personas.owner


def test_withdrawing_a_pack_revokes_its_links_and_blocks_new_ones(as_user, personas):
    pack = _factory_pack(personas, with_links=2)
    client = as_user(personas.owner)
    assert client.post(f"/o/org-a/evidence-packs/{pack.pk}/withdraw/").status_code == 302
    with scopes_disabled():
        pack.refresh_from_db()
        assert pack.revoked_by == personas.owner
        assert not ShareLink.objects.filter(revoked_at__isnull=True).exists()
    [event] = _events("evidencepack.revoked")
    assert event.data["links_revoked"] == 2
    html = client.get(f"/o/org-a/evidence-packs/{pack.pk}/").content.decode()
    assert "Withdrawn on" in html and "Create a share link" not in html
    assert client.post("/o/org-a/evidence-packs/links/new/", {"pack": pack.pk, "days": 30}).status_code == 400
    again = client.post(f"/o/org-a/evidence-packs/{pack.pk}/withdraw/", follow=True)
    assert "already been withdrawn" in again.content.decode()


def test_another_organisations_pack_cannot_be_shared(as_user, personas):
    with scopes_disabled():
        theirs = FACTORIES["sharing.evidencepack"](personas.other_org, None)
    response = as_user(personas.owner).post(
        "/o/org-a/evidence-packs/links/new/", {"pack": theirs.pk, "days": 30}
    )
    assert response.status_code == 400
    with scopes_disabled():
        assert not ShareLink.objects.exists()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_pages_render_in_both_languages(as_user, personas, language):
    pack = _factory_pack(personas, with_links=1)
    client = as_user(personas.owner)
    client.cookies["ippo_language"] = language
    for url in (
        LIST,
        "/o/org-a/evidence-packs/new/",
        f"/o/org-a/evidence-packs/{pack.pk}/",
        f"/o/org-a/evidence-packs/links/new/?pack={pack.pk}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'<html lang="{language}">' in response.content.decode(), url


def test_the_list_runs_the_same_queries_for_one_pack_or_many(as_user, personas):
    client = as_user(personas.viewer)
    _factory_pack(personas, with_links=1)
    one = query_count(client, LIST)
    for _ in range(4):
        _factory_pack(personas, with_links=2)
    html = client.get(LIST).content.decode()
    assert html.count("/o/org-a/evidence-packs/") >= 5
    assert query_count(client, LIST) == one
