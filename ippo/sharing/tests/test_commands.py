"""`ippo report partner` and `ippo report verify`: exit status 0 only for a genuine, unaltered, unrevoked pack."""

from __future__ import annotations

import io
import os

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from ippo.core.models import AuditEvent
from ippo.sharing import verification
from ippo.sharing.models import EvidencePack
from ippo.sharing.tests.conftest import pdf_tool

pytestmark = pytest.mark.django_db


def report(*args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("report", *args, stdout=out)
    except SystemExit as exc:
        return int(exc.code), out.getvalue()
    return 0, out.getvalue()


@pytest.fixture
def pack_file(make_pack, tmp_path):
    pack = make_pack(language="en")
    path = tmp_path / "pack.pdf"
    path.write_bytes(bytes(pack.pdf))
    return pack, path


def test_a_genuine_pack_passes(pack_file):
    pack, path = pack_file
    status, out = report("verify", str(path))
    assert status == 0
    assert out.startswith("genuine:") and pack.code in out and "Org A" in out and pack.sha256 in out


def test_an_altered_copy_fails_and_says_it_was_altered(pack_file, tmp_path):
    pack, path = pack_file
    data = bytearray(path.read_bytes())
    data[12] ^= 0x01  # inside the binary comment after the header: still a readable PDF, not the same bytes
    altered = tmp_path / "altered.pdf"
    altered.write_bytes(bytes(data))
    status, out = report("verify", str(altered))
    assert status == 1 and "NOT GENUINE" in out and "altered" in out and pack.code in out


def test_a_byte_flipped_anywhere_fails(pack_file, tmp_path):
    pack, path = pack_file
    data = bytearray(path.read_bytes())
    for position in (len(data) // 3, len(data) // 2, len(data) - 10):
        copy = bytearray(data)
        copy[position] ^= 0xFF
        altered = tmp_path / f"altered-{position}.pdf"
        altered.write_bytes(bytes(copy))
        status, out = report("verify", str(altered))
        assert status == 1 and "NOT GENUINE" in out, position


def test_a_withdrawn_pack_fails_and_says_so(pack_file, revoke):
    pack, path = pack_file
    revoke(pack)
    status, out = report("verify", str(path))
    assert status == 1 and "withdrew" in out and "NOT VALID" in out


def test_a_random_file_fails(tmp_path):
    random_file = tmp_path / "random.pdf"
    random_file.write_bytes(os.urandom(4096))
    status, out = report("verify", str(random_file))
    assert status == 1 and "not an evidence pack made by this ippo" in out
    status, out = report("verify", str(tmp_path / "missing.pdf"))
    assert status == 1 and "Cannot read" in out


def test_a_pack_whose_record_was_tampered_with_fails(pack_file):
    pack, path = pack_file
    with scopes_disabled():
        EvidencePack.objects.filter(pk=pack.pk).update(code="ZZZZ-ZZZZ-ZZZZ")  # signature covers the code
    status, out = report("verify", str(path))
    assert status == 1 and "signature does not match" in out


def test_another_pdf_naming_a_real_code_is_reported_as_altered(pack_file, tmp_path):
    """A forged document that copies a genuine code into its metadata is not the pack on record."""
    from ippo.lib.pdf import render_pdf

    pack, _path = pack_file
    forged = render_pdf(
        f'<html><head><meta name="keywords" content="ippo-pack:{pack.code}"></head><body>All ★★★★</body></html>'
    )
    assert verification.codes_in_pdf(forged) == [pack.code]
    result = verification.verify_file(forged)
    assert result.status == verification.ALTERED and result.pack.pk == pack.pk


def test_partner_makes_a_signed_pack_from_the_command_line(personas, make_pack, tmp_path):
    make_pack(language="en")  # the newest pack's contact is reused
    out_file = tmp_path / "partner.pdf"
    status, out = report("partner", "--org", "org-a", "--lang", "ja", "--out", str(out_file))
    assert status == 0 and "Wrote" in out and "/verify/" in out
    with scopes_disabled():
        pack = EvidencePack.objects.order_by("-pk").first()
        event = AuditEvent.objects.filter(action="evidencepack.created").order_by("-seq").first()
    assert out_file.read_bytes() == bytes(pack.pdf) and pack.language == "ja" and pack.created_by is None
    assert pack.contact_name == "Yamada Taro"
    assert (
        event.via == "cli" and event.actor_label == "ippo report partner" and event.data["code"] == pack.code
    )
    assert "お問い合わせ先" in pdf_tool("pdftotext", out_file.read_bytes(), tmp_path)
    assert report("verify", str(out_file))[0] == 0


def test_partner_needs_a_known_organisation_and_an_existing_folder(personas, tmp_path):
    status, out = report("partner", "--org", "nope", "--out", str(tmp_path / "x.pdf"))
    assert status == 1 and "No organisation" in out
    status, out = report("partner", "--org", "org-a", "--out", str(tmp_path / "missing" / "x.pdf"))
    assert status == 1 and "does not exist" in out
    with scopes_disabled():
        assert not EvidencePack.objects.exists()
