"""Passphrase encryption of a backup archive, streamed in chunks so that large backups never sit in memory.

Format (all integers big-endian):

    MAGIC (13 bytes)  b"IPPOBAK-ENC1\\n"
    header length (4) + header JSON: {"kdf": "scrypt", "n", "r", "p", "salt" (hex), "chunk", "check" (hex)}
    chunks: length (4) + AES-256-GCM ciphertext with its tag

The key is derived from the passphrase with scrypt and a random salt, so every archive has its own key and
the nonces can be a simple counter: 11 bytes of chunk number and one byte that is 1 on the last chunk only
(a truncated file is detected). The whole header is authenticated with every chunk. `check` is a short
value encrypted under the key (nonce space of its own), so a wrong passphrase is told apart from damage.
"""

from __future__ import annotations

import json
import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"IPPOBAK-ENC1\n"
CHUNK = 1024 * 1024
SCRYPT = {"n": 2**15, "r": 8, "p": 1}
_CHECK_PLAIN = b"ippo-backup-key-check"
_CHECK_NONCE = b"\xff" * 12


class BackupError(Exception):
    """Anything wrong with a backup file, its passphrase or its contents; the message is for people."""


class WrongPassphrase(BackupError):
    pass


def _key(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode())


def _nonce(counter: int, final: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if final else b"\x00")


def is_encrypted(path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(len(MAGIC)) == MAGIC


class EncryptingWriter:
    """A write-only file object: what is written is encrypted into `raw` in CHUNK-sized pieces."""

    def __init__(self, raw, passphrase: str) -> None:
        if not passphrase:
            raise BackupError("The passphrase is empty.")
        salt = os.urandom(16)
        key = _key(passphrase, salt, **SCRYPT)
        self._aes = AESGCM(key)
        header = {
            "kdf": "scrypt",
            **SCRYPT,
            "salt": salt.hex(),
            "chunk": CHUNK,
            "check": self._aes.encrypt(_CHECK_NONCE, _CHECK_PLAIN, None).hex(),
        }
        self._header = json.dumps(header, sort_keys=True).encode()
        self._raw = raw
        raw.write(MAGIC + struct.pack(">I", len(self._header)) + self._header)
        self._buffer = bytearray()
        self._counter = 0
        self.closed = False

    def write(self, data) -> int:
        self._buffer += data
        while len(self._buffer) > CHUNK:  # keep at least one byte back: the last chunk is written on close
            self._emit(bytes(self._buffer[:CHUNK]), final=False)
            del self._buffer[:CHUNK]
        return len(data)

    def _emit(self, plain: bytes, *, final: bool) -> None:
        sealed = self._aes.encrypt(_nonce(self._counter, final), plain, self._header)
        self._raw.write(struct.pack(">I", len(sealed)) + sealed)
        self._counter += 1

    def flush(self) -> None:
        pass

    def close(self) -> None:
        if not self.closed:
            self._emit(bytes(self._buffer), final=True)
            self._buffer.clear()
            self.closed = True


class DecryptingReader:
    """A read-only file object giving back the plain bytes; raises BackupError on any tampering."""

    def __init__(self, raw, passphrase: str) -> None:
        if raw.read(len(MAGIC)) != MAGIC:
            raise BackupError("This is not an encrypted ippo backup.")
        try:
            (length,) = struct.unpack(">I", raw.read(4))
            if length > 4096:
                raise ValueError
            self._header = raw.read(length)
            header = json.loads(self._header)
            salt = bytes.fromhex(header["salt"])
            n, r, p = int(header["n"]), int(header["r"]), int(header["p"])
            if header.get("kdf") != "scrypt" or n > 2**20 or r > 32 or p > 16:
                raise ValueError
            check = bytes.fromhex(header["check"])
        except (ValueError, KeyError, TypeError, struct.error):
            raise BackupError("The backup file's header is damaged.") from None
        self._aes = AESGCM(_key(passphrase or "", salt, n, r, p))
        try:
            if self._aes.decrypt(_CHECK_NONCE, check, None) != _CHECK_PLAIN:
                raise InvalidTag
        except InvalidTag:
            raise WrongPassphrase(
                "The passphrase is wrong (or the backup file's header is damaged)."
            ) from None
        self._raw = raw
        self._counter = 0
        self._buffer = bytearray()
        self._done = False

    def _next_chunk(self) -> None:
        size = self._raw.read(4)
        if len(size) < 4:
            raise BackupError("The backup file is incomplete: it ends before its last part.")
        (length,) = struct.unpack(">I", size)
        sealed = self._raw.read(length)
        if len(sealed) < length or length > CHUNK + 64:
            raise BackupError("The backup file is incomplete or damaged.")
        for final in (False, True):
            try:
                plain = self._aes.decrypt(_nonce(self._counter, final), sealed, self._header)
            except InvalidTag:
                continue
            self._counter += 1
            self._buffer += plain
            if final:
                if self._raw.read(1):
                    raise BackupError("The backup file has extra data after its end.")
                self._done = True
            return
        raise BackupError(
            f"The backup file was changed or damaged (part {self._counter + 1} fails its check)."
        )

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._buffer) < size):
            self._next_chunk()
        if size < 0:
            size = len(self._buffer)
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def close(self) -> None:
        pass
