"""DNS collector: the only place that asks a DNS server anything.

Answers are normalised into `Answer` values (status + records as text), so the evaluators never see a
dnspython object and can be fed recorded facts in tests. A timeout or a server failure is status
"timeout"/"error", which the evaluators turn into `unknown` — never into "missing".
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rdatatype
import dns.resolver
from django.conf import settings

OK, NXDOMAIN, NODATA, TIMEOUT, ERROR = "ok", "nxdomain", "nodata", "timeout", "error"


@dataclass(frozen=True)
class Answer:
    status: str
    records: tuple[str, ...] = ()
    authenticated: bool = False  # the AD flag from a validating resolver

    @property
    def failed(self) -> bool:
        return self.status in (TIMEOUT, ERROR)

    @property
    def missing(self) -> bool:
        return self.status in (NXDOMAIN, NODATA)


def resolver_setting() -> str | None:
    """`IPPO_CHECKS_RESOLVER` (host or host:port) from the settings or the environment, or None for the
    system resolver."""
    import os

    value = getattr(settings, "IPPO_CHECKS_RESOLVER", None) or os.environ.get("IPPO_CHECKS_RESOLVER", "")
    return value.strip() or None


def parse_resolver(value: str) -> tuple[str, int]:
    """ "1.2.3.4", "1.2.3.4:5353", "[::1]:53" → (host, port)."""
    value = value.strip()
    if value.startswith("["):
        host, _, rest = value[1:].partition("]")
        port = rest.lstrip(":") or "53"
    elif value.count(":") == 1:
        host, port = value.split(":")
    else:
        host, port = value, "53"
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"Not a resolver address: {value!r} (expected HOST or HOST:PORT)")
    return host, int(port)


def _txt_text(rdata) -> str:
    return b"".join(rdata.strings).decode("utf-8", "replace")


class _Lookups:
    """What the evaluators use: query(name, rdtype) plus two conveniences built on it."""

    def query(self, name: str, rdtype: str) -> Answer:  # pragma: no cover - interface
        raise NotImplementedError

    def txt(self, name: str) -> Answer:
        return self.query(name, "TXT")

    def addresses(self, name: str) -> tuple[list[str], bool]:
        """A and AAAA addresses of `name`, and whether any lookup failed (timeout/error)."""
        found, failed = [], False
        for rdtype in ("A", "AAAA"):
            answer = self.query(name, rdtype)
            failed = failed or answer.failed
            found.extend(answer.records)
        return found, failed


class Dns(_Lookups):
    """A small caching DNS client. `resolver` is "host:port" or None (the setting, else the system's)."""

    def __init__(self, resolver: str | None = None, *, timeout: float = 3.0, gate=None) -> None:
        resolver = resolver or resolver_setting()
        self._gate = gate
        self._cache: dict[tuple[str, str], Answer] = {}
        self._lock = threading.Lock()
        self._broken = False
        try:
            if resolver:
                host, port = parse_resolver(resolver)
                self._resolver = dns.resolver.Resolver(configure=False)
                self._resolver.nameservers = [host]
                self._resolver.port = port
            else:
                self._resolver = dns.resolver.Resolver(configure=True)
        except dns.resolver.NoResolverConfiguration:
            self._resolver = dns.resolver.Resolver(configure=False)
            self._broken = True
        self._resolver.timeout = timeout
        self._resolver.lifetime = timeout
        self._timeouts_in_a_row = 0
        self._resolver.retry_servfail = False
        # Ask for DNSSEC validation status (AD flag); a validating resolver sets it on signed answers.
        self._resolver.use_edns(0, dns.flags.DO, 1232)
        self._resolver.flags = dns.flags.RD | dns.flags.AD

    def query(self, name: str, rdtype: str) -> Answer:
        key = (name.lower().rstrip("."), rdtype.upper())
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        answer = self._query(*key)
        with self._lock:
            self._cache[key] = answer
        return answer

    # After this many timeouts in a row the server is taken to be down: the remaining questions answer
    # "timeout" at once instead of each waiting (the checks then say "could not check").
    GIVE_UP_AFTER = 3

    def _query(self, name: str, rdtype: str) -> Answer:
        if self._broken:
            return Answer(ERROR)
        if self._timeouts_in_a_row >= self.GIVE_UP_AFTER:
            return Answer(TIMEOUT)
        answer = self._ask(name, rdtype)
        with self._lock:
            self._timeouts_in_a_row = self._timeouts_in_a_row + 1 if answer.status == TIMEOUT else 0
        return answer

    def _ask(self, name: str, rdtype: str) -> Answer:
        try:
            if self._gate is not None:
                with self._gate.socket(None):
                    result = self._resolver.resolve(name, rdtype, raise_on_no_answer=False, search=False)
            else:
                result = self._resolver.resolve(name, rdtype, raise_on_no_answer=False, search=False)
        except dns.resolver.NXDOMAIN:
            return Answer(NXDOMAIN)
        except (dns.resolver.LifetimeTimeout, dns.exception.Timeout):
            return Answer(TIMEOUT)
        except (dns.resolver.NoNameservers, dns.resolver.YXDOMAIN, dns.exception.DNSException, OSError):
            return Answer(ERROR)
        ad = bool(result.response.flags & dns.flags.AD)
        if result.rrset is None:
            return Answer(NODATA, (), ad)
        if rdtype == "TXT":
            records = tuple(_txt_text(r) for r in result.rrset)
        else:
            records = tuple(r.to_text() for r in result.rrset)
        return Answer(OK, records, ad)


class RecordedDns(_Lookups):
    """Facts recorded as {(name, rdtype): Answer}; anything not recorded is an error. For the evaluators'
    tests and for replaying a collection."""

    def __init__(self, facts: dict[tuple[str, str], Answer]) -> None:
        self.facts = {(n.lower().rstrip("."), t.upper()): a for (n, t), a in facts.items()}

    def query(self, name: str, rdtype: str) -> Answer:
        return self.facts.get((name.lower().rstrip("."), rdtype.upper()), Answer(ERROR))


class RecordingDns(_Lookups):
    """Wraps a Dns and remembers every answer, so a collection can be replayed by RecordedDns."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.facts: dict[tuple[str, str], Answer] = {}

    def query(self, name: str, rdtype: str) -> Answer:
        answer = self.inner.query(name, rdtype)
        self.facts[(name.lower().rstrip("."), rdtype.upper())] = answer
        return answer
