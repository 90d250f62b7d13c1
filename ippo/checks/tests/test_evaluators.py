"""Pure evaluators fed recorded facts: no sockets."""

from __future__ import annotations

import datetime as dt

import pytest

from ippo.checks.collect import HttpFacts, TrustFacts
from ippo.checks.dnsclient import Answer, RecordedDns
from ippo.checks.evaluate import exposure, mailauth, spf, web
from ippo.checks.mail import sender_domain_check
from ippo.checks.tests.servers import Pki

OK, NX, NODATA, TIMEOUT = "ok", "nxdomain", "nodata", "timeout"


def facts(**records):
    """facts(**{"ex.jp TXT": ["v=spf1 -all"], "_dmarc.ex.jp TXT": "timeout"})"""
    out = {}
    for key, value in records.items():
        name, rdtype = key.split()
        if isinstance(value, str):
            out[(name, rdtype)] = Answer(value)
        else:
            out[(name, rdtype)] = Answer(OK, tuple(value))
    return RecordedDns(out)


def test_spf_passes_with_a_terminal_all_and_counts_nested_lookups():
    dns = facts(
        **{
            "ex.jp TXT": ["v=spf1 include:a.ex.jp mx -all"],
            "a.ex.jp TXT": ["v=spf1 include:b.ex.jp ~all"],
            "b.ex.jp TXT": ["v=spf1 ip4:192.0.2.0/24 -all"],
            "ex.jp MX": ["10 mail.ex.jp."],
        }
    )
    result = spf.spf_evaluate("ex.jp", dns)
    assert result.status == "pass"
    assert result.data["lookups"] == 3


@pytest.mark.parametrize(
    ("record", "status", "code"),
    [
        ("v=spf1 +all", "fail", "spf_pass_all"),
        ("v=spf1 ?all", "warn", "spf_neutral_all"),
        ("v=spf1 ip4:192.0.2.1", "warn", "spf_no_all"),
        ("v=spf1 ip4:999.0.0.1 -all", "fail", "spf_syntax"),
        ("v=spf1 foo:bar -all", "fail", "spf_syntax"),
        ("v=spf1 include:missing.ex.jp -all", "fail", "spf_include_missing"),
        ("v=spf1 redirect=r.ex.jp", "pass", "spf_ok"),
    ],
)
def test_spf_verdicts(record, status, code):
    dns = facts(**{"ex.jp TXT": [record], "missing.ex.jp TXT": NX, "r.ex.jp TXT": ["v=spf1 -all"]})
    result = spf.spf_evaluate("ex.jp", dns)
    assert (result.status, result.code) == (status, code)


def test_spf_more_than_ten_lookups_fails_and_two_records_fail():
    includes = " ".join(f"include:i{n}.ex.jp" for n in range(11))
    records = {f"i{n}.ex.jp TXT": ["v=spf1 -all"] for n in range(11)}
    assert (
        spf.spf_evaluate("ex.jp", facts(**{"ex.jp TXT": [f"v=spf1 {includes} -all"]}, **records)).code
        == "spf_too_many_lookups"
    )
    assert (
        spf.spf_evaluate("ex.jp", facts(**{"ex.jp TXT": ["v=spf1 -all", "v=spf1 ~all"]})).code
        == "spf_multiple"
    )


def test_a_timeout_is_unknown_never_fail():
    dns = facts(
        **{
            "ex.jp TXT": TIMEOUT,
            "_dmarc.ex.jp TXT": TIMEOUT,
            "ex.jp MX": TIMEOUT,
            "selector1._domainkey.ex.jp TXT": TIMEOUT,
            "selector2._domainkey.ex.jp TXT": TIMEOUT,
            "google._domainkey.ex.jp TXT": TIMEOUT,
            "_domainkey.ex.jp TXT": TIMEOUT,
        }
    )
    statuses = {r["check"]: r["status"] for r in sender_domain_check("ex.jp", dns=dns)}
    assert statuses == {"spf": "unknown", "dkim": "unknown", "dmarc": "unknown"}


@pytest.mark.parametrize(
    ("record", "status", "code"),
    [
        (None, "fail", "dmarc_missing"),
        ("v=DMARC1; p=none; rua=mailto:a@ex.jp", "warn", "dmarc_none"),
        ("v=DMARC1; p=reject", "warn", "dmarc_no_rua"),
        ("v=DMARC1; p=quarantine; rua=mailto:a@ex.jp", "pass", "dmarc_ok"),
        ("v=DMARC1; p=banana", "fail", "dmarc_bad_policy"),
    ],
)
def test_dmarc_verdicts(record, status, code):
    dns = facts(**{"_dmarc.ex.jp TXT": [record] if record else NX})
    result = mailauth.dmarc_evaluate("ex.jp", dns)
    assert (result.status, result.code) == (status, code)


def test_dkim_tells_an_empty_non_terminal_from_no_dkim_at_all():
    base = {
        "ex.jp MX": ["0 ex-jp.mail.protection.outlook.com."],
        "ex.jp TXT": NODATA,
        "selector1._domainkey.ex.jp TXT": NX,
        "selector2._domainkey.ex.jp TXT": NX,
        "google._domainkey.ex.jp TXT": NX,
    }
    assert (
        mailauth.dkim_evaluate("ex.jp", facts(**base, **{"_domainkey.ex.jp TXT": NODATA})).code
        == "dkim_selector_unknown"
    )
    assert (
        mailauth.dkim_evaluate("ex.jp", facts(**base, **{"_domainkey.ex.jp TXT": NX})).code == "dkim_missing"
    )


def test_dkim_selectors_are_inferred_from_the_provider():
    google = facts(
        **{"ex.jp MX": ["1 aspmx.l.google.com."], "ex.jp TXT": ["v=spf1 include:_spf.google.com ~all"]}
    )
    assert mailauth.dkim_selectors_inferred("ex.jp", google)[0] == "google"
    microsoft = facts(**{"ex.jp MX": ["0 ex-jp.mail.protection.outlook.com."], "ex.jp TXT": NODATA})
    assert mailauth.dkim_selectors_inferred("ex.jp", microsoft)[:2] == ["selector1", "selector2"]


def test_dkim_revoked_key_fails():
    dns = facts(**{"s._domainkey.ex.jp TXT": ["v=DKIM1; p="]})
    assert mailauth.dkim_evaluate("ex.jp", dns, selectors=["s"]).code == "dkim_revoked"


def test_mta_sts_policy_modes():
    dns = facts(**{"_mta-sts.ex.jp TXT": ["v=STSv1; id=1"], "ex.jp MX": ["10 mx1.ex.jp."]})
    policy = "version: STSv1\nmode: {mode}\nmx: *.ex.jp\nmax_age: 86400\n"
    ok = mailauth.PolicyFetch("ok", 200, policy.format(mode="enforce"))
    assert mailauth.mta_sts_evaluate("ex.jp", dns, ok).status == "pass"
    testing = mailauth.PolicyFetch("ok", 200, policy.format(mode="testing"))
    assert mailauth.mta_sts_evaluate("ex.jp", dns, testing).status == "warn"
    assert mailauth.mta_sts_evaluate("ex.jp", dns, mailauth.PolicyFetch("refused")).status == "fail"
    assert mailauth.mta_sts_evaluate("ex.jp", dns, mailauth.PolicyFetch("timeout")).status == "unknown"


def _leaf(days_left, names=("ex.jp",)):
    from cryptography import x509

    pki = Pki.create()
    cert_path, _key = pki.leaf(list(names), days_left=days_left)
    with open(cert_path, "rb") as f:
        cert = x509.load_pem_x509_certificate(f.read())
    from cryptography.hazmat.primitives.serialization import Encoding

    return cert.public_bytes(Encoding.DER)


def test_certificate_thresholds_use_the_injected_clock():
    der = _leaf(40)
    trusted = TrustFacts("trusted")
    now = dt.datetime.now(dt.UTC)
    assert web.certificate_evaluate("ex.jp", der, trusted, now=now).status == "pass"
    assert web.certificate_evaluate("ex.jp", der, trusted, now=now + dt.timedelta(days=20)).status == "warn"
    assert (
        web.certificate_evaluate("ex.jp", der, trusted, now=now + dt.timedelta(days=36)).code
        == "cert_expiring_soon"
    )
    assert (
        web.certificate_evaluate("ex.jp", der, trusted, now=now + dt.timedelta(days=41)).code
        == "cert_expired"
    )
    assert web.certificate_evaluate("other.jp", der, trusted, now=now).code == "cert_wrong_host"
    assert (
        web.certificate_evaluate("ex.jp", der, TrustFacts("untrusted", "x"), now=now).code == "cert_untrusted"
    )
    wildcard = _leaf(40, names=("*.ex.jp",))
    assert web.certificate_evaluate("www.ex.jp", wildcard, trusted, now=now).status == "pass"
    assert web.certificate_evaluate("a.b.ex.jp", wildcard, trusted, now=now).code == "cert_wrong_host"


def test_headers_never_fail_a_site():
    bare = HttpFacts("ok", 200, {})
    assert web.headers_evaluate(bare).status == "warn"
    assert web.hsts_evaluate(bare).status == "warn"
    short = HttpFacts("ok", 200, {"strict-transport-security": "max-age=600"})
    assert web.hsts_evaluate(short).code == "hsts_short"
    full = HttpFacts(
        "ok",
        200,
        {
            "x-content-type-options": "nosniff",
            "content-security-policy": "frame-ancestors 'none'",
            "referrer-policy": "no-referrer",
        },
    )
    assert web.headers_evaluate(full).code == "headers_ok"


def test_redirect_verdicts():
    assert (
        web.redirect_evaluate("ex.jp", HttpFacts("ok", 301, {"location": "https://ex.jp/"})).status == "pass"
    )
    assert (
        web.redirect_evaluate("ex.jp", HttpFacts("ok", 302, {"location": "https://ex.jp/"})).status == "warn"
    )
    assert web.redirect_evaluate("ex.jp", HttpFacts("ok", 200, {})).status == "fail"
    assert web.redirect_evaluate("ex.jp", HttpFacts("timeout")).status == "unknown"


def test_ports_and_vpn_pages():
    assert exposure.port_evaluate("rdp", {"192.0.2.1": "open"}).status == "fail"
    assert exposure.port_evaluate("ftp", {"192.0.2.1": "open"}).status == "warn"
    assert exposure.port_evaluate("rdp", {"192.0.2.1": "filtered", "192.0.2.2": "closed"}).status == "pass"
    assert exposure.port_evaluate("rdp", {}).status == "na"
    page = HttpFacts("ok", 200, {}, "<title>GlobalProtect Portal</title>")
    assert exposure.vpn_evaluate([("/global-protect/login.esp", page)]).status == "warn"
    assert exposure.vpn_evaluate([("/remote/login", HttpFacts("ok", 404, {}, ""))]).status == "pass"
    assert exposure.vpn_evaluate([("/remote/login", HttpFacts("timeout"))]).status == "unknown"


def test_tls_versions_verdicts():
    assert web.tls_versions_evaluate({"TLSv1": "accepted", "TLSv1.1": "refused"}).status == "warn"
    assert web.tls_versions_evaluate({"TLSv1": "refused", "TLSv1.1": "refused"}).status == "pass"
    assert web.tls_versions_evaluate({"TLSv1": "untestable", "TLSv1.1": "untestable"}).status == "unknown"


def test_messages_render_in_both_languages():
    from django.utils import translation

    dns = facts(
        **{
            "ex.jp TXT": NX,
            "_dmarc.ex.jp TXT": NX,
            "ex.jp MX": NX,
            "selector1._domainkey.ex.jp TXT": NX,
            "selector2._domainkey.ex.jp TXT": NX,
            "google._domainkey.ex.jp TXT": NX,
            "_domainkey.ex.jp TXT": NX,
        }
    )
    with translation.override("en"):
        english = sender_domain_check("ex.jp", dns=dns)
    with translation.override("ja"):
        japanese = sender_domain_check("ex.jp", dns=dns)
    assert all(r["message"] for r in english + japanese)
    assert english[0]["message"] != japanese[0]["message"]


def test_spf_diamond_is_not_a_loop_but_a_cycle_is():
    diamond = facts(
        **{
            "ex.jp TXT": ["v=spf1 include:a.ex.jp include:b.ex.jp -all"],
            "a.ex.jp TXT": ["v=spf1 include:c.ex.jp -all"],
            "b.ex.jp TXT": ["v=spf1 include:c.ex.jp -all"],
            "c.ex.jp TXT": ["v=spf1 ip4:192.0.2.1 -all"],
        }
    )
    result = spf.spf_evaluate("ex.jp", diamond)
    assert result.status == "pass" and result.data["lookups"] == 4
    cycle = facts(
        **{"ex.jp TXT": ["v=spf1 include:a.ex.jp -all"], "a.ex.jp TXT": ["v=spf1 include:ex.jp -all"]}
    )
    assert spf.spf_evaluate("ex.jp", cycle).code == "spf_loop"
