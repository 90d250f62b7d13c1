"""Mail authentication of one sender domain, for other apps (the phishing drill checks its sending domain).

    from ippo.checks.mail import sender_domain_check
    sender_domain_check("example.co.jp")
    → [{"check": "spf", "status": "pass", "message": "…"}, {"check": "dkim", …}, {"check": "dmarc", …}]

DNS only (passive): safe to call for any domain. Messages are in the active language.
"""

from __future__ import annotations

from ippo.checks.evaluate.mailauth import dkim_evaluate, dmarc_evaluate
from ippo.checks.evaluate.spf import spf_evaluate


def domain_normalise(domain: str) -> str:
    domain = (domain or "").strip().lower()
    if "://" in domain:
        domain = domain.split("://", 1)[1]
    domain = domain.split("/", 1)[0].split("?", 1)[0].rstrip(".")
    if "@" in domain:
        domain = domain.rsplit("@", 1)[1]
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain


def sender_domain_check(
    domain: str, *, resolver: str | None = None, selectors: list[str] | None = None, dns=None
) -> list[dict]:
    """SPF, DKIM (given or inferred selectors) and DMARC of `domain`, each {"check", "status", "message"}
    (plus "code" and "params"). `resolver` is "host:port"; default: IPPO_CHECKS_RESOLVER, else the system's.
    Status is pass/warn/fail/unknown/na; a DNS timeout gives unknown, never fail."""
    domain = domain_normalise(domain)
    if dns is None:
        from ippo.checks.dnsclient import Dns  # dnspython is loaded only when a check runs

        dns = Dns(resolver)
    lookups = dns
    results = [
        spf_evaluate(domain, lookups),
        dkim_evaluate(domain, lookups, selectors=selectors),
        dmarc_evaluate(domain, lookups),
    ]
    return [{k: v for k, v in r.as_dict().items() if k != "data"} for r in results]
