"""/verify/ and /verify/<code>/: public, throttled, audited, and honest about what they prove."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled

from ippo.core.models import AuditEvent
from ippo.sharing import services, signing, throttle

pytestmark = pytest.mark.django_db


def test_the_start_page_takes_a_code_and_shows_the_key(client):
    response = client.get("/verify/")
    html = response.content.decode()
    assert response.status_code == 200 and "Check an evidence pack" in html
    assert signing.fingerprint_display() in html and "BEGIN PUBLIC KEY" in html
    assert response["Referrer-Policy"] == "no-referrer" and response["X-Robots-Tag"] == "noindex, nofollow"
    bad = client.get("/verify/", {"code": "hello"})
    assert bad.status_code == 200 and "has 12 letters and digits" in bad.content.decode()


def test_a_typed_code_is_tidied_and_looked_up(client, factory_pack):
    pack = factory_pack
    response = client.get("/verify/", {"code": pack.code.replace("-", " ").lower()})
    assert response.status_code == 302 and response["Location"] == f"/verify/{pack.code}/"
    loose = client.get(f"/verify/{pack.code.replace('-', '').lower()}/")
    assert loose.status_code == 302 and loose["Location"] == f"/verify/{pack.code}/"


@pytest.fixture
def factory_pack(personas):
    from tests.factories import FACTORIES

    with scopes_disabled():
        return FACTORIES["sharing.evidencepack"](personas.org, None)


def test_a_genuine_pack_shows_organisation_date_and_hash(client, factory_pack):
    pack = factory_pack
    response = client.get(f"/verify/{pack.code}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Genuine pack" in html and "Org A" in html and pack.sha256 in html
    assert "not an audit or a certification" in html
    assert response["Referrer-Policy"] == "no-referrer" and "no-store" in response["Cache-Control"]
    with scopes_disabled():
        event = AuditEvent.objects.get(action="evidencepack.checked")
    assert event.organization_id == pack.organization_id and event.actor_label == "visitor"
    assert event.data == {"code": pack.code, "what": "code"}


def test_a_withdrawn_pack_says_so(client, factory_pack, revoke):
    revoke(factory_pack)
    html = client.get(f"/verify/{factory_pack.code}/").content.decode()
    assert "Withdrawn pack" in html and "Genuine pack" not in html


def test_an_unknown_code_is_a_404_that_explains(client, personas):
    response = client.get(f"/verify/{services.code_generate()}/")
    assert response.status_code == 404 and "No pack with this code" in response.content.decode()
    assert client.get("/verify/" + "x" * 43 + "/").status_code == 404
    with scopes_disabled():
        assert not AuditEvent.objects.filter(action="evidencepack.checked").exists()


def test_a_tampered_record_cannot_be_confirmed(client, factory_pack):
    from ippo.sharing.models import EvidencePack

    with scopes_disabled():
        EvidencePack.objects.filter(pk=factory_pack.pk).update(sha256="0" * 64)
    html = client.get(f"/verify/{factory_pack.code}/").content.decode()
    assert "Cannot be confirmed" in html and "Genuine pack" not in html


def test_an_uploaded_file_is_compared_and_not_kept(client, factory_pack, tmp_path, settings):
    pack = factory_pack
    url = f"/verify/{pack.code}/"
    same = client.post(url, {"file": SimpleUploadedFile("pack.pdf", bytes(pack.pdf), "application/pdf")})
    assert same.status_code == 200 and "Your file is exactly the pack on record" in same.content.decode()
    other = client.post(
        url, {"file": SimpleUploadedFile("pack.pdf", bytes(pack.pdf) + b" ", "application/pdf")}
    )
    html = other.content.decode()
    assert "is <strong>not</strong> the pack on record" in html
    files = [p for p in settings.DATA_DIR.rglob("*") if p.is_file() and p.suffix == ".pdf"]
    assert not files


def test_lookups_are_throttled(client, factory_pack, monkeypatch):
    monkeypatch.setattr(throttle, "PER_KEY_LIMIT", 2)
    statuses = [client.get(f"/verify/{factory_pack.code}/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    monkeypatch.setattr(throttle, "PER_KEY_LIMIT", 100)
    monkeypatch.setattr(throttle, "PER_CLIENT_LIMIT", 5)
    guesses = [client.get(f"/verify/{services.code_generate()}/").status_code for _ in range(4)]
    assert guesses[-1] == 429  # three lookups above and these share the client's counter


def test_the_verify_pages_render_in_japanese(client, factory_pack):
    client.cookies["ippo_language"] = "ja"
    response = client.get(f"/verify/{factory_pack.code}/")
    assert response.status_code == 200 and '<html lang="ja">' in response.content.decode()
