"""SPF (RFC 7208): exactly one record, valid terms, at most 10 DNS-querying terms counted through every
include and redirect, at most 2 void lookups, and a terminal `all` that is not `+all`."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from ippo.checks.results import FAIL, PASS, UNKNOWN, WARN, CheckResult

MAX_LOOKUPS = 10
MAX_VOID = 2
_TERM = re.compile(
    r"^(?P<q>[+\-~?]?)(?P<mech>all|include|a|mx|ptr|ip4|ip6|exists)(?P<rest>[:/].*)?$", re.IGNORECASE
)
_MODIFIER = re.compile(r"^(?P<name>[a-z][a-z0-9_.\-]*)=(?P<value>\S*)$", re.IGNORECASE)
_CIDR = re.compile(r"^(?://?\d{1,3}){1,2}$")
_DOMAIN_SPEC = re.compile(r"^[^\s/:]+$")


def is_spf(record: str) -> bool:
    return record.lower() == "v=spf1" or record.lower().startswith("v=spf1 ")


@dataclass
class _Walk:
    lookups: int = 0
    void: int = 0
    errors: list[tuple[str, dict]] = field(default_factory=list)
    incomplete: bool = False
    terminal: str | None = None  # the qualifier of the top-level all (after redirects)
    ptr: bool = False


def _syntax_ok(mech: str, rest: str) -> bool:
    if mech == "all":
        return not rest
    if mech in ("include", "exists"):
        return rest.startswith(":") and bool(_DOMAIN_SPEC.match(rest[1:]))
    if mech in ("ip4", "ip6"):
        if not rest.startswith(":"):
            return False
        value = rest[1:]
        try:
            network = ipaddress.ip_network(value, strict=False)
        except ValueError:
            return False
        return network.version == (4 if mech == "ip4" else 6)
    # a, mx, ptr: optional :domain then (for a/mx) optional cidr lengths
    if rest.startswith(":"):
        domain, slash, cidr = rest[1:].partition("/")
        if not domain or not _DOMAIN_SPEC.match(domain):
            return False
        cidr = slash + cidr
    else:
        cidr = rest
    if mech == "ptr":
        return not cidr
    return not cidr or bool(_CIDR.match(cidr))


def _target(rest: str, domain: str) -> str:
    if rest.startswith(":"):
        return rest[1:].split("/")[0]
    return domain


def _spf_records(answer) -> list[str]:
    return [r for r in answer.records if is_spf(r)]


def _follow(target: str, dns, walk: _Walk, path: tuple, top: bool, kind: str) -> None:
    if "%" in target:  # a macro: counted, but we cannot expand it without the sender's details
        return
    if target.lower() in path or len(path) > MAX_LOOKUPS:  # a loop: the name is its own ancestor
        walk.errors.append(("spf_loop", {"domain": target}))
        return
    answer = dns.txt(target)
    if answer.failed:
        walk.incomplete = True
        return
    records = _spf_records(answer)
    if not records:
        walk.void += answer.missing
        walk.errors.append(("spf_include_missing", {"domain": target, "kind": kind}))
        return
    if len(records) > 1:
        walk.errors.append(("spf_include_multiple", {"domain": target}))
        return
    _walk(target, records[0], dns, walk, (*path, target.lower()), top)


def _walk(domain: str, record: str, dns, walk: _Walk, path: tuple, top: bool) -> None:
    redirect = None
    has_all = False
    for term in record.split()[1:]:
        match = _TERM.match(term)
        if match:
            mech, rest = match["mech"].lower(), match["rest"] or ""
            if not _syntax_ok(mech, rest):
                walk.errors.append(("spf_syntax", {"term": term[:80]}))
                return
            if mech == "all":
                has_all = True
                if top:
                    walk.terminal = match["q"] or "+"
                break  # terms after "all" are never used
            if mech in ("include", "a", "mx", "ptr", "exists"):
                walk.lookups += 1
                if walk.lookups > MAX_LOOKUPS:
                    return
            target = _target(rest, domain)
            if mech == "include":
                _follow(target, dns, walk, path, False, "include")
            elif mech in ("a", "exists") and "%" not in target:
                found, failed = dns.addresses(target)
                walk.incomplete = walk.incomplete or (failed and not found)
                walk.void += not found and not failed
            elif mech == "mx" and "%" not in target:
                answer = dns.query(target, "MX")
                walk.incomplete = walk.incomplete or answer.failed
                walk.void += answer.missing
            elif mech == "ptr":
                walk.ptr = True
            continue
        match = _MODIFIER.match(term)
        if not match:
            walk.errors.append(("spf_syntax", {"term": term[:80]}))
            return
        if match["name"].lower() == "redirect":
            if not match["value"]:
                walk.errors.append(("spf_syntax", {"term": term[:80]}))
                return
            redirect = match["value"]
    if redirect and not has_all:
        walk.lookups += 1
        if walk.lookups > MAX_LOOKUPS:
            return
        _follow(redirect, dns, walk, path, top, "redirect")


def spf_evaluate(domain: str, dns) -> CheckResult:
    """`dns` is any lookup object (ippo.checks.dnsclient): live, or recorded facts."""
    answer = dns.txt(domain)
    if answer.failed:
        return CheckResult("spf", UNKNOWN, "spf_unknown", {"domain": domain})
    records = _spf_records(answer)
    if not records:
        return CheckResult("spf", FAIL, "spf_missing", {"domain": domain})
    if len(records) > 1:
        return CheckResult("spf", FAIL, "spf_multiple", {"count": len(records)}, {"records": records})
    walk = _Walk()
    _walk(domain, records[0], dns, walk, (domain.lower(),), True)
    data = {"record": records[0], "lookups": walk.lookups, "void_lookups": walk.void}
    if walk.lookups > MAX_LOOKUPS:
        return CheckResult("spf", FAIL, "spf_too_many_lookups", {"limit": MAX_LOOKUPS}, data)
    if walk.errors:
        code, params = walk.errors[0]
        return CheckResult("spf", FAIL, code, params, data)
    if walk.incomplete:
        return CheckResult("spf", UNKNOWN, "spf_incomplete", {}, data)
    if walk.terminal == "+":
        return CheckResult("spf", FAIL, "spf_pass_all", {}, data)
    if walk.void > MAX_VOID:
        return CheckResult("spf", WARN, "spf_void", {"count": walk.void}, data)
    if walk.terminal is None:
        return CheckResult("spf", WARN, "spf_no_all", {}, data)
    if walk.terminal == "?":
        return CheckResult("spf", WARN, "spf_neutral_all", {}, data)
    if walk.ptr:
        return CheckResult("spf", WARN, "spf_ptr", {}, data)
    return CheckResult(
        "spf", PASS, "spf_ok", {"lookups": walk.lookups, "qualifier": walk.terminal + "all"}, data
    )
