"""List, facilitator and report pages run the same number of queries however many rows there are; the home
page item costs one query."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ippo.tabletop.models import Exercise, ExerciseAction, InjectNote, Participant
from tests.helpers import query_count

pytestmark = pytest.mark.django_db


def _fill(personas, n: int) -> Exercise:
    org = personas.org
    today = timezone.localdate()
    exercises = Exercise.objects.bulk_create(
        Exercise(
            organization=org,
            scenario_id="lost-laptop",
            scheduled_on=today + timedelta(days=i),
            facilitator=personas.advisor,
        )
        for i in range(n)
    )
    for ex in exercises:
        Participant.objects.bulk_create(
            [
                Participant(organization=org, exercise=ex, role="owner", user=personas.owner),
                Participant(organization=org, exercise=ex, role="staff", user=personas.member),
                Participant(organization=org, exercise=ex, role="vendor", name="Vendor"),
            ]
        )
        ExerciseAction.objects.bulk_create(
            ExerciseAction(organization=org, exercise=ex, title=f"Action {i}", owner=personas.manager)
            for i in range(3)
        )
        InjectNote.objects.bulk_create(
            InjectNote(organization=org, exercise=ex, inject_id=i.id, text="Notes")
            for i in ex.scenario.injects
        )
    return exercises[0]


def test_pages_run_a_constant_number_of_queries(owner_client, personas, unscoped):
    with unscoped():
        first = _fill(personas, 2)
    pages = [
        "/o/org-a/tabletop/",
        f"/o/org-a/tabletop/{first.pk}/",
        f"/o/org-a/tabletop/{first.pk}/run/?step=2",
        f"/o/org-a/tabletop/{first.pk}/report/",
        f"/o/org-a/tabletop/{first.pk}/hotwash/",
        f"/o/org-a/tabletop/{first.pk}/briefing/",
    ]
    small = {url: query_count(owner_client, url) for url in pages}
    with unscoped():
        _fill(personas, 30)
        extra = Exercise.objects.get(pk=first.pk)
        Participant.objects.bulk_create(
            Participant(organization=personas.org, exercise=extra, role="staff", name=f"Guest {i}")
            for i in range(20)
        )
        ExerciseAction.objects.bulk_create(
            ExerciseAction(organization=personas.org, exercise=extra, title=f"More {i}", owner=personas.owner)
            for i in range(20)
        )
    large = {url: query_count(owner_client, url) for url in pages}
    assert small == large
    assert large["/o/org-a/tabletop/"] <= 12, large


def test_the_home_page_item_is_one_query(rf, personas, unscoped):
    from django_scopes import scope

    from ippo.tabletop import home

    with unscoped():
        _fill(personas, 3)
    request = rf.get("/o/org-a/")
    request.org, request.user = personas.org, personas.member
    with scope(organization=personas.org), CaptureQueriesContext(connection) as ctx:
        items = home.tasks(request)
    assert len(ctx.captured_queries) == 1
    assert len(items) == 3 and all("/briefing/" in i["url"] for i in items)
    request.user = personas.viewer  # plays no role
    with scope(organization=personas.org):
        assert home.tasks(request) == []
