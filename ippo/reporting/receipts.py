"""Receipt codes (受付番号): how someone who reported without an account comes back.

- 16 random digits (about 53 bits), shown in groups of four like a phone number, plus an optional passphrase.
- Stored only as an Argon2id hash of the code and passphrase with the organisation's salt (as GlobaLeaks
  does for whistleblowers), so a typed code can be looked up with one hash and never recovered.
- Guessing is limited without storing anything about the guesser: failed attempts are counted per keyed
  hash of the organisation and the first digits typed (per hour), and per organisation (per ten minutes).
  Over either limit, attempts are refused until the window passes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from argon2 import Type
from argon2.low_level import hash_secret
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Sum

from ippo.core.models import Organization
from ippo.reporting.models import GuessCounter

CODE_DIGITS = 16
PREFIX_DIGITS = 4
# OWASP's recommended minimum for Argon2id: 19 MiB, 2 iterations, 1 lane.
ARGON2_TIME_COST = 2
ARGON2_MEMORY_KIB = 19 * 1024
ARGON2_PARALLELISM = 1
PREFIX_LIMIT = 5  # failures per code prefix per hour
PREFIX_WINDOW = timedelta(hours=1)
ORG_LIMIT = 30  # failures per organisation per ten minutes
ORG_WINDOW = timedelta(minutes=10)


class TooManyAttempts(Exception):
    """Too many wrong codes: refused until the window passes."""


def code_new() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_normalise(typed: str) -> str:
    """The digits of what was typed (spaces, hyphens and full-width digits allowed)."""
    import unicodedata

    return "".join(ch for ch in unicodedata.normalize("NFKC", typed or "") if ch.isdigit())


def code_display(code: str) -> str:
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


def code_hash(*, salt: str, code: str, passphrase: str = "") -> str:
    """The stored form: an encoded Argon2id hash (`$argon2id$v=19$m=…`) of the code and passphrase."""
    secret = (code_normalise(code) + "\x00" + (passphrase or "").strip()).encode()
    return hash_secret(
        secret,
        bytes.fromhex(salt),
        time_cost=ARGON2_TIME_COST,
        memory_cost=ARGON2_MEMORY_KIB,
        parallelism=ARGON2_PARALLELISM,
        hash_len=32,
        type=Type.ID,
    ).decode()


def salt_new() -> str:
    return secrets.token_hex(16)


def _key(org: Organization, part: str) -> str:
    message = f"ippo.reporting.receipt:{org.pk}:{part}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _window(now: datetime, size: timedelta) -> datetime:
    seconds = int(size.total_seconds())
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=UTC)


def _counters(org: Organization, typed: str, now: datetime) -> list[tuple[str, datetime, int]]:
    prefix = code_normalise(typed)[:PREFIX_DIGITS]
    return [
        (_key(org, f"prefix:{prefix}"), _window(now, PREFIX_WINDOW), PREFIX_LIMIT),
        (_key(org, "*"), _window(now, ORG_WINDOW), ORG_LIMIT),
    ]


def attempts_locked(*, org: Organization, typed: str, now: datetime) -> bool:
    for key, window, limit in _counters(org, typed, now):
        failures = GuessCounter.objects.filter(key=key, window=window).aggregate(n=Sum("failures"))["n"] or 0
        if failures >= limit:
            return True
    return False


def attempt_failed(*, org: Organization, typed: str, now: datetime) -> None:
    for key, window, _limit in _counters(org, typed, now):
        if not GuessCounter.objects.filter(key=key, window=window).update(failures=F("failures") + 1):
            try:
                with transaction.atomic():
                    GuessCounter.objects.create(key=key, window=window, failures=1)
            except IntegrityError:  # another worker created it first
                GuessCounter.objects.filter(key=key, window=window).update(failures=F("failures") + 1)


def counters_prune(*, now: datetime) -> int:
    deleted, _per_model = GuessCounter.objects.filter(window__lt=now - timedelta(days=1)).delete()
    return deleted


# --- Flooding the report link -----------------------------------------------------------------------------

SUBMIT_LIMIT = 30  # reports through the link per organisation per ten minutes
SUBMIT_WINDOW = timedelta(minutes=10)


class TooManyReports(Exception):
    """The report link received more reports than any real company sends at once: refused for a while."""


def submission_count(*, org: Organization, now: datetime) -> None:
    """Count one report through the link; raise TooManyReports over the limit. Keyed by the organisation
    only: nothing about the sender is used or kept."""
    key, window = _key(org, "submit"), _window(now, SUBMIT_WINDOW)
    current = (
        GuessCounter.objects.filter(key=key, window=window).values_list("failures", flat=True).first() or 0
    )
    if current >= SUBMIT_LIMIT:
        raise TooManyReports
    if not GuessCounter.objects.filter(key=key, window=window).update(failures=F("failures") + 1):
        try:
            with transaction.atomic():
                GuessCounter.objects.create(key=key, window=window, failures=1)
        except IntegrityError:
            GuessCounter.objects.filter(key=key, window=window).update(failures=F("failures") + 1)
