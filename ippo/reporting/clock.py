"""The reporting channel's clock work (called by the programme tick for each organisation, in its scope):
re-escalate reports nobody has acknowledged in time, and forget old receipt-code attempt counters."""

from __future__ import annotations

from datetime import date, datetime

from django_scopes import scope

from ippo.core.models import Organization
from ippo.reporting import escalation, receipts


def run(*, org: Organization, today: date, now: datetime) -> dict[str, int]:
    with scope(organization=org):  # the tick already runs in it; tests and commands may not
        return {
            "reescalated": escalation.escalations_due(org=org, now=now),
            "counters_pruned": receipts.counters_prune(now=now),
        }
