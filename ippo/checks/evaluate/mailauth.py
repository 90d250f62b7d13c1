"""DMARC, DKIM, MX, MTA-STS, TLS-RPT and DNSSEC evaluators (RFC 7489, 6376, 8461, 8460, 4033)."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from ippo.checks.results import FAIL, NA, PASS, UNKNOWN, WARN, CheckResult

# Selectors tried when the owner has not told us theirs: Microsoft 365 and Google Workspace defaults.
M365_SELECTORS = ("selector1", "selector2")
GOOGLE_SELECTORS = ("google",)


def _tags(record: str) -> dict[str, str] | None:
    """ "v=DMARC1; p=none" → {"v": "DMARC1", "p": "none"}; None when a part is not tag=value."""
    tags: dict[str, str] = {}
    for part in record.split(";"):
        part = part.strip()
        if not part:
            continue
        name, eq, value = part.partition("=")
        if not eq or not name.strip():
            return None
        tags.setdefault(name.strip().lower(), value.strip())
    return tags


# --- DMARC -------------------------------------------------------------------------------------------


def dmarc_evaluate(domain: str, dns) -> CheckResult:
    answer = dns.txt(f"_dmarc.{domain}")
    if answer.failed:
        return CheckResult("dmarc", UNKNOWN, "dmarc_unknown", {"domain": domain})
    records = [r for r in answer.records if r.replace(" ", "").lower().startswith("v=dmarc1")]
    if not records:
        return CheckResult("dmarc", FAIL, "dmarc_missing", {"domain": domain})
    if len(records) > 1:
        return CheckResult("dmarc", FAIL, "dmarc_multiple", {"count": len(records)}, {"records": records})
    record = records[0]
    tags = _tags(record)
    data = {"record": record}
    if tags is None or tags.get("v") != "DMARC1":
        return CheckResult("dmarc", FAIL, "dmarc_invalid", {}, data)
    policy = tags.get("p", "").lower()
    if policy not in ("none", "quarantine", "reject"):
        return CheckResult("dmarc", FAIL, "dmarc_bad_policy", {"policy": policy or "-"}, data)
    data.update(policy=policy, rua=tags.get("rua", ""))
    if policy == "none":
        return CheckResult("dmarc", WARN, "dmarc_none", {}, data)
    if not tags.get("rua"):
        return CheckResult("dmarc", WARN, "dmarc_no_rua", {"policy": policy}, data)
    pct = tags.get("pct", "100")
    if pct.isdigit() and int(pct) < 100:
        return CheckResult("dmarc", WARN, "dmarc_pct", {"policy": policy, "pct": int(pct)}, data)
    if tags.get("sp", "").lower() == "none":
        return CheckResult("dmarc", WARN, "dmarc_sp_none", {"policy": policy}, data)
    return CheckResult("dmarc", PASS, "dmarc_ok", {"policy": policy}, data)


# --- DKIM --------------------------------------------------------------------------------------------


def dkim_key_bits(tags: dict[str, str]) -> int | None:
    """Key size in bits of a DKIM record's p= key; None when it cannot be read."""
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import load_der_public_key, load_pem_public_key

    raw = "".join(tags.get("p", "").split())
    try:
        der = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        return None
    if tags.get("k", "rsa").lower() == "ed25519":
        return 256 if len(der) == 32 else None
    try:
        key = load_der_public_key(der)
    except (ValueError, TypeError):
        pem = (
            b"-----BEGIN RSA PUBLIC KEY-----\n" + base64.encodebytes(der) + b"-----END RSA PUBLIC KEY-----\n"
        )
        try:
            key = load_pem_public_key(pem)
        except (ValueError, TypeError):
            return None
    return key.key_size if isinstance(key, rsa.RSAPublicKey) else None


def dkim_selectors_inferred(domain: str, dns) -> list[str]:
    """Provider default selectors, the likely provider first (from the MX and SPF records)."""
    mx = " ".join(dns.query(domain, "MX").records).lower()
    spf = " ".join(dns.txt(domain).records).lower()
    google = "google" in mx or "_spf.google.com" in spf
    microsoft = "outlook.com" in mx or "protection.outlook.com" in spf
    if google and not microsoft:
        return [*GOOGLE_SELECTORS, *M365_SELECTORS]
    return [*M365_SELECTORS, *GOOGLE_SELECTORS]


def dkim_evaluate(domain: str, dns, *, selectors: list[str] | None = None) -> CheckResult:
    given = [s.strip() for s in (selectors or []) if s.strip()]
    tried = given or dkim_selectors_inferred(domain, dns)
    found, revoked, weak, unreadable, failed = [], [], [], [], False
    for selector in tried:
        answer = dns.txt(f"{selector}._domainkey.{domain}")
        failed = failed or answer.failed
        for record in answer.records:
            tags = _tags(record)
            if tags is None or ("p" not in tags) or tags.get("v", "DKIM1") != "DKIM1":
                continue
            if not tags["p"].strip():
                revoked.append(selector)
                continue
            bits = dkim_key_bits(tags)
            if bits is None:
                unreadable.append(selector)
            elif bits < 1024:
                weak.append((selector, bits))
            else:
                found.append((selector, bits))
    data = {"selectors_tried": tried, "found": [s for s, _ in found]}
    if found:
        selector, bits = min(found, key=lambda item: item[1])
        data["key_bits"] = bits
        if weak:
            return CheckResult("dkim", FAIL, "dkim_weak", {"selector": weak[0][0], "bits": weak[0][1]}, data)
        if bits < 2048:
            return CheckResult("dkim", PASS, "dkim_ok_1024", {"selector": selector, "bits": bits}, data)
        return CheckResult("dkim", PASS, "dkim_ok", {"selector": selector, "bits": bits}, data)
    if weak:
        return CheckResult("dkim", FAIL, "dkim_weak", {"selector": weak[0][0], "bits": weak[0][1]}, data)
    if unreadable:
        return CheckResult("dkim", FAIL, "dkim_unreadable", {"selector": unreadable[0]}, data)
    if revoked:
        return CheckResult("dkim", FAIL, "dkim_revoked", {"selector": revoked[0]}, data)
    if failed:
        return CheckResult("dkim", UNKNOWN, "dkim_unknown", {}, data)
    # No key at the selectors we know. Does _domainkey exist at all? An empty non-terminal answers
    # NOERROR with no data (RFC 8020): keys exist under selectors we were not told about.
    parent = dns.txt(f"_domainkey.{domain}")
    if parent.failed:
        return CheckResult("dkim", UNKNOWN, "dkim_unknown", {}, data)
    if parent.status == "nxdomain":
        if given:
            return CheckResult("dkim", FAIL, "dkim_selector_missing", {"selectors": ", ".join(given)}, data)
        return CheckResult("dkim", FAIL, "dkim_missing", {"domain": domain}, data)
    return CheckResult("dkim", WARN, "dkim_selector_unknown", {"selectors": ", ".join(tried)}, data)


# --- MX ----------------------------------------------------------------------------------------------


def mx_hosts(answer) -> list[str]:
    hosts = []
    for record in answer.records:
        parts = record.split()
        if len(parts) == 2:
            hosts.append(parts[1].rstrip(".").lower())
    return hosts


def mx_evaluate(domain: str, dns) -> CheckResult:
    answer = dns.query(domain, "MX")
    if answer.failed:
        return CheckResult("mx", UNKNOWN, "mx_unknown", {})
    hosts = mx_hosts(answer)
    if hosts == [""]:
        return CheckResult("mx", NA, "mx_null", {}, {"hosts": []})
    if not hosts:
        return CheckResult("mx", WARN, "mx_missing", {"domain": domain}, {"hosts": []})
    return CheckResult("mx", PASS, "mx_ok", {"hosts": ", ".join(hosts[:5])}, {"hosts": hosts})


# --- TLS-RPT -----------------------------------------------------------------------------------------


def tls_rpt_evaluate(domain: str, dns) -> CheckResult:
    answer = dns.txt(f"_smtp._tls.{domain}")
    if answer.failed:
        return CheckResult("tls_rpt", UNKNOWN, "tls_rpt_unknown", {})
    records = [r for r in answer.records if r.replace(" ", "").lower().startswith("v=tlsrptv1")]
    if not records:
        return CheckResult("tls_rpt", NA, "tls_rpt_missing", {})
    tags = _tags(records[0])
    if len(records) > 1 or tags is None or not tags.get("rua"):
        return CheckResult("tls_rpt", FAIL, "tls_rpt_invalid", {}, {"record": records[0]})
    targets = [t.strip() for t in tags["rua"].split(",")]
    if not all(t.startswith(("mailto:", "https:")) for t in targets):
        return CheckResult("tls_rpt", FAIL, "tls_rpt_invalid", {}, {"record": records[0]})
    return CheckResult("tls_rpt", PASS, "tls_rpt_ok", {}, {"record": records[0]})


# --- DNSSEC ------------------------------------------------------------------------------------------


def dnssec_evaluate(domain: str, dns) -> CheckResult:
    soa = dns.query(domain, "SOA")
    ds = dns.query(domain, "DS")
    if soa.failed and ds.failed:
        return CheckResult("dnssec", UNKNOWN, "dnssec_unknown", {})
    if soa.authenticated:
        return CheckResult("dnssec", PASS, "dnssec_ok", {})
    if ds.records:
        # Signed at the parent, but the resolver did not vouch for the answer: validating resolvers
        # would treat it as bogus, or the resolver we asked does not validate.
        return CheckResult("dnssec", WARN, "dnssec_not_validated", {})
    if ds.failed:
        return CheckResult("dnssec", UNKNOWN, "dnssec_unknown", {})
    return CheckResult("dnssec", WARN, "dnssec_unsigned", {})


# --- MTA-STS -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyFetch:
    """What the collector got from https://mta-sts.<domain>/.well-known/mta-sts.txt."""

    outcome: str  # "ok", "timeout", "refused", "tls_error", "http_error", "error"
    status_code: int = 0
    body: str = ""


def mta_sts_policy_parse(body: str) -> dict | None:
    policy: dict = {"mx": []}
    for line in body.splitlines():
        line = line.strip()
        if not line:
            continue
        key, colon, value = line.partition(":")
        if not colon:
            return None
        key, value = key.strip().lower(), value.strip()
        if key == "mx":
            policy["mx"].append(value.lower())
        else:
            policy[key] = value
    if policy.get("version") != "STSv1" or policy.get("mode") not in ("enforce", "testing", "none"):
        return None
    if not policy.get("max_age", "").isdigit():
        return None
    if policy["mode"] != "none" and not policy["mx"]:
        return None
    return policy


def _mx_covered(host: str, patterns: list[str]) -> bool:
    for pattern in patterns:
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]) and host.count(".") == pattern.count("."):
                return True
        elif host == pattern:
            return True
    return False


def mta_sts_record(domain: str, dns):
    """The _mta-sts TXT answer (collectors use it to decide whether to fetch the policy)."""
    return dns.txt(f"_mta-sts.{domain}")


def mta_sts_evaluate(domain: str, dns, fetch: PolicyFetch | None) -> CheckResult:
    answer = mta_sts_record(domain, dns)
    if answer.failed:
        return CheckResult("mta_sts", UNKNOWN, "mta_sts_unknown", {})
    records = [r for r in answer.records if r.replace(" ", "").lower().startswith("v=stsv1")]
    if not records:
        return CheckResult("mta_sts", NA, "mta_sts_missing", {})
    tags = _tags(records[0])
    if len(records) > 1 or tags is None or not tags.get("id"):
        return CheckResult("mta_sts", FAIL, "mta_sts_record_invalid", {}, {"record": records[0]})
    if fetch is None or fetch.outcome == "timeout":
        return CheckResult("mta_sts", UNKNOWN, "mta_sts_policy_timeout", {})
    if fetch.outcome != "ok" or fetch.status_code != 200:
        return CheckResult(
            "mta_sts", FAIL, "mta_sts_policy_unreachable", {"domain": domain}, {"outcome": fetch.outcome}
        )
    policy = mta_sts_policy_parse(fetch.body)
    if policy is None:
        return CheckResult("mta_sts", FAIL, "mta_sts_policy_invalid", {})
    data = {"mode": policy["mode"], "mx": policy["mx"]}
    if policy["mode"] == "none":
        return CheckResult("mta_sts", WARN, "mta_sts_mode_none", {}, data)
    mx = dns.query(domain, "MX")
    uncovered = [h for h in mx_hosts(mx) if h and not _mx_covered(h, policy["mx"])]
    if uncovered:
        return CheckResult("mta_sts", FAIL, "mta_sts_mx_uncovered", {"hosts": ", ".join(uncovered[:3])}, data)
    if policy["mode"] == "testing":
        return CheckResult("mta_sts", WARN, "mta_sts_testing", {}, data)
    return CheckResult("mta_sts", PASS, "mta_sts_ok", {}, data)
