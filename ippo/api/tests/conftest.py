from __future__ import annotations

import pytest

from tests.helpers import _english, owner_client  # noqa: F401 — shared fixtures


@pytest.fixture
def token_for():
    """`token_for(user=…)` or `token_for(org=…)` → the bearer token text."""
    from django_scopes import scopes_disabled

    from ippo.api.services import apitoken_create

    def make(*, user=None, org=None, scope="read", days=30):
        with scopes_disabled():
            _token, text = apitoken_create(
                actor=user, name="test", scope=scope, days=days, user=user, org=org
            )
        return text

    return make


@pytest.fixture
def api(client):
    """`api("get", url, token, json=…)` → response."""
    import json as _json

    def call(method, url, token=None, json=None, **extra):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        if json is not None:
            return getattr(client, method)(
                url, data=_json.dumps(json), content_type="application/json", **headers, **extra
            )
        return getattr(client, method)(url, **headers, **extra)

    return call
