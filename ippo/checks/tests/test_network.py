"""The collectors and the whole run against loopback servers: DNS, HTTPS, HTTP and port listeners."""

from __future__ import annotations

import datetime as dt
import io
import json

import dns.resolver
import pytest

from ippo.checks import collect, runner
from ippo.checks.dnsclient import Dns
from ippo.checks.evaluate import mailauth, spf
from ippo.checks.tests.fixtures import tls10_server

NOW = dt.datetime.now(dt.UTC)


@pytest.fixture(autouse=True)
def _loopback(settings):
    settings.IPPO_CHECKS_ALLOW_LOOPBACK = True


def _run(net, domain, active=True):
    results = runner.domain_run(domain, cfg=net.config(), now=NOW, active=active).results
    return {r.check: r for r in results}


def test_dns_server_answers_empty_non_terminals_with_nodata(net):
    client = Dns(net.dns.address)
    assert client.txt("_domainkey.ent.test").status == "nodata"
    assert client.txt("nothing._domainkey.ent.test").status == "nxdomain"
    assert client.txt("good.test").status == "ok"


def test_a_good_domain_passes_mail_and_web(net):
    r = _run(net, "good.test")
    for check in (
        "spf",
        "dkim",
        "dmarc",
        "mx",
        "mta_sts",
        "tls_rpt",
        "dnssec",
        "https",
        "http_redirect",
        "certificate",
        "tls_versions",
        "hsts",
        "headers",
        "port_smb",
        "vpn_login",
    ):
        assert r[check].status == "pass", (check, r[check].code)
    assert r["dkim"].data["key_bits"] == 2048


def test_a_bare_domain_fails_mail_authentication_and_warns_on_headers(net):
    r = _run(net, "none.test")
    assert (r["spf"].status, r["dmarc"].status, r["dkim"].status) == ("fail", "fail", "fail")
    assert r["headers"].status == "warn" and r["hsts"].status == "warn"
    assert r["dkim"].code == "dkim_missing"
    assert _run(net, "ent.test")["dkim"].code == "dkim_selector_unknown"


@pytest.mark.parametrize(
    ("domain", "code"),
    [
        ("expired.test", "cert_expired"),
        ("expiring.test", "cert_expiring_soon"),
        ("soon.test", "cert_expiring"),
        ("wronghost.test", "cert_wrong_host"),
        ("untrusted.test", "cert_untrusted"),
        ("good.test", "cert_ok"),
    ],
)
def test_certificate_variants(net, domain, code):
    assert _run(net, domain, active=False)["certificate"].code == code


def test_plain_http_without_redirect_fails_the_redirect_check(net):
    assert _run(net, "plain.test", active=False)["http_redirect"].code == "redirect_missing"


def test_open_rdp_fails_and_nothing_is_sent_to_the_port(net):
    before = net.rdp.accepted
    r = _run(net, "good.test")
    assert r["port_rdp"].status == "fail"
    assert r["port_telnet"].status == "pass"
    assert net.rdp.accepted > before
    assert net.rdp.received == b""  # connect only: no payload, ever


def test_vpn_login_page_is_found_by_our_fingerprint(net):
    assert _run(net, "vpn.test")["vpn_login"].code == "vpn_found"


def test_passive_run_skips_active_checks(net):
    accepted = net.rdp.accepted
    r = _run(net, "good.test", active=False)
    assert r["port_rdp"].status == "na" and r["vpn_login"].status == "na"
    assert net.rdp.accepted == accepted


def test_dns_timeouts_are_unknown_never_fail(net):
    r = _run(net, "timeout.test")
    assert r["spf"].status == "unknown" and r["dmarc"].status == "unknown"
    assert r["https"].status == "unknown" and r["port_rdp"].status == "unknown"
    assert "fail" not in {x.status for x in r.values()}


def test_requests_name_ippo_in_the_user_agent(net):
    _run(net, "good.test", active=False)
    assert any("ippo" in ua for ua in net.https.user_agents)


def test_tls_1_0_only_server_is_flagged(net):
    server = tls10_server(net.pki)
    if server is None:
        pytest.skip("this OpenSSL cannot offer TLS 1.0 even at SECLEVEL=0")
    try:
        cfg = net.config()
        cfg.ports["https"] = server.port
        outcome = collect.tls_old_version("old.test", "127.0.0.1", "TLSv1", cfg)
        if outcome == "untestable":
            pytest.skip("this OpenSSL refuses TLS 1.0 handshakes")
        assert outcome == "accepted"
    finally:
        server.stop()


def test_the_gate_bounds_open_sockets(net):
    cfg = net.config(gate=collect.Gate(total=4, per_target=2))
    runner.domains_run_many(
        ["good.test", "none.test", "vpn.test"] * 4, cfg=cfg, now=NOW, active=True, workers=12
    )
    assert 1 <= cfg.gate.max_open <= 4


def test_cli_prints_json(net, net_settings, db):
    from django.core.management import call_command

    out = io.StringIO()
    call_command(
        "checks",
        "domain",
        "good.test",
        "--json",
        "--resolver",
        net.dns.address,
        "--passive",
        "--lang",
        "en",
        stdout=out,
    )
    rows = json.loads(out.getvalue())
    checks = {row["check"]: row for row in rows}
    assert {
        "spf",
        "dmarc",
        "dkim",
        "mx",
        "mta_sts",
        "tls_rpt",
        "dnssec",
        "https",
        "certificate",
        "hsts",
        "headers",
        "http_redirect",
    } <= set(checks)
    assert not any(c.startswith("port_") for c in checks)  # --passive
    assert all(row["status"] in ("pass", "warn", "fail", "unknown", "na") and row["message"] for row in rows)


def test_cli_runs_active_checks_only_for_a_verified_registered_domain(net, net_settings, personas):
    from django.core.management import call_command
    from django_scopes import scopes_disabled

    from ippo.checks.models import Domain

    out = io.StringIO()
    call_command("checks", "domain", "good.test", "--json", "--lang", "en", stdout=out)
    assert {r["check"]: r["status"] for r in json.loads(out.getvalue())}["port_rdp"] == "na"
    with scopes_disabled():
        Domain.objects.create(organization=personas.org, name="good.test", verification_token="GOODTOKEN")
    out = io.StringIO()
    call_command("checks", "domain", "good.test", "--json", "--lang", "en", stdout=out)
    assert {r["check"]: r["status"] for r in json.loads(out.getvalue())}["port_rdp"] == "fail"


# --- checkdmarc as an oracle --------------------------------------------------------------------------

ORACLE_DOMAINS = [
    "good.test",
    "none.test",
    "ent.test",
    "multi.test",
    "many.test",
    "softfail.test",
    "badsyntax.test",
    "neutral.test",
    "plusall.test",
    "nested.test",
]


@pytest.mark.parametrize("domain", ORACLE_DOMAINS)
def test_spf_and_dmarc_verdicts_agree_with_checkdmarc(net, domain):
    checkdmarc_spf = pytest.importorskip("checkdmarc.spf")
    checkdmarc_dmarc = pytest.importorskip("checkdmarc.dmarc")
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = ["127.0.0.1"]
    resolver.port = net.dns.port
    ours = Dns(net.dns.address)
    spf_result = spf.spf_evaluate(domain, ours)
    try:
        theirs = checkdmarc_spf.check_spf(domain, resolver=resolver, timeout=2.0)
        their_valid = bool(theirs.get("valid"))
    except Exception:  # noqa: BLE001 - some versions raise instead of returning valid=False
        their_valid = False
    # checkdmarc treats +all as valid with a warning; ippo fails it on purpose (anyone may send as you).
    if spf_result.code != "spf_pass_all":
        assert (spf_result.status != "fail") == their_valid, (domain, spf_result.code, theirs)
    if their_valid and "dns_lookups" in theirs:
        assert spf_result.data["lookups"] == theirs["dns_lookups"], (domain, spf_result.data, theirs)
    dmarc_result = mailauth.dmarc_evaluate(domain, ours)
    try:
        theirs = checkdmarc_dmarc.check_dmarc(domain, resolver=resolver, timeout=2.0)
        their_valid = bool(theirs.get("valid"))
    except Exception:  # noqa: BLE001
        their_valid = False
    assert (dmarc_result.status != "fail") == their_valid, (domain, dmarc_result.code, theirs)
