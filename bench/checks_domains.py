"""Automated checks of 200 domains against loopback fixtures: concurrent vs one by one.

Starts the test DNS server (each answer delayed by IPPO_BENCH_DNS_DELAY_MS, default 5 ms, standing in for
a real network), an HTTPS and an HTTP server that answer every fixture host, and one open "RDP" listener.
Runs every check (passive and active) of IPPO_BENCH_DOMAINS domains (default 200) first one by one, then
with IPPO_BENCH_WORKERS threads (default 32) through one Gate that allows IPPO_BENCH_SOCKETS open sockets
(default 48) and 2 per target address. Records both times, their ratio and the highest number of sockets
open at once, and appends one JSON line to bench/results/checks_domains.jsonl.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ippo.settings")
os.environ.setdefault("IPPO_DATA_DIR", tempfile.mkdtemp(prefix="ippo-bench-checks-"))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from ippo.checks import collect, runner  # noqa: E402
from ippo.checks.tests.dnsserver import ZoneServer  # noqa: E402
from ippo.checks.tests.servers import Listener, Pki, Site, WebServer, closed_port  # noqa: E402

N = int(os.environ.get("IPPO_BENCH_DOMAINS", "200"))
WORKERS = int(os.environ.get("IPPO_BENCH_WORKERS", "32"))
SOCKETS = int(os.environ.get("IPPO_BENCH_SOCKETS", "48"))
DELAY = float(os.environ.get("IPPO_BENCH_DNS_DELAY_MS", "5")) / 1000


def zone(names: list[str]) -> str:
    lines = []
    for i, name in enumerate(names):
        lines += [
            f"{name}. 60 IN A 127.0.0.1",
            f'{name}. 60 IN TXT "v=spf1 include:_spf.{name} {"-all" if i % 3 else "~all"}"',
            f'_spf.{name}. 60 IN TXT "v=spf1 ip4:192.0.2.0/24 -all"',
            f'_dmarc.{name}. 60 IN TXT "v=DMARC1; p={"reject" if i % 2 else "none"}; rua=mailto:d@{name}"',
            f"{name}. 60 IN MX 10 mail.{name}.",
            f"mail.{name}. 60 IN A 127.0.0.1",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    settings.IPPO_CHECKS_ALLOW_LOOPBACK = True
    names = [f"bench-{i:03d}.test" for i in range(N)]
    pki = Pki.create()
    headers = {"Strict-Transport-Security": "max-age=31536000", "X-Content-Type-Options": "nosniff"}
    sites = {name: Site(pki.leaf([name]), default=(200, headers, "ok")) for name in names[:50]}
    sites["*"] = Site(pki.leaf(["default.test"]), default=(200, headers, "ok"))
    dns = ZoneServer(zone(names), delay=DELAY).start()
    https = WebServer(sites, tls=True).start()
    http = WebServer({"*": Site(default=(301, {"Location": "https://example.test/"}, ""))}, tls=False).start()
    rdp = Listener()
    ports = {name: closed_port() for name in collect.DEFAULT_PORTS}
    ports.update(https=https.port, http=http.port, rdp=rdp.port)
    now = dt.datetime.now(dt.UTC)

    def config():
        return collect.CheckConfig(
            resolver=dns.address,
            timeout=2.0,
            ports=dict(ports),
            ca_pem=pki.ca_pem,
            user_agent="ippo-checks/bench",
            gate=collect.Gate(total=SOCKETS, per_target=2),
        )

    try:
        serial_cfg = config()
        start = time.perf_counter()
        serial = [runner.domain_run(n, cfg=serial_cfg, now=now, active=True) for n in names]
        serial_s = time.perf_counter() - start
        concurrent_cfg = config()
        start = time.perf_counter()
        concurrent = runner.domains_run_many(names, cfg=concurrent_cfg, now=now, active=True, workers=WORKERS)
        concurrent_s = time.perf_counter() - start
    finally:
        for server in (dns, https, http):
            server.stop()
        rdp.close()

    def verdicts(runs):
        return [[(r.check, r.status) for r in run.results] for run in runs]

    same = verdicts(serial) == verdicts(concurrent)
    record = {
        "benchmark": "checks_domains",
        "when": now.isoformat(timespec="seconds"),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "domains": N,
        "checks_per_domain": len(serial[0].results),
        "dns_delay_ms": DELAY * 1000,
        "workers": WORKERS,
        "socket_limit": SOCKETS,
        "serial_s": round(serial_s, 3),
        "concurrent_s": round(concurrent_s, 3),
        "speedup": round(serial_s / concurrent_s, 2),
        "max_open_sockets_serial": serial_cfg.gate.max_open,
        "max_open_sockets_concurrent": concurrent_cfg.gate.max_open,
        "same_verdicts": same,
        "dns_queries": dns.queries,
    }
    assert concurrent_cfg.gate.max_open <= SOCKETS, record
    assert same, "concurrent and serial runs disagree"
    out = ROOT / "bench" / "results" / "checks_domains.jsonl"
    out.parent.mkdir(exist_ok=True)
    with out.open("a") as f:
        f.write(json.dumps(record) + "\n")
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
