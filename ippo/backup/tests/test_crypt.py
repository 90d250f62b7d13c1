"""The chunked passphrase encryption: round trip, and every kind of tampering is detected."""

from __future__ import annotations

import io
import os
import struct

import pytest

from ippo.backup import crypt


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    monkeypatch.setattr(crypt, "CHUNK", 1024)
    monkeypatch.setattr(crypt, "SCRYPT", {"n": 2**10, "r": 8, "p": 1})  # fast for tests; header carries it


def _encrypt(data: bytes, passphrase: str = "pw") -> bytes:
    raw = io.BytesIO()
    writer = crypt.EncryptingWriter(raw, passphrase)
    for i in range(0, len(data), 700):
        writer.write(data[i : i + 700])
    writer.close()
    return raw.getvalue()


def _decrypt(blob: bytes, passphrase: str = "pw") -> bytes:
    return crypt.DecryptingReader(io.BytesIO(blob), passphrase).read()


def _chunks(blob: bytes) -> tuple[bytes, list[bytes]]:
    (hlen,) = struct.unpack(">I", blob[len(crypt.MAGIC) : len(crypt.MAGIC) + 4])
    pos = len(crypt.MAGIC) + 4 + hlen
    head, parts = blob[:pos], []
    while pos < len(blob):
        (n,) = struct.unpack(">I", blob[pos : pos + 4])
        parts.append(blob[pos : pos + 4 + n])
        pos += 4 + n
    return head, parts


@pytest.mark.parametrize("size", [0, 1, 1024, 1025, 5000])
def test_round_trip(size):
    data = os.urandom(size)
    assert _decrypt(_encrypt(data)) == data


def test_wrong_passphrase_is_told_apart():
    with pytest.raises(crypt.WrongPassphrase):
        _decrypt(_encrypt(b"x" * 3000), "other")


def test_dropped_last_chunk_is_detected():
    head, parts = _chunks(_encrypt(os.urandom(5000)))
    assert len(parts) == 5
    with pytest.raises(crypt.BackupError, match="incomplete"):
        _decrypt(head + b"".join(parts[:-1]))


def test_reordered_chunks_are_detected():
    head, parts = _chunks(_encrypt(os.urandom(5000)))
    with pytest.raises(crypt.BackupError, match="changed or damaged"):
        _decrypt(head + parts[1] + parts[0] + b"".join(parts[2:]))


def test_changed_header_is_detected():
    blob = bytearray(_encrypt(os.urandom(3000)))
    blob[len(crypt.MAGIC) + 10] ^= 1
    with pytest.raises(crypt.BackupError):
        _decrypt(bytes(blob))


def test_appended_data_is_detected():
    with pytest.raises(crypt.BackupError, match="extra data"):
        _decrypt(_encrypt(b"hello") + b"more")


def test_empty_passphrase_is_refused():
    with pytest.raises(crypt.BackupError):
        crypt.EncryptingWriter(io.BytesIO(), "")
