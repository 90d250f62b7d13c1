"""The demo company gets a finished ransomware exercise (notes, hot wash, two actions in the plan) and an
upcoming one that shows on its players' home page. Loading twice adds nothing."""

from __future__ import annotations

import pytest
from django_scopes import scope

from ippo.core.models import AuditEvent
from ippo.program.models import ActionItem
from ippo.tabletop import demo, selectors
from ippo.tabletop.models import Exercise, InjectNote

pytestmark = pytest.mark.django_db


def test_demo_data(personas, client):
    users = dict(personas.users)
    with scope(organization=personas.org):
        demo.load(org=personas.org, users=users)
        demo.load(org=personas.org, users=users)
        done = Exercise.objects.get(status="finished")
        assert done.scenario_id == "ransomware-file-server" and done.went_well and done.to_improve
        assert InjectNote.objects.filter(exercise=done).count() == 6
        in_plan = [a for a in done.actions.all() if a.action_item_id]
        assert len(in_plan) == 2 and done.actions.count() == 3
        assert (
            ActionItem.objects.filter(
                pk__in=[a.action_item_id for a in in_plan], description__contains="机上演習"
            ).count()
            == 2
        )
        assert selectors.exercise_last_finished(personas.org) == done
        upcoming = Exercise.objects.get(status="planned")
        assert upcoming.scenario_id == "invoice-fraud"
    assert AuditEvent.objects.filter(action="tabletop.actions_added", organization=personas.org).count() == 1
    client.force_login(personas.member)
    html = client.get("/o/org-a/").content.decode()
    assert f"/o/org-a/tabletop/{upcoming.pk}/briefing/" in html
    client.force_login(personas.manager)
    report = client.get(f"/o/org-a/tabletop/{done.pk}/report/").content.decode()
    assert "NAS のバックアップを切り離して保管" in report
