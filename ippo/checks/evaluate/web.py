"""Website evaluators: HTTPS reachability, http→https redirect, certificate, old TLS versions, HSTS and
security headers. Headers (HSTS included) inform: they warn at most and never fail a site on their own."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

from ippo.checks.results import FAIL, NA, PASS, UNKNOWN, WARN, CheckResult

HSTS_GOOD = 31536000  # one year
CERT_FAIL_DAYS = 7
CERT_WARN_DAYS = 30
CERT_ALERT_DAYS = 14


def https_evaluate(host: str, facts) -> CheckResult:
    if facts.outcome == "ok":
        return CheckResult("https", PASS, "https_ok", {"host": host}, {"status_code": facts.status_code})
    if facts.outcome == "timeout":
        return CheckResult("https", UNKNOWN, "https_timeout", {"host": host})
    if facts.outcome == "tls_error":
        return CheckResult("https", FAIL, "https_tls_error", {"host": host}, {"error": facts.error})
    return CheckResult("https", FAIL, "https_unreachable", {"host": host}, {"error": facts.error})


def redirect_evaluate(host: str, facts) -> CheckResult:
    if facts.outcome == "timeout":
        return CheckResult("http_redirect", UNKNOWN, "redirect_timeout", {})
    if facts.outcome == "refused":
        return CheckResult("http_redirect", PASS, "redirect_no_http", {})
    if facts.outcome != "ok":
        return CheckResult("http_redirect", UNKNOWN, "redirect_error", {})
    location = facts.headers.get("location", "")
    target = urlsplit(location)
    data = {"status_code": facts.status_code, "location": location[:200]}
    if 300 <= facts.status_code < 400 and target.scheme == "https":
        if facts.status_code in (301, 308):
            return CheckResult("http_redirect", PASS, "redirect_ok", {}, data)
        return CheckResult("http_redirect", WARN, "redirect_temporary", {"code": facts.status_code}, data)
    return CheckResult("http_redirect", FAIL, "redirect_missing", {}, data)


def _host_matches(host: str, names: list[str]) -> bool:
    host = host.lower().rstrip(".")
    for name in names:
        name = name.lower().rstrip(".")
        if name == host:
            return True
        if name.startswith("*.") and "." in host and host.split(".", 1)[1] == name[2:]:
            return True
    return False


def certificate_names(cert) -> list[str]:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        return san.value.get_values_for_type(x509.DNSName)
    except x509.ExtensionNotFound:
        return [a.value for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]


def certificate_evaluate(host: str, der: bytes, trust, *, now: datetime) -> CheckResult:
    """`der`: the leaf certificate; `trust`: TrustFacts; `now`: the injected clock (aware datetime)."""
    from cryptography import x509

    if not der:
        return CheckResult("certificate", NA, "cert_none", {})
    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError:
        return CheckResult("certificate", FAIL, "cert_unreadable", {})
    not_after = cert.not_valid_after_utc
    days = int((not_after - now).total_seconds() // 86400) if not_after > now else -1
    names = certificate_names(cert)
    data = {
        "not_after": not_after.isoformat(),
        "days_left": days,
        "names": names[:20],
        "issuer": cert.issuer.rfc4514_string()[:200],
    }
    if not_after <= now:
        return CheckResult("certificate", FAIL, "cert_expired", {"date": not_after.date().isoformat()}, data)
    if cert.not_valid_before_utc > now:
        return CheckResult("certificate", FAIL, "cert_not_yet_valid", {}, data)
    if not _host_matches(host, names):
        return CheckResult(
            "certificate", FAIL, "cert_wrong_host", {"host": host, "names": ", ".join(names[:3])}, data
        )
    if trust.outcome == "untrusted":
        data["error"] = trust.error
        return CheckResult("certificate", FAIL, "cert_untrusted", {}, data)
    if days <= CERT_FAIL_DAYS:
        return CheckResult("certificate", FAIL, "cert_expiring_soon", {"days": days}, data)
    if trust.outcome != "trusted":
        return CheckResult("certificate", UNKNOWN, "cert_trust_unknown", {}, data)
    if days < CERT_WARN_DAYS:
        return CheckResult("certificate", WARN, "cert_expiring", {"days": days}, data)
    return CheckResult("certificate", PASS, "cert_ok", {"days": days}, data)


def tls_versions_evaluate(outcomes: dict[str, str]) -> CheckResult:
    """`outcomes`: {"TLSv1": "accepted"|"refused"|"untestable"|"timeout"|"error", "TLSv1.1": …}."""
    accepted = [v for v, o in outcomes.items() if o == "accepted"]
    data = {"outcomes": outcomes}
    if accepted:
        names = ", ".join({"TLSv1": "TLS 1.0", "TLSv1.1": "TLS 1.1"}.get(v, v) for v in accepted)
        return CheckResult("tls_versions", WARN, "tls_old_accepted", {"versions": names}, data)
    if outcomes and all(o == "refused" for o in outcomes.values()):
        return CheckResult("tls_versions", PASS, "tls_modern_only", {}, data)
    if any(o == "untestable" for o in outcomes.values()):
        return CheckResult("tls_versions", UNKNOWN, "tls_untestable", {}, data)
    return CheckResult("tls_versions", UNKNOWN, "tls_versions_unknown", {}, data)


_MAX_AGE = re.compile(r"max-age\s*=\s*\"?(\d+)\"?", re.IGNORECASE)


def hsts_evaluate(facts) -> CheckResult:
    if facts.outcome != "ok":
        return CheckResult("hsts", UNKNOWN if facts.outcome == "timeout" else NA, "hsts_no_https", {})
    value = facts.headers.get("strict-transport-security", "")
    if not value:
        return CheckResult("hsts", WARN, "hsts_missing", {})
    match = _MAX_AGE.search(value)
    if not match:
        return CheckResult("hsts", WARN, "hsts_invalid", {}, {"value": value[:200]})
    seconds = int(match[1])
    data = {"max_age": seconds}
    if seconds >= HSTS_GOOD:
        return CheckResult("hsts", PASS, "hsts_ok", {"days": seconds // 86400}, data)
    return CheckResult("hsts", WARN, "hsts_short", {"days": seconds // 86400}, data)


def headers_evaluate(facts) -> CheckResult:
    if facts.outcome != "ok":
        return CheckResult("headers", UNKNOWN if facts.outcome == "timeout" else NA, "headers_no_https", {})
    h = facts.headers
    csp = h.get("content-security-policy", "")
    missing_warn, missing_info = [], []
    if h.get("x-content-type-options", "").strip().lower() != "nosniff":
        missing_warn.append("X-Content-Type-Options: nosniff")
    if not h.get("x-frame-options") and "frame-ancestors" not in csp.lower():
        missing_warn.append("X-Frame-Options / frame-ancestors")
    if not csp:
        missing_info.append("Content-Security-Policy")
    if not h.get("referrer-policy"):
        missing_info.append("Referrer-Policy")
    data = {"missing": missing_warn + missing_info}
    if missing_warn:
        return CheckResult(
            "headers", WARN, "headers_missing", {"names": ", ".join(missing_warn + missing_info)}, data
        )
    if missing_info:
        return CheckResult("headers", PASS, "headers_mostly", {"names": ", ".join(missing_info)}, data)
    return CheckResult("headers", PASS, "headers_ok", {}, data)
