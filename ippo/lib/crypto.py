"""Encryption at rest for secrets ippo stores (MFA secrets now; SMTP passwords and API credentials later).

The key comes from IPPO_ENCRYPTION_KEY (a Fernet key: 32 url-safe base64 bytes) or, when unset, from a
key generated once into the data dir (`encryption_key`, mode 0600). Back the key up with the database:
without it, stored secrets cannot be read. Several keys may be given, comma-separated, newest first, to
rotate: new values are encrypted with the first, old ones still decrypt.
"""

from __future__ import annotations

import os
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "enc1:"


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    raw = os.environ.get("IPPO_ENCRYPTION_KEY", "").strip()
    if not raw:
        key_file = settings.DATA_DIR / "encryption_key"
        if not key_file.exists():
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(Fernet.generate_key())
        raw = key_file.read_text().strip()
    try:
        return MultiFernet([Fernet(k.strip().encode()) for k in raw.split(",") if k.strip()])
    except (ValueError, TypeError):
        raise ImproperlyConfigured(
            "IPPO_ENCRYPTION_KEY must be one or more Fernet keys (32 url-safe base64-encoded bytes), comma-separated."
        ) from None


def encrypt(text: str) -> str:
    return PREFIX + _fernet().encrypt(text.encode()).decode()


def decrypt(value: str) -> str:
    if not value.startswith(PREFIX):
        raise ValueError("not an ippo-encrypted value")
    try:
        return _fernet().decrypt(value[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        raise ValueError("cannot decrypt: wrong or missing encryption key") from None
