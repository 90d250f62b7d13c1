"""The drill clock, called by the programme tick for each organisation inside its scope.

1. Recurring drills whose day has come create and schedule their next drill (claimed with a conditional
   UPDATE of `next_run_on`, so two workers never create it twice).
2. When drill mail is due, a task is enqueued that sends it at the sending profile's pace
   (`ippo.phishing.sending`); recipients are claimed one by one, so overlapping runs never send twice.
3. Drills whose mail has all gone out move from "sending" to "running".
4. Per-person results of drills finished longer ago than the retention period are deleted; the totals stay
   (`ippo.phishing.tracking.events_purge_due`).
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from ippo.phishing import sending, services, tracking

log = logging.getLogger(__name__)


def run(*, org, today: date, now: datetime) -> dict[str, int]:
    created = 0
    for programme in services.programmes_due(org=org, today=today):
        try:
            drill = services.programme_drill_create(programme=programme, today=today, now=now)
        except ValidationError as exc:  # e.g. the window cannot hold everyone: try again at the next tick
            log.warning("recurring drill %s: %s", programme.pk, "; ".join(exc.messages))
            continue
        if drill is not None:
            created += 1
    due = sending.due_recipients(now=now).filter(organization=org).exists()
    if due:
        from ippo.phishing.tasks import drills_send

        org_id = org.pk
        transaction.on_commit(lambda: drills_send.enqueue(org_id))
    settled = sending.drills_settle(now=now)
    purged = tracking.events_purge_due(org=org, now=now)
    return {"drills_created": created, "send_enqueued": int(due), "drills_sent": settled, "drill_results_purged": purged}
