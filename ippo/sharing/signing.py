"""The instance's signing key: Ed25519, generated once into `<data dir>/signing_key` (PEM, mode 0600).

Every evidence pack is signed with it over the canonical message "ippo-pack:v1:<code>:<sha256 of the PDF>".
The public key's fingerprint (SHA-256 of the 32 raw key bytes) is shown on the verification page, so a
partner can note it and later notice a changed key. Back the key file up with the database: without it,
packs made before cannot be verified any more (they then show as "signature does not match").

Several web servers sharing one database must share this file too (copy it, like `encryption_key`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import threading
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ippo.lib.env import data_dir

KEY_FILE = "signing_key"
MESSAGE_PREFIX = "ippo-pack:v1"

_lock = threading.Lock()
_cache: dict[Path, Ed25519PrivateKey] = {}


def key_path() -> Path:
    return data_dir() / KEY_FILE


def _create(path: Path) -> None:
    """Write a new key without ever exposing a half-written file: a private temporary file (0600) is
    hard-linked into place, which fails if another process created the key first."""
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    tmp = path.with_name(f".{KEY_FILE}.{os.getpid()}.{threading.get_ident()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process won the race: use its key
    finally:
        tmp.unlink(missing_ok=True)


def private_key() -> Ed25519PrivateKey:
    path = key_path()
    with _lock:
        key = _cache.get(path)
        if key is None:
            if not path.exists():
                _create(path)
            loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
            if not isinstance(loaded, Ed25519PrivateKey):
                raise ValueError(f"{path} does not hold an Ed25519 private key")
            _cache[path] = key = loaded
    return key


def public_key() -> Ed25519PublicKey:
    return private_key().public_key()


def public_key_raw() -> bytes:
    return public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_pem() -> str:
    return (
        public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def fingerprint() -> str:
    """SHA-256 of the raw public key, hex (64 characters)."""
    return hashlib.sha256(public_key_raw()).hexdigest()


def key_id() -> str:
    """The first 16 hex characters of the fingerprint, stored with each pack."""
    return fingerprint()[:16]


def fingerprint_display(value: str | None = None) -> str:
    """The fingerprint in groups of four for reading aloud: "1a2b 3c4d …"."""
    value = value or fingerprint()
    return " ".join(value[i : i + 4] for i in range(0, len(value), 4))


def pack_message(code: str, sha256: str) -> bytes:
    return f"{MESSAGE_PREFIX}:{code}:{sha256}".encode("ascii")


def sign(message: bytes) -> str:
    return base64.b64encode(private_key().sign(message)).decode("ascii")


def signature_valid(message: bytes, signature: str, key: Ed25519PublicKey | None = None) -> bool:
    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        return False
    try:
        (key or public_key()).verify(raw, message)
    except InvalidSignature:
        return False
    return True
