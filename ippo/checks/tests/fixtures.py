"""The fixture internet for the checks' tests and benchmark: zones served by the loopback DNS server,
certificates made at run time, HTTPS/HTTP servers that answer per host name, and port listeners."""

from __future__ import annotations

import base64
import ssl
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ippo.checks import collect
from ippo.checks.tests.dnsserver import ZoneServer
from ippo.checks.tests.servers import Listener, Pki, Site, WebServer, closed_port

GOOD_HEADERS = {
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'self'",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
MTA_STS_POLICY = "version: STSv1\nmode: enforce\nmx: mail.good.test\nmax_age: 604800\n"


def _dkim_txt(bits: int) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    value = "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()
    return " ".join(f'"{value[i : i + 200]}"' for i in range(0, len(value), 200))


def zone_text() -> str:
    many = " ".join(f"include:i{n}.many.test" for n in range(11))
    lines = [
        # good.test: everything right
        "good.test. 60 IN A 127.0.0.1",
        'good.test. 60 IN TXT "v=spf1 ip4:192.0.2.0/24 include:_spf.good.test -all"',
        'good.test. 60 IN TXT "google-site-verification=abc"',
        'good.test. 60 IN TXT "ippo-site-verification=GOODTOKEN"',
        '_spf.good.test. 60 IN TXT "v=spf1 ip4:198.51.100.0/24 -all"',
        '_dmarc.good.test. 60 IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@good.test"',
        f"selector1._domainkey.good.test. 60 IN TXT {_dkim_txt(2048)}",
        "good.test. 60 IN MX 10 mail.good.test.",
        "mail.good.test. 60 IN A 127.0.0.1",
        '_mta-sts.good.test. 60 IN TXT "v=STSv1; id=20260101"',
        "mta-sts.good.test. 60 IN A 127.0.0.1",
        '_smtp._tls.good.test. 60 IN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@good.test"',
        # none.test: no mail authentication at all
        "none.test. 60 IN A 127.0.0.1",
        # ent.test: DKIM at a selector we cannot guess (so _domainkey is an empty non-terminal)
        "ent.test. 60 IN A 127.0.0.1",
        'ent.test. 60 IN TXT "v=spf1 mx ~all"',
        "ent.test. 60 IN MX 10 mail.ent.test.",
        "mail.ent.test. 60 IN A 127.0.0.1",
        '_dmarc.ent.test. 60 IN TXT "v=DMARC1; p=none; rua=mailto:d@ent.test"',
        f"s2024._domainkey.ent.test. 60 IN TXT {_dkim_txt(1024)}",
        # SPF/DMARC variants
        'plusall.test. 60 IN TXT "v=spf1 +all"',
        '_dmarc.plusall.test. 60 IN TXT "v=DMARC1; p=quarantine"',
        'multi.test. 60 IN TXT "v=spf1 -all"',
        'multi.test. 60 IN TXT "v=spf1 ip4:192.0.2.1 -all"',
        '_dmarc.multi.test. 60 IN TXT "v=DMARC1; p=reject; rua=mailto:a@multi.test"',
        f'many.test. 60 IN TXT "v=spf1 {many} -all"',
        *[f'i{n}.many.test. 60 IN TXT "v=spf1 ip4:192.0.2.{n} -all"' for n in range(11)],
        'softfail.test. 60 IN TXT "v=spf1 include:_spf.good.test ~all"',
        '_dmarc.softfail.test. 60 IN TXT "v=DMARC1; p=quarantine; rua=mailto:a@softfail.test; pct=50"',
        'badsyntax.test. 60 IN TXT "v=spf1 ip4:300.1.1.1 -all"',
        '_dmarc.badsyntax.test. 60 IN TXT "v=DMARC1; p=banana"',
        'neutral.test. 60 IN TXT "v=spf1 a ?all"',
        'nested.test. 60 IN TXT "v=spf1 a mx include:_spf.good.test include:softfail.test -all"',
        "nested.test. 60 IN A 127.0.0.2",
        "nested.test. 60 IN MX 10 mail.good.test.",
        '_dmarc.nested.test. 60 IN TXT "v=DMARC1; p=reject; sp=none; rua=mailto:d@nested.test"',
        "neutral.test. 60 IN A 127.0.0.1",
        # website variants (certificate picked by SNI)
        "expired.test. 60 IN A 127.0.0.1",
        "expiring.test. 60 IN A 127.0.0.1",
        "soon.test. 60 IN A 127.0.0.1",
        "wronghost.test. 60 IN A 127.0.0.1",
        "untrusted.test. 60 IN A 127.0.0.1",
        "plain.test. 60 IN A 127.0.0.1",
        "vpn.test. 60 IN A 127.0.0.1",
        'vpn.test. 60 IN TXT "ippo-site-verification=VPNTOKEN"',
        "www.wwwonly.test. 60 IN A 127.0.0.1",
        # timeout.test: the DNS server never answers
        "timeout.test. 60 IN A 127.0.0.1",
    ]
    return "\n".join(lines) + "\n"


@dataclass
class Net:
    dns: ZoneServer
    https: WebServer
    http: WebServer
    pki: Pki
    rdp: Listener
    ports: dict

    def config(self, **kw) -> collect.CheckConfig:
        return collect.CheckConfig(
            resolver=self.dns.address,
            timeout=kw.pop("timeout", 1.0),
            ports=dict(self.ports),
            ca_pem=self.pki.ca_pem,
            user_agent="ippo-checks/test (+docs/checks)",
            **kw,
        )

    def settings(self) -> dict:
        return {
            "IPPO_CHECKS_RESOLVER": self.dns.address,
            "IPPO_CHECKS_PORTS": dict(self.ports),
            "IPPO_CHECKS_CA_PEM": self.pki.ca_pem,
            "IPPO_CHECKS_ALLOW_LOOPBACK": True,
            "IPPO_CHECKS_TIMEOUT": 1.0,
        }

    def stop(self) -> None:
        for server in (self.dns, self.https, self.http):
            server.stop()
        self.rdp.close()


def start_net(extra_zone: str = "", extra_sites: dict | None = None) -> Net:
    pki = Pki.create()
    other = Pki.create("someone else's CA")
    good = (200, GOOD_HEADERS, "<html><body>Welcome</body></html>")
    sites = {
        "good.test": Site(pki.leaf(["good.test", "www.good.test"]), default=good),
        "mta-sts.good.test": Site(
            pki.leaf(["mta-sts.good.test"]), routes={"/.well-known/mta-sts.txt": (200, {}, MTA_STS_POLICY)}
        ),
        "expired.test": Site(pki.leaf(["expired.test"], days_left=-3), default=good),
        "expiring.test": Site(pki.leaf(["expiring.test"], days_left=5.5), default=good),
        "soon.test": Site(pki.leaf(["soon.test"], days_left=20.5), default=good),
        "wronghost.test": Site(pki.leaf(["elsewhere.test"]), default=good),
        "untrusted.test": Site(other.leaf(["untrusted.test"]), default=good),
        "vpn.test": Site(
            pki.leaf(["vpn.test"]),
            default=good,
            routes={
                "/remote/login": (
                    200,
                    {},
                    "<html><title>SSL-VPN</title><body>FortiGate sign-in</body></html>",
                )
            },
        ),
        "*": Site(pki.leaf(["default.test"]), default=(200, {}, "<html>plain</html>")),
    }
    sites.update(extra_sites or {})
    for name in ("none.test", "ent.test", "www.wwwonly.test", "plain.test", "neutral.test"):
        sites.setdefault(name, Site(pki.leaf([name]), default=(200, {}, "<html>no headers</html>")))
    http_sites = {"plain.test": Site(default=(200, {}, "<html>unencrypted</html>"))}
    http_sites["*"] = Site(default=(301, {"Location": "https://good.test/"}, ""))
    dns = ZoneServer(
        zone_text() + extra_zone,
        ad_names=["good.test."],
        drop_names=["timeout.test.", "_dmarc.timeout.test."],
    ).start()
    https = WebServer(sites, tls=True).start()
    http = WebServer(http_sites, tls=False).start()
    rdp = Listener()
    ports = {name: closed_port() for name in collect.DEFAULT_PORTS}
    ports.update(https=https.port, http=http.port, rdp=rdp.port)
    return Net(dns, https, http, pki, rdp, ports)


def tls10_server(pki: Pki, name: str = "old.test") -> WebServer | None:
    """An HTTPS server that speaks only TLS 1.0, or None when this OpenSSL cannot do that."""
    if not collect.tls_old_versions_supported():
        return None
    try:
        return WebServer({"*": Site(pki.leaf([name]))}, tls=True, only_version=ssl.TLSVersion.TLSv1).start()
    except (ssl.SSLError, ValueError):
        return None
