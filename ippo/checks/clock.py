"""The weekly schedule: called by the programme clock for each organisation, inside its scope."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Q

from ippo.checks.models import CheckRun, Domain
from ippo.checks.services import CHECK_INTERVAL, checkrun_request

MAX_PER_TICK = 10  # domains started per organisation per tick: spreads the load (the tick runs every 5 min)


def run(*, org, today: date, now: datetime) -> dict[str, int]:
    """Queue a run for each active domain whose next check is due. Each domain is claimed with a
    conditional UPDATE (moving next_check_at a week on), so two workers never queue the same one."""
    limit = int(getattr(settings, "IPPO_CHECKS_MAX_PER_TICK", MAX_PER_TICK))
    due = list(
        Domain.objects.filter(organization=org, is_active=True)
        .filter(Q(next_check_at__lte=now) | Q(next_check_at__isnull=True))
        .order_by("next_check_at")
        .values_list("pk", "next_check_at")[:limit]
    )
    queued = 0
    for pk, next_at in due:
        claimed = (
            Domain.objects.filter(pk=pk, next_check_at=next_at)
            if next_at
            else Domain.objects.filter(pk=pk, next_check_at__isnull=True)
        )
        # A little jitter, so domains added together do not stay in step week after week.
        jitter = timedelta(minutes=secrets.randbelow(60))
        if claimed.update(next_check_at=now + CHECK_INTERVAL + jitter) != 1:
            continue
        domain = Domain.objects.get(pk=pk)
        _run, created = checkrun_request(
            domain=domain, actor=None, trigger=CheckRun.Trigger.SCHEDULE, now=now
        )
        queued += created
    return {"checks_queued": queued}
