"""Demo data: a company profile and three completed assessments over seven months, so results, history,
comparison and the trend line show something real. Deterministic and idempotent."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.utils import timezone

from ippo.assessments import services
from ippo.assessments.models import Assessment
from ippo.assessments.results import items_for
from ippo.catalog.loader import catalog_get

IT_USES = ["m365", "website", "remote_work", "outsourced_it"]


def _bucket(item_id: str) -> int:
    return int(hashlib.sha256(item_id.encode()).hexdigest(), 16) % 100


def first_answer(item) -> str:
    """Spring: a typical small company — some basics done, many gaps, several "don't know"."""
    b = _bucket(item.id)
    return "yes" if b < 30 else "partial" if b < 50 else "no" if b < 85 else "unknown"


def second_answer(item) -> str:
    """Autumn: the free and low-cost gaps were closed, "don't know"s were found out; one thing slipped."""
    before = first_answer(item)
    if before == "unknown":
        return "partial"
    if (
        before in ("no", "partial")
        and getattr(item, "cost", "free") in ("free", "low")
        and _bucket(item.id) % 3
    ):
        return "yes"
    if before == "yes" and _bucket(item.id) in (3, 21):
        return "partial"
    return before


def load(*, org, users) -> None:
    if Assessment.objects.filter(organization=org, status=Assessment.Status.COMPLETED).exists():
        return
    owner, manager = users["owner"], users["manager"]
    services.profile_save(
        org=org, actor=owner, industry="manufacturing", headcount="21-50", it_uses=IT_USES, complete=True
    )
    catalog = catalog_get()
    now = timezone.now()
    plan = [
        ("quick", first_answer, owner, 210),
        ("full", first_answer, manager, 160),
        ("full", second_answer, manager, 12),
    ]
    for kind, answer, actor, days_ago in plan:
        when = now - timedelta(days=days_ago)
        assessment = services.assessment_start(org=org, actor=actor, kind=kind)
        items = items_for(catalog, kind, assessment.it_uses)
        services.answers_save(
            assessment=assessment, actor=actor, answers={item.id: {"value": answer(item)} for item in items}
        )
        services.assessment_complete(assessment=assessment, actor=actor, when=when)
        Assessment.objects.filter(pk=assessment.pk).update(
            source=Assessment.Source.DEMO, created_at=when - timedelta(days=3)
        )
