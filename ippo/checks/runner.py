"""Runs every check for one domain (or many): collectors gather facts, evaluators judge them.

Passive (any declared domain): DNS lookups, one GET of the home page over HTTPS (plus the handshake that
checks the certificate chain), one plain-HTTP GET for the redirect, and the MTA-STS policy file.
Active (verified domains only, on the domain's own addresses or attested ones): old-TLS handshakes,
TCP connects to risky ports, and one GET per known VPN login path.
"""

from __future__ import annotations

import ipaddress
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from ippo.checks import collect
from ippo.checks.dnsclient import Dns
from ippo.checks.evaluate import exposure, mailauth, spf, web
from ippo.checks.results import NA, UNKNOWN, CheckResult

ACTIVE_CHECKS = ["tls_versions", *[f"port_{s}" for s in exposure.PORT_SERVICES], "vpn_login"]
VPN_HOST_PREFIXES = ("", "vpn.", "remote.", "sslvpn.", "www.")


@dataclass
class DomainRun:
    domain: str
    results: list[CheckResult] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    web_host: str = ""


def _first_address(dns, host: str) -> str | None:
    found, _failed = dns.addresses(host)
    return found[0] if found else None


def _mta_sts_fetch(domain: str, dns, cfg: collect.CheckConfig):
    answer = mailauth.mta_sts_record(domain, dns)
    if not any(r.replace(" ", "").lower().startswith("v=stsv1") for r in answer.records):
        return None
    host = f"mta-sts.{domain}"
    found, failed = dns.addresses(host)
    if not found:
        return mailauth.PolicyFetch("timeout" if failed else "error")
    trust = collect.tls_trust(host, found[0], cfg)
    if trust.outcome == "timeout":
        return mailauth.PolicyFetch("timeout")
    if trust.outcome != "trusted":
        return mailauth.PolicyFetch("tls_error")
    facts = collect.http_get(host, found[0], tls=True, cfg=cfg, path="/.well-known/mta-sts.txt")
    if facts.outcome == "ok" and facts.cert_der:
        from cryptography import x509

        names = web.certificate_names(x509.load_der_x509_certificate(facts.cert_der))
        if not web._host_matches(host, names):
            return mailauth.PolicyFetch("tls_error")
    return mailauth.PolicyFetch(facts.outcome, facts.status_code, facts.body)


def mail_results(domain: str, dns, cfg: collect.CheckConfig, *, dkim_selectors=None) -> list[CheckResult]:
    return [
        spf.spf_evaluate(domain, dns),
        mailauth.dkim_evaluate(domain, dns, selectors=dkim_selectors),
        mailauth.dmarc_evaluate(domain, dns),
        mailauth.mx_evaluate(domain, dns),
        mailauth.mta_sts_evaluate(domain, dns, _mta_sts_fetch(domain, dns, cfg)),
        mailauth.tls_rpt_evaluate(domain, dns),
        mailauth.dnssec_evaluate(domain, dns),
    ]


def _not_checked(checks, code: str) -> list[CheckResult]:
    return [CheckResult(c, NA, code) for c in checks]


def web_results(host: str | None, address: str | None, cfg, *, now: datetime, active: bool):
    if not host or not address:
        skipped = ["https", "http_redirect", "certificate", "hsts", "headers"]
        return _not_checked(skipped + (["tls_versions"] if active else []), "web_no_site"), None
    page = collect.http_get(host, address, tls=True, cfg=cfg)
    results = [web.https_evaluate(host, page)]
    results.append(web.redirect_evaluate(host, collect.http_get(host, address, tls=False, cfg=cfg)))
    if page.cert_der:
        trust = collect.tls_trust(host, address, cfg)
        results.append(web.certificate_evaluate(host, page.cert_der, trust, now=now))
    else:
        results.append(web.certificate_evaluate(host, b"", None, now=now))
    if active and page.outcome == "ok":
        outcomes = {v: collect.tls_old_version(host, address, v, cfg) for v in ("TLSv1", "TLSv1.1")}
        results.append(web.tls_versions_evaluate(outcomes))
    elif active:
        results.append(CheckResult("tls_versions", NA, "hsts_no_https"))
    results += [web.hsts_evaluate(page), web.headers_evaluate(page)]
    return results, page


def _own_mx_hosts(domain: str, dns) -> list[str]:
    hosts = mailauth.mx_hosts(dns.query(domain, "MX"))
    return [h for h in hosts if h == domain or h.endswith("." + domain)]


def domain_addresses(domain: str, dns) -> list[str]:
    """Addresses the domain's own records point to: A/AAAA of the domain and its usual host names, and of
    MX hosts inside the domain (a mail service such as Microsoft 365 is not the owner's to test)."""
    names = [p + domain for p in VPN_HOST_PREFIXES] + _own_mx_hosts(domain, dns)
    found: list[str] = []
    for name in names:
        for address in dns.addresses(name)[0]:
            if address not in found and _public_or_test(address):
                found.append(address)
    return found


def _public_or_test(address: str) -> bool:
    from django.conf import settings

    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if getattr(settings, "IPPO_CHECKS_ALLOW_LOOPBACK", False):
        return True
    return ip.is_global


def exposure_results(domain: str, dns, cfg, addresses: list[str]) -> list[CheckResult]:
    services = list(exposure.PORT_SERVICES)
    jobs = [(s, a) for s in services for a in addresses]
    workers = max(1, min(8, 2 * len(addresses)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        outcomes = list(pool.map(lambda job: collect.tcp_connect(job[1], cfg.ports[job[0]], cfg), jobs))
    per_service: dict[str, dict[str, str]] = {s: {} for s in services}
    for (service, address), outcome in zip(jobs, outcomes, strict=True):
        per_service[service][address] = outcome
    results = [exposure.port_evaluate(s, per_service[s]) for s in services]
    responses = []
    for prefix in VPN_HOST_PREFIXES:
        host = prefix + domain
        address = _first_address(dns, host)
        if address is None or address not in addresses:
            continue
        for _key, _product, path, _words in exposure.VPN_FINGERPRINTS:
            responses.append((path, collect.http_get(host, address, tls=True, cfg=cfg, path=path)))
            if responses[-1][1].outcome in ("refused", "timeout"):
                break  # nothing listens there: do not knock on the other paths
    results.append(exposure.vpn_evaluate(responses))
    return results


def domain_run(
    domain: str,
    *,
    cfg: collect.CheckConfig,
    now: datetime,
    active: bool,
    dkim_selectors: list[str] | None = None,
    attested: list[str] | None = None,
    include_skipped: bool = True,
    dns=None,
) -> DomainRun:
    """Run the checks for `domain`. `active` must only be True for a domain whose ownership was just
    re-verified; `attested` are extra addresses the owner vouched for."""
    dns = dns or Dns(cfg.resolver, timeout=min(cfg.timeout, 3.0), gate=cfg.gate)
    run = DomainRun(domain)
    run.results += mail_results(domain, dns, cfg, dkim_selectors=dkim_selectors)
    host = domain
    found, failed = dns.addresses(domain)
    if not found:
        host = f"www.{domain}"
        found, failed_www = dns.addresses(host)
        failed = failed or failed_www
    address = found[0] if found else None
    run.web_host = host if address else ""
    if address is None and failed:
        # The DNS server did not answer: we do not know whether there is a website, or what to test.
        checks = ["https", "http_redirect", "certificate", "hsts", "headers"]
        checks += ACTIVE_CHECKS if active or include_skipped else []
        run.results += [CheckResult(c, UNKNOWN, "dns_timeout") for c in checks]
        return run
    web_part, _page = web_results(host, address, cfg, now=now, active=active)
    run.results += web_part
    if active:
        run.addresses = domain_addresses(domain, dns)
        for extra in attested or []:
            if extra not in run.addresses:
                run.addresses.append(extra)
        run.results += exposure_results(domain, dns, cfg, run.addresses)
    elif include_skipped:
        skipped = [c for c in ACTIVE_CHECKS if c != "tls_versions"]
        run.results += _not_checked(skipped, "port_not_verified")
        run.results.append(CheckResult("tls_versions", NA, "port_not_verified"))
    return run


def domains_run_many(
    domains: list[str], *, cfg: collect.CheckConfig, now: datetime, active: bool, workers: int = 16
):
    """Several domains at once (the benchmark; a worker that checks many organisations). The gate in
    `cfg` bounds the open sockets whatever `workers` is."""
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return list(pool.map(lambda d: domain_run(d, cfg=cfg, now=now, active=active), domains))
