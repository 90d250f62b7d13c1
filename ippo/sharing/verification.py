"""Is this evidence pack genuine? Used by `/verify/…` and by `ippo report verify FILE`.

A file is *genuine* when its SHA-256 is that of a pack this ippo made, the stored signature over
"ippo-pack:v1:<code>:<sha256>" checks out with this ippo's public key, and the pack has not been withdrawn.
Otherwise the answer says why: withdrawn (revoked), altered (the file names a pack we made, but its bytes
differ), signature not valid (the record or the key changed), or not an ippo pack at all.

The code a file names is read from its metadata (`Keywords: ippo-pack:CODE`), which WeasyPrint writes
inside a compressed object stream: the streams are inflated, with a size cap, and searched.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from dataclasses import dataclass

from django_scopes import scopes_disabled

from ippo.sharing import signing
from ippo.sharing.models import EvidencePack

GENUINE, REVOKED, ALTERED, BAD_SIGNATURE, UNKNOWN = (
    "genuine",
    "revoked",
    "altered",
    "bad_signature",
    "unknown",
)
MAX_FILE_BYTES = 20 * 1024 * 1024
_MAX_INFLATED = 8 * 1024 * 1024
_CODE_RE = re.compile(rb"ippo-pack:([A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4})")
_STREAM_RE = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)


@dataclass(frozen=True)
class Verification:
    status: str
    pack: EvidencePack | None = None
    sha256: str = ""  # of the file checked, when there was one

    @property
    def is_genuine(self) -> bool:
        return self.status == GENUINE


def codes_in_pdf(data: bytes) -> list[str]:
    """The pack codes a PDF names in its metadata, in order of appearance, without repeats."""
    found = [m.group(1) for m in _CODE_RE.finditer(data)]
    budget = _MAX_INFLATED
    for match in _STREAM_RE.finditer(data):
        if budget <= 0:
            break
        inflater = zlib.decompressobj()
        try:
            chunk = inflater.decompress(match.group(1), budget)
        except zlib.error:
            continue
        budget -= len(chunk)
        found.extend(m.group(1) for m in _CODE_RE.finditer(chunk))
    return list(dict.fromkeys(code.decode("ascii") for code in found))


def _lookup(**filters) -> EvidencePack | None:
    with scopes_disabled():
        return EvidencePack.objects.select_related("organization").defer("pdf").filter(**filters).first()


def _status_of(pack: EvidencePack) -> str:
    if not signing.signature_valid(signing.pack_message(pack.code, pack.sha256), pack.signature):
        return BAD_SIGNATURE
    return REVOKED if pack.revoked_at is not None else GENUINE


def verify_code(code: str) -> Verification:
    """What the record for a typed code says (no file to compare)."""
    pack = _lookup(code=code)
    if pack is None:
        return Verification(UNKNOWN)
    return Verification(_status_of(pack), pack)


def verify_file(data: bytes) -> Verification:
    sha256 = hashlib.sha256(data).hexdigest()
    pack = _lookup(sha256=sha256)
    if pack is not None:
        return Verification(_status_of(pack), pack, sha256)
    for code in codes_in_pdf(data) if data.startswith(b"%PDF") else ():
        pack = _lookup(code=code)
        if pack is not None:
            return Verification(ALTERED, pack, sha256)
    return Verification(UNKNOWN, None, sha256)


def verify_file_against(pack: EvidencePack, data: bytes) -> Verification:
    """An uploaded file compared with the pack whose code was typed."""
    sha256 = hashlib.sha256(data).hexdigest()
    if sha256 != pack.sha256:
        return Verification(ALTERED, pack, sha256)
    return Verification(_status_of(pack), pack, sha256)
