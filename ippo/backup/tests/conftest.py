from __future__ import annotations

from tests.helpers import _english, owner_client  # noqa: F401 — shared fixtures
