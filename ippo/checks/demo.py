"""Demo data for the checks: the demo company's domain with four weekly runs of recorded results (no network).
The history tells a story: DMARC still only monitors, the certificate nears expiry, and in the latest run
Remote Desktop has become reachable from the internet. Idempotent: does nothing once the domain exists."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from ippo.checks import feed
from ippo.checks.models import CheckRun, Domain
from ippo.checks.results import CheckResult
from ippo.checks.services import checkrun_store

DEMO_DOMAIN = "yamato-seiki.example"


def _results(week: int) -> list[CheckResult]:
    """Results of the run `week` weeks ago (0 = the latest)."""
    days_left = 10 + 7 * week
    cert_status, cert_code = ("warn", "cert_expiring") if days_left < 30 else ("pass", "cert_ok")
    rdp_open = week == 0
    results = [
        CheckResult("spf", "pass", "spf_ok", {"lookups": 3, "qualifier": "-all"}),
        CheckResult("dkim", "pass", "dkim_ok", {"selector": "selector1", "bits": 2048}),
        CheckResult("dmarc", "warn", "dmarc_none", {}, {"policy": "none"}),
        CheckResult("mx", "pass", "mx_ok", {"hosts": "yamato-seiki-example.mail.protection.outlook.com"}),
        CheckResult("mta_sts", "na", "mta_sts_missing"),
        CheckResult("tls_rpt", "na", "tls_rpt_missing"),
        CheckResult("dnssec", "warn", "dnssec_unsigned"),
        CheckResult("https", "pass", "https_ok", {"host": DEMO_DOMAIN}),
        CheckResult("http_redirect", "pass", "redirect_ok"),
        CheckResult("certificate", cert_status, cert_code, {"days": days_left}, {"days_left": days_left}),
        CheckResult("tls_versions", "warn", "tls_old_accepted", {"versions": "TLS 1.0, TLS 1.1"}),
        CheckResult("hsts", "warn", "hsts_missing"),
        CheckResult(
            "headers",
            "warn",
            "headers_missing",
            {"names": "X-Content-Type-Options: nosniff, Content-Security-Policy"},
        ),
    ]
    for service in ("smb", "telnet", "ftp", "mssql", "mysql", "postgres", "mongodb", "redis", "vnc"):
        results.append(CheckResult(f"port_{service}", "pass", "port_closed"))
    if rdp_open:
        results.append(
            CheckResult(
                "port_rdp",
                "fail",
                "port_open_fail",
                {"addresses": "203.0.113.25"},
                {"open": ["203.0.113.25"]},
            )
        )
    else:
        results.append(CheckResult("port_rdp", "pass", "port_closed"))
    results.append(
        CheckResult(
            "vpn_login", "warn", "vpn_found", {"products": "FortiGate SSL-VPN"}, {"found": ["fortinet"]}
        )
    )
    return results


def load(*, org, users) -> None:
    if Domain.objects.filter(organization=org, name=DEMO_DOMAIN).exists():
        return
    now = timezone.now()
    domain = Domain.objects.create(
        organization=org,
        name=DEMO_DOMAIN,
        verification_token="demo-" + "x" * 27,
        verified_at=now - timedelta(days=30),
        verification_checked_at=now - timedelta(hours=2),
        dkim_selectors="selector1",
        next_check_at=now + timedelta(days=7),
        created_by=users.get("manager"),
    )
    for week in (3, 2, 1, 0):
        when = now - timedelta(days=7 * week, hours=2)
        run = CheckRun.objects.create(
            organization=org,
            domain=domain,
            trigger=CheckRun.Trigger.DEMO,
            state=CheckRun.State.RUNNING,
            created_at=when,
            started_at=when,
            active=True,
        )
        checkrun_store(run=run, results=_results(week), active=True, now=when, feed_program=False)
    Domain.objects.filter(pk=domain.pk).update(last_run_at=now - timedelta(hours=2))
    # The latest run's findings become action items, as a real run's would (RDP open, VPN login page).
    feed.findings_to_tasks(run=run)
