"""The day before an exercise its members are reminded, once, however often and by however many workers the
clock runs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope

from ippo.core.models import Delivery
from ippo.tabletop import clock, services
from ippo.tabletop.services import PlayerSpec

pytestmark = pytest.mark.django_db


def test_members_are_reminded_the_day_before_once(personas):
    org = personas.org
    today = timezone.localdate()
    with scope(organization=org):
        ex = services.exercise_plan(
            org=org,
            actor=personas.manager,
            scenario_id="lost-laptop",
            scheduled_on=today + timedelta(days=3),
            facilitator=personas.advisor,
            players=[PlayerSpec("staff", user=personas.member), PlayerSpec("vendor", name="Vendor")],
            notify=False,
        )
        now = timezone.now()
        assert clock.run(org=org, today=today, now=now) == {"tabletop_reminders": 0}  # three days early
        day_before = today + timedelta(days=2)
        assert clock.run(org=org, today=day_before, now=now) == {"tabletop_reminders": 1}
        assert clock.run(org=org, today=day_before, now=now) == {"tabletop_reminders": 0}
        reminders = Delivery.objects.filter(event="tabletop.reminded")
        assert {d.recipient for d in reminders} == {personas.member, personas.advisor}
        assert all(d.url.endswith(f"/tabletop/{ex.pk}/briefing/") for d in reminders)
        # A finished or past exercise is never reminded.
        later = services.exercise_plan(
            org=org,
            actor=personas.manager,
            scenario_id="invoice-fraud",
            scheduled_on=today + timedelta(days=1),
            notify=False,
        )
        services.exercise_finish(exercise=later, actor=personas.manager)
        assert clock.run(org=org, today=today, now=now) == {"tabletop_reminders": 0}
