"""The instance's Ed25519 key and the pack signature."""

from __future__ import annotations

import stat

import pytest
from cryptography.hazmat.primitives import serialization

from ippo.sharing import signing


@pytest.fixture
def fresh_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("IPPO_DATA_DIR", str(tmp_path))
    yield tmp_path


def test_the_key_is_created_once_private_to_its_owner_and_reused(fresh_data_dir):
    assert not (fresh_data_dir / "signing_key").exists()
    first = signing.fingerprint()
    key_file = fresh_data_dir / "signing_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    signing._cache.clear()  # a new process reads the same file
    assert signing.fingerprint() == first and len(first) == 64
    assert not list(fresh_data_dir.glob(".signing_key.*")), "no temporary file left behind"


def test_a_signature_verifies_and_any_change_breaks_it(fresh_data_dir):
    message = signing.pack_message("ABCD-EFGH-JKLM", "a" * 64)
    assert message == b"ippo-pack:v1:ABCD-EFGH-JKLM:" + b"a" * 64
    signature = signing.sign(message)
    assert signing.signature_valid(message, signature)
    assert not signing.signature_valid(signing.pack_message("ABCD-EFGH-JKLM", "b" * 64), signature)
    assert not signing.signature_valid(signing.pack_message("ABCD-EFGH-JKLN", "a" * 64), signature)
    assert not signing.signature_valid(message, "not base64!")
    assert not signing.signature_valid(message, signature[:-4] + "AAA=")


def test_the_published_public_key_checks_the_signature_on_its_own(fresh_data_dir):
    """What a partner can do without ippo: load the PEM shown on the verification page and verify."""
    import base64

    message = signing.pack_message("ABCD-EFGH-JKLM", "c" * 64)
    signature = signing.sign(message)
    public = serialization.load_pem_public_key(signing.public_key_pem().encode())
    public.verify(base64.b64decode(signature), message)  # raises if wrong
    assert signing.fingerprint_display().count(" ") == 15


def test_a_different_key_does_not_verify(fresh_data_dir, tmp_path_factory, monkeypatch):
    message = signing.pack_message("ABCD-EFGH-JKLM", "d" * 64)
    signature = signing.sign(message)
    monkeypatch.setenv("IPPO_DATA_DIR", str(tmp_path_factory.mktemp("other-instance")))
    assert not signing.signature_valid(message, signature)
