"""The devices app's share of the programme tick (`ippo program tick`, and `ippo serve` every 5 minutes).

Idempotent, and safe with several workers: each piece of work is claimed with a conditional UPDATE first.
- Hand-checked services whose confirmation is due: one reminder per due date to the owners and managers.
- Cloud connectors not checked for a day: checked again.
- Device controls: recomputed (devices that stopped reporting drop out), and one evidence note a day.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.urls import reverse
from django.utils.translation import gettext as _

from ippo.core.models import Organization
from ippo.core.notify import notification_send
from ippo.devices import services
from ippo.devices.models import CloudConnector, Device, SaasService

CLOUD_EVERY = timedelta(days=1)


def saas_reminders(*, org: Organization, today: date) -> int:
    sent = 0
    leaders = None
    for service in SaasService.objects.filter(
        organization=org, next_due__lte=today, reminded_on__isnull=True
    ):
        if SaasService.objects.filter(pk=service.pk, reminded_on__isnull=True).update(reminded_on=today) != 1:
            continue  # another worker took it
        leaders = leaders if leaders is not None else services.leaders(org)
        name = service.name
        notification_send(
            org=org,
            event="devices.attestation_due",
            users=leaders,
            webhooks=False,
            url=reverse("org:saasservice_attest", args=[org.slug, service.pk]),
            subject=lambda n=name: _("Time to check two-step sign-in on %(service)s") % {"service": n},
            body=lambda n=name: (
                _(
                    "Please open the administration screen of %(service)s, check that two-step sign-in is required, "
                    "and save a screenshot in ippo."
                )
                % {"service": n}
            ),
        )
        sent += 1
    return sent


def cloud_checks(*, org: Organization, now: datetime) -> int:
    ran = 0
    if org.is_demo:
        return 0  # the demo company's connection is made up: never call out
    due = CloudConnector.objects.filter(organization=org).exclude(last_run_at__gt=now - CLOUD_EVERY)
    for connector in due:
        previous = connector.last_run_at
        claimed = CloudConnector.objects.filter(pk=connector.pk, last_run_at=previous).update(last_run_at=now)
        if claimed != 1:
            continue
        services.cloud_connector_run(connector=connector, now=now)
        ran += 1
    return ran


def stale_alerts(*, org: Organization, now: datetime) -> int:
    """One message per silence: a device that stopped reporting STALE_AFTER ago (re-armed by its next report)."""
    from django.db.models import F, Q

    sent = 0
    silent = Device.objects.filter(
        organization=org, is_active=True, last_seen_at__lt=now - services.STALE_AFTER
    ).filter(Q(stale_notified_at__isnull=True) | Q(stale_notified_at__lt=F("last_seen_at")))
    leaders = None
    for device in silent:
        claimed = (
            Device.objects.filter(pk=device.pk)
            .filter(Q(stale_notified_at__isnull=True) | Q(stale_notified_at__lt=F("last_seen_at")))
            .update(stale_notified_at=now)
        )
        if claimed != 1:
            continue
        leaders = leaders if leaders is not None else services.leaders(org)
        name, days = device.name, services.STALE_AFTER.days
        notification_send(
            org=org,
            event="devices.stale",
            users=leaders,
            webhooks=False,
            url=reverse("org:device_detail", args=[org.slug, device.pk]),
            subject=lambda n=name: _("A device has stopped reporting: %(device)s") % {"device": n},
            body=lambda n=name, d=days: (
                _(
                    "%(device)s has not sent a report for %(days)s days. If it is still in use, check that the ippo agent "
                    "runs; if it is no longer used, remove it in ippo."
                )
                % {"device": n, "days": d}
            ),
        )
        sent += 1
    return sent


def run(*, org: Organization, today: date, now: datetime) -> dict[str, int]:
    services.device_controls_sync(org=org, now=now)
    return {
        "attestation_reminders": saas_reminders(org=org, today=today),
        "stale_alerts": stale_alerts(org=org, now=now) if not org.is_demo else 0,
        "cloud_checks": cloud_checks(org=org, now=now),
        "device_evidence": services.devices_evidence_record(org=org, today=today, now=now),
    }
