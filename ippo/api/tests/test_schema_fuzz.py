"""Schemathesis over the whole API schema: for every operation, generated requests (valid and invalid
parameters and bodies) with a real token never produce a 5xx, answer only documented status codes and
content types, and every response conforms to its schema. Runs in-process through the WSGI application on
the test database.

Two checks are left out on purpose: unknown query parameters are ignored, as most HTTP APIs do
(`negative_data_rejection`), and some schema-valid inputs are refused by business rules the schema cannot
express — an owner who is not a member, an unknown control (`positive_data_acceptance`). Both answer 422
with a reason; test_api.py asserts those answers."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from ippo.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Calling the WSGI application directly fires request_started/finished, which close the database
    connection — and with it the test's transaction (PostgreSQL). Django's own test client disconnects
    that handler in the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_token(personas):
    from django_scopes import scopes_disabled

    from ippo.api.services import apitoken_create
    from ippo.program.models import ActionItem

    with scopes_disabled():
        ActionItem.objects.create(organization=personas.org, title="fuzz", source="manual")
        _token, text = apitoken_create(actor=None, name="fuzz", scope="write", days=1, user=personas.manager)
    return text


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_never_fails_and_answers_as_documented(case, api_token, personas):
    if "org_slug" in (case.path_parameters or {}):
        # Aim most requests at a real organisation, so that they get past the tenancy check.
        case.path_parameters["org_slug"] = personas.org.slug
    case.call_and_validate(
        headers={"Authorization": f"Bearer {api_token}", "Host": "127.0.0.1"},
        excluded_checks=[checks.negative_data_rejection, checks.positive_data_acceptance],
    )
