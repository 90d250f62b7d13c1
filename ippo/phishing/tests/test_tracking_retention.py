"""Retention: per-person drill results are deleted after IPPO_DRILL_RETENTION_DAYS; the totals stay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from ippo.core.models import AuditEvent
from ippo.phishing import results, tracking
from ippo.phishing.models import Drill, DrillEvent, Recipient
from ippo.phishing.tests.tracking_fixtures import _english, build_drill  # noqa: F401

pytestmark = pytest.mark.django_db


def _act(client, built, *, reports=3, clicks=2):
    for token in built.tokens[:reports]:
        client.post(reverse("drill:report", kwargs={"token": token}))
    for token in built.tokens[reports : reports + clicks]:
        client.get(reverse("drill:click", kwargs={"token": token}))
        client.post(reverse("drill:confirm", kwargs={"token": token}))


def test_old_drills_keep_their_totals_and_lose_the_personal_data(client, personas, unscoped, settings):
    settings.IPPO_DRILL_RETENTION_DAYS = 180
    old = build_drill(personas.org, people=10, departments=("営業部", "総務部"), status="finished", finished_days_ago=181)
    recent = build_drill(personas.org, people=5, status="finished", finished_days_ago=10, name="Recent")
    _act(client, old)
    _act(client, recent)
    with unscoped():
        before = results.drill_results(Drill.objects.get(pk=old.drill.pk))

    with scope(organization=personas.org):
        assert tracking.events_purge_due(org=personas.org, now=timezone.now()) == 1
        assert tracking.events_purge_due(org=personas.org, now=timezone.now()) == 0  # idempotent

    with unscoped():
        drill = Drill.objects.get(pk=old.drill.pk)
        assert drill.purged_at is not None
        assert not DrillEvent.objects.filter(recipient__drill=drill).exists()
        assert not Recipient.objects.filter(drill=drill).exclude(
            email="", employee=None, token_hash=None, sent_at=None, clicked_at=None, verified_click_at=None,
            reported_at=None, opened_at=None, submitted_at=None,
        ).exists()
        after = results.drill_results(drill)
        # The recent drill is untouched.
        assert DrillEvent.objects.filter(recipient__drill_id=recent.drill.pk).exists()
        assert AuditEvent.objects.filter(action="drill.personal_results_deleted").count() == 1
    for key in ("recipients", "reported", "report_rate", "median_minutes_to_report", "verified_clicks", "click_rate"):
        assert after[key] == before[key], key
    assert after["departments"] == before["departments"]
    assert after["purged"] is True

    # The results pages show the stored totals, and the old links no longer lead anywhere.
    client.force_login(personas.manager)
    body = client.get(reverse("org:drill_results", args=[personas.org.slug, old.drill.pk])).content.decode()
    assert "30.0%" in body and "deleted at the end of the retention period" in body
    assert client.get(reverse("drill:click", kwargs={"token": old.tokens[0]})).status_code == 404
    overview = client.get(reverse("org:drills_results", args=[personas.org.slug])).content.decode()
    assert "Recent" in overview


def test_running_drills_are_never_purged(personas, settings):
    settings.IPPO_DRILL_RETENTION_DAYS = 1
    build_drill(personas.org, people=2, status="running", finished_days_ago=30)
    with scope(organization=personas.org):
        assert tracking.events_purge_due(org=personas.org, now=timezone.now()) == 0


def test_another_organisation_is_not_purged(personas, unscoped):
    theirs = build_drill(personas.other_org, people=2, status="finished", finished_days_ago=400)
    with scope(organization=personas.org):
        assert tracking.events_purge_due(org=personas.org, now=timezone.now() + timedelta(days=1)) == 0
    with unscoped():
        assert Drill.objects.get(pk=theirs.drill.pk).purged_at is None
