"""What a finished run feeds into the programme: alerts on regressions, action items for findings,
control status and evidence."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ippo.checks.evaluate.web import CERT_ALERT_DAYS
from ippo.checks.messages import ADVICE, CHECK_LABELS
from ippo.checks.models import CheckOutcome, CheckRun, FindingTask
from ippo.core.models import Membership

# Which catalogue control each check speaks for.
CONTROL_FOR_CHECK = {
    "spf": "pr-email-auth",
    "dkim": "pr-email-auth",
    "dmarc": "pr-email-auth",
    "mta_sts": "pr-email-auth",
    "tls_rpt": "pr-email-auth",
    "https": "pr-website",
    "http_redirect": "pr-website",
    "certificate": "pr-website",
    "tls_versions": "pr-website",
    "hsts": "pr-website",
    "headers": "pr-website",
    "port_rdp": "pr-mfa-remote",
    "port_vnc": "pr-mfa-remote",
    "port_smb": "pr-firewall",
    "port_telnet": "pr-firewall",
    "port_ftp": "pr-firewall",
    "port_mssql": "pr-firewall",
    "port_mysql": "pr-firewall",
    "port_postgres": "pr-firewall",
    "port_mongodb": "pr-firewall",
    "port_redis": "pr-firewall",
    "vpn_login": "pr-network-updates",
}
# Controls whose status the checks decide from these checks alone (all pass → in place, any fail → not).
STATUS_CONTROLS = {
    "pr-email-auth": ("spf", "dkim", "dmarc"),
    "pr-website": ("https", "certificate", "http_redirect"),
}
EVIDENCE_CONTROLS = ("pr-email-auth", "pr-website", "id-vuln-check")

TASK_TITLES = {
    "spf": gettext_lazy("Fix the SPF record of %(domain)s"),
    "dkim": gettext_lazy("Switch on DKIM signing for %(domain)s"),
    "dmarc": gettext_lazy("Publish a DMARC record for %(domain)s"),
    "https": gettext_lazy("Make the website %(domain)s reachable over HTTPS"),
    "http_redirect": gettext_lazy("Redirect http:// to https:// on %(domain)s"),
    "certificate": gettext_lazy("Renew or fix the website certificate of %(domain)s"),
    "mta_sts": gettext_lazy("Fix the MTA-STS policy of %(domain)s"),
    "tls_rpt": gettext_lazy("Fix the TLS-RPT record of %(domain)s"),
    "port_rdp": gettext_lazy("Close Remote Desktop (RDP) to the internet at %(domain)s"),
    "port_smb": gettext_lazy("Close Windows file sharing (SMB) to the internet at %(domain)s"),
    "port_telnet": gettext_lazy("Switch off Telnet reachable at %(domain)s"),
    "port_ftp": gettext_lazy("Replace FTP reachable at %(domain)s"),
    "port_mssql": gettext_lazy("Close the database port reachable at %(domain)s"),
    "port_mysql": gettext_lazy("Close the database port reachable at %(domain)s"),
    "port_postgres": gettext_lazy("Close the database port reachable at %(domain)s"),
    "port_mongodb": gettext_lazy("Close the database port reachable at %(domain)s"),
    "port_redis": gettext_lazy("Close the database port reachable at %(domain)s"),
    "port_vnc": gettext_lazy("Close the remote screen (VNC) reachable at %(domain)s"),
    "vpn_login": gettext_lazy("Patch the VPN device of %(domain)s and put two-step sign-in on it"),
}


def _leaders(org) -> list:
    return [
        m.user
        for m in Membership.objects.filter(
            organization=org, role__in=["owner", "manager", "advisor"]
        ).select_related("user")
    ]


def regressions(current: dict[str, CheckOutcome], previous: dict[str, CheckOutcome]) -> list[tuple[str, str]]:
    """(check, kind) pairs worth an alert: a certificate that now expires within 14 days, DMARC removed,
    RDP newly open, and any check that went from pass/warn to fail."""
    found = []
    cert = current.get("certificate")
    if cert is not None and cert.status != "na":
        days = cert.data.get("days_left")
        before = previous.get("certificate")
        before_days = before.data.get("days_left") if before is not None else None
        if (
            days is not None
            and days <= CERT_ALERT_DAYS
            and (before_days is None or before_days > CERT_ALERT_DAYS)
        ):
            found.append(("certificate", "cert_expiring"))
    dmarc, dmarc_before = current.get("dmarc"), previous.get("dmarc")
    if (
        dmarc is not None
        and dmarc.code == "dmarc_missing"
        and dmarc_before is not None
        and dmarc_before.status in ("pass", "warn")
    ):
        found.append(("dmarc", "dmarc_removed"))
    for check, outcome in current.items():
        before = previous.get(check)
        if outcome.status == "fail" and before is not None and before.status in ("pass", "warn"):
            if not any(c == check for c, _k in found):
                found.append((check, "rdp_open" if check == "port_rdp" else "new_fail"))
    return found


def _alert_line(check: str, kind: str, outcome: CheckOutcome) -> str:
    label = CHECK_LABELS.get(check, check)
    if kind == "cert_expiring":
        return _("The website certificate expires in %(days)s days.") % {
            "days": outcome.data.get("days_left")
        }
    if kind == "dmarc_removed":
        return _("The DMARC record has disappeared.")
    if kind == "rdp_open":
        return _("Remote Desktop (RDP) is newly reachable from the internet.")
    return _("%(check)s: %(message)s") % {"check": label, "message": outcome.message}


def _alert(run: CheckRun, found, current) -> None:
    from ippo.core.notify import notification_send

    org, domain = run.organization, run.domain
    url = reverse("org:domain_detail", args=[org.slug, domain.pk])

    def subject() -> str:
        return _("Automated check: new problem on %(domain)s") % {"domain": domain.name}

    def body() -> str:
        lines = [_alert_line(check, kind, current[check]) for check, kind in found]
        intro = _("The latest automated check of %(domain)s found:") % {"domain": domain.name}
        return "\n".join([intro, *[f"- {line}" for line in lines]])

    notification_send(
        org=org, event="checks.regression", users=_leaders(org), subject=subject, body=body, url=url
    )


def _tasks(run: CheckRun, current: dict[str, CheckOutcome]) -> int:
    from ippo.program.models import ActionItem
    from ippo.program.services import action_item_create

    domain = run.domain
    wanted = [
        check
        for check, o in current.items()
        if check in TASK_TITLES and (o.status == "fail" or (check == "vpn_login" and o.status == "warn"))
    ]
    if not wanted:
        return 0
    open_checks = set(
        FindingTask.objects.filter(domain=domain, check_name__in=wanted)
        .exclude(action_item__status=ActionItem.Status.DONE)
        .values_list("check_name", flat=True)
    )
    made = 0
    with translation.override(settings.LANGUAGE_CODE):
        for check in wanted:
            if check in open_checks:
                continue
            impact, fix = ADVICE.get(check, ("", ""))
            outcome = current[check]
            description = "\n\n".join(str(p) for p in (outcome.message, impact, fix) if p)
            with transaction.atomic():
                item = action_item_create(
                    org=run.organization,
                    actor=None,
                    title=str(TASK_TITLES[check] % {"domain": domain.name})[:200],
                    control_id=CONTROL_FOR_CHECK.get(check, ""),
                    description=description,
                )
                FindingTask.objects.create(
                    organization=run.organization, domain=domain, check_name=check, action_item=item
                )
            made += 1
    return made


def _program(run: CheckRun, current: dict[str, CheckOutcome], now: datetime) -> None:
    from ippo.program.services import control_status_apply_answers, evidence_add

    answers = {}
    for control_id, checks in STATUS_CONTROLS.items():
        statuses = [current[c].status for c in checks if c in current]
        if not statuses or (any(s in ("unknown", "na") for s in statuses) and "fail" not in statuses):
            continue
        answers[control_id] = (
            "no" if "fail" in statuses else ("yes" if all(s == "pass" for s in statuses) else "partial")
        )
    exposed = [c for c in current if c.startswith("port_") and current[c].status == "fail"]
    if exposed:
        answers["pr-firewall"] = "no"
    if answers:
        control_status_apply_answers(
            org=run.organization,
            actor=None,
            answers=answers,
            source="check",
            source_ref=f"checkrun:{run.pk}",
            when=now,
        )
    day = timezone.localdate(now) if timezone.is_aware(now) else now.date()
    day = min(day, timezone.localdate())
    with translation.override(settings.LANGUAGE_CODE):
        summary = "\n".join(
            f"{CHECK_LABELS.get(c, c)}: {o.status_label} — {o.message}" for c, o in current.items()
        )
        for control_id in EVIDENCE_CONTROLS:
            evidence_add(
                org=run.organization,
                actor=None,
                control_id=control_id,
                title=_("Automated check of %(domain)s") % {"domain": run.domain.name},
                note=summary,
                performed_on=day,
            )


def findings_to_tasks(*, run: CheckRun) -> int:
    """Action items for the run's findings (not repeated while one for the same check is open)."""
    return _tasks(run, {o.check_name: o for o in run.outcomes.all()})


def run_feed(*, run: CheckRun, previous: CheckRun | None, now: datetime) -> None:
    current = {o.check_name: o for o in run.outcomes.all()}
    before = {o.check_name: o for o in previous.outcomes.all()} if previous is not None else {}
    found = regressions(current, before)
    if found:
        _alert(run, found, current)
    _tasks(run, current)
    _program(run, current, now)
