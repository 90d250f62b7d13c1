"""Writes of the checks app: domains, ownership proof, attested addresses, and check runs."""

from __future__ import annotations

import ipaddress
import logging
import re
import secrets
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ippo.checks.mail import domain_normalise
from ippo.checks.models import AddressAttestation, CheckOutcome, CheckRun, Domain
from ippo.core.audit import audit_record
from ippo.core.models import Organization

log = logging.getLogger(__name__)

CHECK_INTERVAL = timedelta(days=7)
RUN_COOLDOWN = timedelta(minutes=2)  # "run now" at most this often per domain
STALE_RUN = timedelta(hours=1)  # a run still "running" after this is taken to have died
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def domain_validate_name(name: str) -> str:
    name = domain_normalise(name)
    labels = name.split(".")
    if len(name) > 253 or len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise ValidationError(
            {"name": _("Enter a domain name such as example.co.jp (without https:// or www).")}
        )
    if labels[-1].isdigit():
        raise ValidationError({"name": _("Enter a domain name, not an IP address.")})
    return name


@transaction.atomic
def domain_create(
    *, org: Organization, actor, name: str, dkim_selectors: str = "", now: datetime | None = None
) -> Domain:
    name = domain_validate_name(name)
    if Domain.objects.filter(organization=org, name=name).exists():
        raise ValidationError({"name": _("This domain is already on the list.")})
    domain = Domain(
        organization=org,
        name=name,
        verification_token=secrets.token_urlsafe(24),
        dkim_selectors=_selectors_clean(dkim_selectors),
        next_check_at=now or timezone.now(),
        created_by=_user(actor),
    )
    domain.full_clean()
    domain.save()
    audit_record(action="checks.domain_added", actor=actor, org=org, target=domain, data={"domain": name})
    return domain


def _selectors_clean(value: str) -> str:
    selectors = [s.strip().lower() for s in (value or "").replace(" ", ",").split(",") if s.strip()]
    for selector in selectors:
        if not all(_LABEL.match(part) or part.startswith("_") for part in selector.split(".")):
            raise ValidationError(
                {"dkim_selectors": _("A selector may contain only letters, digits, hyphens and dots.")}
            )
    return ", ".join(dict.fromkeys(selectors))[:200]


@transaction.atomic
def domain_update(*, domain: Domain, actor, dkim_selectors: str, is_active: bool) -> Domain:
    selectors = _selectors_clean(dkim_selectors)
    changed = {}
    if selectors != domain.dkim_selectors:
        changed["dkim_selectors"] = selectors
    if is_active != domain.is_active:
        changed["is_active"] = is_active
    if not changed:
        return domain
    domain.dkim_selectors, domain.is_active = selectors, is_active
    if is_active and domain.next_check_at is None:
        domain.next_check_at = timezone.now()
    domain.save()
    audit_record(
        action="checks.domain_changed", actor=actor, org=domain.organization, target=domain, data=changed
    )
    return domain


@transaction.atomic
def domain_delete(*, domain: Domain, actor) -> None:
    audit_record(
        action="checks.domain_removed",
        actor=actor,
        org=domain.organization,
        target=domain,
        data={"domain": domain.name},
    )
    domain.delete()


def domain_verification_lookup(domain: Domain, *, dns=None) -> str:
    """ "found", "missing" or "unknown" (the DNS server did not answer): is the TXT token published?"""
    if dns is None:
        from ippo.checks.dnsclient import Dns  # dnspython is loaded only when a check runs

        dns = Dns()
    answer = dns.txt(domain.name)
    if answer.failed:
        return "unknown"
    return "found" if any(r.strip() == domain.txt_value for r in answer.records) else "missing"


def domain_verify(*, domain: Domain, actor, dns=None, now: datetime | None = None) -> str:
    """Look for the TXT token now and record the outcome. Ownership is granted when the token is found and
    withdrawn when it is gone (a DNS timeout changes nothing). Returns found/missing/unknown."""
    now = now or timezone.now()
    outcome = domain_verification_lookup(domain, dns=dns)
    with transaction.atomic():
        fields = {"verification_checked_at": now}
        if outcome == "found" and domain.verified_at is None:
            fields["verified_at"] = now
            audit_record(
                action="checks.domain_verified",
                actor=actor,
                org=domain.organization,
                target=domain,
                data={"domain": domain.name},
            )
        elif outcome == "missing" and domain.verified_at is not None:
            fields["verified_at"] = None
            audit_record(
                action="checks.domain_verification_lost",
                actor=actor,
                org=domain.organization,
                target=domain,
                data={"domain": domain.name},
            )
        Domain.objects.filter(pk=domain.pk).update(**fields)
        for key, value in fields.items():
            setattr(domain, key, value)
    return outcome


@transaction.atomic
def attestation_create(*, domain: Domain, actor, address: str, reason: str, now: datetime | None = None):
    """The owner vouches that `address` is theirs to test (who, when and why go to the audit log)."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        raise ValidationError({"address": _("Enter an IPv4 or IPv6 address.")}) from None
    if not ip.is_global:
        raise ValidationError(
            {
                "address": _(
                    "Enter a public internet address (private and local addresses cannot be tested from outside)."
                )
            }
        )
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationError(
            {
                "reason": _(
                    "Say in a sentence why this address is yours (e.g. the contract with your internet provider)."
                )
            }
        )
    if AddressAttestation.objects.filter(domain=domain, address=str(ip)).exists():
        raise ValidationError({"address": _("This address is already on the list.")})
    attestation = AddressAttestation.objects.create(
        organization=domain.organization,
        domain=domain,
        address=str(ip),
        reason=reason,
        attested_by=_user(actor),
        attested_at=now or timezone.now(),
    )
    audit_record(
        action="checks.address_attested",
        actor=actor,
        org=domain.organization,
        target=domain,
        data={"address": str(ip), "reason": reason[:500], "at": attestation.attested_at.isoformat()},
    )
    return attestation


@transaction.atomic
def attestation_delete(*, attestation: AddressAttestation, actor) -> None:
    audit_record(
        action="checks.address_withdrawn",
        actor=actor,
        org=attestation.organization,
        target=attestation.domain,
        data={"address": attestation.address},
    )
    attestation.delete()


# --- Runs ----------------------------------------------------------------------------------------------


def _enqueue_run(run_id: int) -> None:
    from ippo.checks.tasks import run_domain_checks

    transaction.on_commit(lambda: run_domain_checks.enqueue(run_id))


@transaction.atomic
def checkrun_request(
    *, domain: Domain, actor, trigger: str = CheckRun.Trigger.MANUAL, now: datetime | None = None
):
    """Queue a run of every check for `domain`. A run already waiting or running, or one requested in the
    last two minutes, is returned instead of starting another (the targets are not ours to hammer)."""
    now = now or timezone.now()
    recent = (
        CheckRun.objects.filter(domain=domain)
        .filter(
            Q(state__in=[CheckRun.State.QUEUED, CheckRun.State.RUNNING])
            | Q(created_at__gte=now - RUN_COOLDOWN)
        )
        .filter(created_at__gte=now - STALE_RUN)
        .first()
    )
    if recent is not None:
        return recent, False
    run = CheckRun.objects.create(
        organization=domain.organization,
        domain=domain,
        trigger=trigger,
        created_at=now,
        requested_by=_user(actor),
    )
    if trigger == CheckRun.Trigger.MANUAL:
        audit_record(
            action="checks.run_requested",
            actor=actor,
            org=domain.organization,
            target=domain,
            data={"domain": domain.name, "run": run.pk},
        )
    _enqueue_run(run.pk)
    return run, True


def checkrun_claim(*, run_id: int, now: datetime) -> bool:
    return (
        CheckRun.objects.filter(pk=run_id, state=CheckRun.State.QUEUED).update(
            state=CheckRun.State.RUNNING, started_at=now
        )
        == 1
    )


def checkrun_execute(*, run: CheckRun, cfg=None, now: datetime | None = None, dns=None) -> CheckRun:
    """Run the checks of a claimed run (state running) and store the results. Network work happens outside
    any transaction; ownership is re-checked first, and only a domain proven right now gets active checks."""
    from ippo.checks import collect, feed, runner

    now = now or timezone.now()
    domain = run.domain
    cfg = cfg or collect.CheckConfig.from_settings()
    if dns is None:
        from ippo.checks.dnsclient import Dns

        dns = Dns(cfg.resolver, timeout=min(cfg.timeout, 3.0), gate=cfg.gate)
    lookups = dns
    try:
        verified = domain_verify(domain=domain, actor=None, dns=lookups, now=now) == "found"
        attested = list(AddressAttestation.objects.filter(domain=domain).values_list("address", flat=True))
        result = runner.domain_run(
            domain.name,
            cfg=cfg,
            now=now,
            active=verified,
            dkim_selectors=domain.selectors_list(),
            attested=attested if verified else [],
            dns=lookups,
        )
    except Exception:
        log.exception("check run %s failed", run.pk)
        CheckRun.objects.filter(pk=run.pk).update(state=CheckRun.State.ERROR, finished_at=timezone.now())
        run.state = CheckRun.State.ERROR
        return run
    return checkrun_store(
        run=run, results=result.results, active=verified, now=now, feed_program=True, feed=feed
    )


def checkrun_store(
    *, run: CheckRun, results, active: bool, now: datetime, feed_program: bool = True, feed=None
):
    """Save `results` (CheckResult values) on `run`, then compare with the previous run (alerts), make
    action items for new findings and update control status and evidence."""
    if feed is None:
        from ippo.checks import feed
    domain = run.domain
    previous = (
        CheckRun.objects.filter(domain=domain, state=CheckRun.State.DONE, created_at__lt=run.created_at)
        .exclude(pk=run.pk)
        .order_by("-created_at")
        .first()
    )
    counts: dict[str, int] = {}
    with transaction.atomic():
        CheckOutcome.objects.bulk_create(
            CheckOutcome(
                organization=run.organization,
                run=run,
                check_name=r.check,
                status=r.status,
                code=r.code,
                params=r.params,
                data=_jsonable(r.data),
            )
            for r in results
        )
        for r in results:
            counts[r.status] = counts.get(r.status, 0) + 1
        run.state, run.finished_at, run.counts, run.active = (
            CheckRun.State.DONE,
            timezone.now(),
            counts,
            active,
        )
        run.save(update_fields=["state", "finished_at", "counts", "active"])
        Domain.objects.filter(pk=domain.pk).update(last_run_at=now)
    if feed_program:
        feed.run_feed(run=run, previous=previous, now=now)
    return run


def _jsonable(data: dict) -> dict:
    import json

    return json.loads(json.dumps(data, default=str))
