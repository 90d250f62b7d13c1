from __future__ import annotations

import pytest

from tests.helpers import _english, owner_client  # noqa: F401 — shared fixtures


@pytest.fixture
def in_org(personas):
    """Run a block inside organisation A's scope: `with in_org(): ...`."""
    from django_scopes import scope

    return lambda: scope(organization=personas.org)
