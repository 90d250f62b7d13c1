"""The API's tenancy walk: every operation in the OpenAPI schema, called with org A's slug and org A's
object ids, by credentials of organisation B (a personal token of B's owner, an organisation token of B),
answers 404 — and changes nothing."""

from __future__ import annotations

import re

import pytest
from django_scopes import scopes_disabled

from ippo.api.api import api as ninja_api
from tests.factories import FACTORIES

# Path parameters that name an object, and the model behind them.
OBJECT_PARAMS = {"assessment_id": "assessments.assessment", "item_id": "program.actionitem"}


def _operations():
    schema = ninja_api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        for method in methods:
            yield path, method


OPERATIONS = list(_operations())


def test_every_path_parameter_is_known():
    for path, _method in OPERATIONS:
        for name in re.findall(r"{(\w+)}", path):
            assert name == "org_slug" or name in OBJECT_PARAMS, f"{path}: add {name} to OBJECT_PARAMS"


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_organisation_b_gets_404_for_organisation_a(path, method, api, personas, token_for, make_user):
    if "{org_slug}" not in path:
        pytest.skip("not an organisation route")
    values = {"org_slug": personas.org.slug}
    with scopes_disabled():
        for name in re.findall(r"{(\w+)}", path):
            if name in OBJECT_PARAMS:
                values[name] = FACTORIES[OBJECT_PARAMS[name]](personas.org, make_user).pk
    url = path.format(**values)
    tokens = [
        token_for(user=personas.outsider, scope="write"),
        token_for(org=personas.other_org, scope="write"),
    ]
    for token in tokens:
        response = api(
            method, url, token=token, json={"title": "probe"} if method in ("post", "patch", "put") else None
        )
        assert response.status_code == 404, (method, url, response.status_code)
    # And B's own slug with A's object ids: 404 too.
    if len(values) > 1:
        own = path.format(**{**values, "org_slug": personas.other_org.slug})
        for token in tokens:
            response = api(
                method,
                own,
                token=token,
                json={"title": "probe"} if method in ("post", "patch", "put") else None,
            )
            assert response.status_code in (404, 422), (method, own, response.status_code)
