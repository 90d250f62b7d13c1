"""The tabletop clock, run for each organisation by the programme tick (``ippo program tick``, ``ippo serve``):
the day before a planned exercise, its members (players and facilitator) get a reminder with the briefing
link. Each exercise is claimed with a conditional UPDATE first, so several workers never send it twice."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ippo.core.models import Organization
from ippo.tabletop.models import Exercise
from ippo.tabletop.services import exercise_invite, exercise_invitees


def run(*, org: Organization, today: date, now: datetime) -> dict[str, int]:
    due = Exercise.objects.filter(
        organization=org,
        status=Exercise.Status.PLANNED,
        scheduled_on__gt=today,
        scheduled_on__lte=today + timedelta(days=1),
        reminded_at__isnull=True,
    ).select_related("facilitator")
    sent = 0
    for exercise in due:
        if not Exercise.objects.filter(pk=exercise.pk, reminded_at__isnull=True).update(reminded_at=now):
            continue  # another worker took it
        exercise_invite(exercise, exercise_invitees(exercise), reminder=True)
        sent += 1
    return {"tabletop_reminders": sent}
