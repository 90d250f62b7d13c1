from __future__ import annotations

import re

import pytest

from tests.helpers import _english, owner_client  # noqa: F401 — shared fixtures

ANSWERS = ("yes", "partial", "no", "unknown")


def item_ids(html: str) -> list[str]:
    """The question or control ids on an answer page, in order."""
    return re.findall(r'name="a-([a-z0-9-]+)" value="yes"', html)


@pytest.fixture
def complete_assessment(personas):
    """Create and complete an assessment in org A with the given answers (item id → value)."""
    from django_scopes import scope

    from ippo.assessments import services
    from ippo.assessments.results import items_for
    from ippo.catalog.loader import catalog_get

    def make(kind="quick", answer=lambda i, item_id: ANSWERS[i % 4], it_uses=(), when=None):
        with scope(organization=personas.org):
            if it_uses:
                services.profile_save(org=personas.org, actor=personas.owner, it_uses=it_uses)
            a = services.assessment_start(org=personas.org, actor=personas.owner, kind=kind)
            items = items_for(catalog_get(), kind, a.it_uses)
            services.answers_save(
                assessment=a,
                actor=personas.owner,
                answers={item.id: {"value": answer(i, item.id)} for i, item in enumerate(items)},
            )
            return services.assessment_complete(assessment=a, actor=personas.owner, when=when)

    return make
