"""Exposed services: TCP connect outcomes per address, and VPN-device login pages found by one GET of
known paths. Fingerprints are ours: a path plus a few words that such pages carry; no vendor text."""

from __future__ import annotations

from ippo.checks.results import FAIL, NA, PASS, UNKNOWN, WARN, CheckResult

# service → how bad an open port is.
PORT_SERVICES = {
    "rdp": FAIL,
    "smb": FAIL,
    "telnet": FAIL,
    "ftp": WARN,
    "mssql": FAIL,
    "mysql": FAIL,
    "postgres": FAIL,
    "mongodb": FAIL,
    "redis": FAIL,
    "vnc": FAIL,
}

# (key, product family, path, words of which at least one must appear in the page, lower-case)
VPN_FINGERPRINTS = [
    ("fortinet", "FortiGate SSL-VPN", "/remote/login", ("fortinet", "fortigate", "ftnt", "sslvpn")),
    ("cisco", "Cisco ASA / AnyConnect", "/+CSCOE+/logon.html", ("webvpn", "anyconnect", "cscoe")),
    ("paloalto", "Palo Alto GlobalProtect", "/global-protect/login.esp", ("globalprotect", "global-protect")),
    (
        "ivanti",
        "Ivanti / Pulse Connect Secure",
        "/dana-na/auth/url_default/welcome.cgi",
        ("dana-na", "pulse", "ivanti"),
    ),
    ("sonicwall", "SonicWall SSL-VPN", "/sslvpnLogin.html", ("sonicwall", "sslvpn")),
]


def port_evaluate(service: str, outcomes: dict[str, str]) -> CheckResult:
    """`outcomes`: {address: "open"|"closed"|"filtered"|"error"} for this service's port."""
    check = f"port_{service}"
    if not outcomes:
        return CheckResult(check, NA, "port_no_addresses", {})
    open_at = sorted(a for a, o in outcomes.items() if o == "open")
    data = {"outcomes": outcomes, "open": open_at}
    if open_at:
        code = "port_open_fail" if PORT_SERVICES[service] == FAIL else "port_open_warn"
        return CheckResult(check, PORT_SERVICES[service], code, {"addresses": ", ".join(open_at[:5])}, data)
    if all(o == "error" for o in outcomes.values()):
        return CheckResult(check, UNKNOWN, "port_error", {}, data)
    return CheckResult(check, PASS, "port_closed", {}, data)


def vpn_match(path: str, facts) -> tuple[str, str] | None:
    """The (key, product) whose fingerprint this response to `path` matches, if any."""
    if facts.outcome != "ok" or facts.status_code != 200:
        return None
    text = (facts.body + " " + " ".join(f"{k}: {v}" for k, v in facts.headers.items())).lower()
    for key, product, fp_path, words in VPN_FINGERPRINTS:
        if fp_path == path and any(word in text for word in words):
            return key, product
    return None


def vpn_evaluate(responses: list[tuple[str, object]]) -> CheckResult:
    """`responses`: [(path, HttpFacts)] from one GET per known path."""
    if not responses:
        return CheckResult("vpn_login", NA, "vpn_no_https", {})
    found = [m for path, facts in responses if (m := vpn_match(path, facts))]
    if found:
        products = sorted({product for _, product in found})
        return CheckResult(
            "vpn_login",
            WARN,
            "vpn_found",
            {"products": ", ".join(products)},
            {"found": [k for k, _ in found]},
        )
    if all(facts.outcome == "timeout" for _, facts in responses):
        return CheckResult("vpn_login", UNKNOWN, "vpn_timeout", {})
    return CheckResult("vpn_login", PASS, "vpn_none", {})
