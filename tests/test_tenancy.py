"""The tenancy harness: walks *every* URL pattern (routes added later are covered without editing this
file) and proves that

- an anonymous visitor is sent to the login page (except the few public pages listed below);
- a user of organisation B gets 404 for anything under organisation A, and 404 for A's objects even
  through B's own URLs;
- each role in organisation A reaches exactly what `ippo.core.roles.PERMISSIONS` allows it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_scopes import scopes_disabled

from ippo.core.roles import Role, role_has_permission
from tests.factories import FACTORIES

# Pages anyone may open without signing in (besides allauth's own sign-in pages).
PUBLIC_URL_NAMES = {
    "healthz",
    "accounts:invitation_accept",
    "accounts:language_switch",
    # The quick check without an account (answers live in the session only) and the controls' how-to.
    "check:check_start",
    "check:check_questions",
    "check:check_result",
    "check:check_control",
    # Partner evidence: checking a pack by its code, and the read-only share-link pages (ippo.sharing).
    "sharing:verify_start",
    "sharing:verify_code",
    "sharing:share_page",
    "sharing:share_pdf",
    # Phishing-drill mail links (ippo.phishing.public_urls): the recipient's token is the only key.
    "drill:open",
    "drill:click",
    "drill:confirm",
    "drill:submit",
    "drill:learn",
    "drill:report",
    # Training: the one-time sign-in link (GET shows a button, POST signs in) and "send me a new link".
    "learn:signin",
    "learn:link_request",
    "learn:certificate_verify",
    # The device agent (ippo.devices.public_urls): POST only, JSON, a one-time code or a device token.
    "agent:enrol",
    "agent:report",
    # The reporting channel's report link (an anonymous route: no cookies, no address; ippo.reporting).
    "reporting:report_start",
    "reporting:report_confirm",
    "reporting:report_followup",
    "reporting:report_followup_reply",
}

# URL parameters that name catalog content (the same for every organisation), not a tenant's object.
CATALOG_KWARGS = {"control_id": "pr-mfa-email"}


@dataclass
class Route:
    name: str
    kwargs: tuple[str, ...]
    callback: object

    @property
    def is_org(self) -> bool:
        return "org_slug" in self.kwargs

    @property
    def object_kwargs(self) -> tuple[str, ...]:
        return tuple(k for k in self.kwargs if k != "org_slug" and k not in CATALOG_KWARGS)


def _walk(resolver, namespace="", prefix_kwargs=()):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}{entry.namespace}:"
            kwargs = prefix_kwargs + tuple(entry.pattern.regex.groupindex)
            yield from _walk(entry, ns, kwargs)
        elif isinstance(entry, URLPattern) and entry.name:
            kwargs = prefix_kwargs + tuple(entry.pattern.regex.groupindex)
            yield Route(f"{namespace}{entry.name}", kwargs, entry.callback)


def all_routes() -> list[Route]:
    seen = {}
    for route in _walk(get_resolver()):
        seen.setdefault((route.name, route.kwargs), route)
    return list(seen.values())


def _is_allauth(route: Route) -> bool:
    module = getattr(route.callback, "__module__", "") or ""
    view_class = getattr(route.callback, "view_class", None)
    if view_class is not None:
        module = view_class.__module__
    return module.startswith("allauth.")


def _is_api(route: Route) -> bool:
    """JSON API operations authenticate by token, not by session: ippo/api/tests/test_tenancy_api.py walks
    every operation of the API's OpenAPI schema as organisation B instead."""
    return route.name.startswith("api:")


ORG_ROUTES = [r for r in all_routes() if r.is_org and not _is_api(r)]
OTHER_ROUTES = [r for r in all_routes() if not r.is_org and not _is_allauth(r) and not _is_api(r)]


def _model_for(route: Route):
    """The model behind an object URL: URL names are `<model>_<action>` (STYLE.md)."""
    model_name = route.name.split(":")[-1].split("_")[0]
    for model in apps.get_models():
        if model._meta.model_name == model_name and model._meta.app_label in {c.label for c in apps.get_app_configs() if c.name.startswith("ippo.")}:
            return model
    raise AssertionError(f"URL {route.name}: no model named {model_name!r}; name object URLs <model>_<action>.")


def _url(route: Route, org, obj=None) -> str:
    kwargs = {"org_slug": org.slug}
    kwargs.update({k: v for k, v in CATALOG_KWARGS.items() if k in route.kwargs})
    for key in route.object_kwargs:
        assert obj is not None, f"{route.name} needs an object for {key}"
        kwargs[key] = obj.pk if key in ("pk", "id") or key.endswith("_id") else getattr(obj, key)
    return reverse(route.name, kwargs=kwargs)


def _object_for(route: Route, org, make_user):
    if not route.object_kwargs:
        return None
    model = _model_for(route)
    label = model._meta.label_lower
    assert label in FACTORIES, f"add a factory for {label} to tests/factories.py (needed by URL {route.name})"
    with scopes_disabled():
        return FACTORIES[label](org, make_user)


def test_harness_finds_the_organisation_routes():
    names = {r.name for r in ORG_ROUTES}
    assert {"org:org_home", "org:member_list", "org:audit_log", "org:membership_role"} <= names


def test_every_organisation_view_declares_its_permission():
    missing = [r.name for r in ORG_ROUTES if not hasattr(r.callback, "ippo_permission")]
    assert not missing, f"wrap these views in @org_view(permission): {missing}"


@pytest.mark.django_db
@pytest.mark.parametrize("route", ORG_ROUTES, ids=lambda r: r.name)
def test_anonymous_visitor_is_sent_to_login(route, client, personas, make_user):
    obj = _object_for(route, personas.org, make_user)
    for method in ("get", "post"):
        response = getattr(client, method)(_url(route, personas.org, obj))
        assert response.status_code in (302, 405), (route.name, method, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/"), (route.name, response["Location"])


@pytest.mark.django_db
@pytest.mark.parametrize("route", ORG_ROUTES, ids=lambda r: r.name)
def test_outsider_gets_404_for_another_organisation(route, client, personas, make_user):
    obj = _object_for(route, personas.org, make_user)
    client.force_login(personas.outsider)
    for method in ("get", "post"):
        response = getattr(client, method)(_url(route, personas.org, obj))
        assert response.status_code in (404, 405), (route.name, method, response.status_code)


@pytest.mark.django_db
@pytest.mark.parametrize("route", [r for r in ORG_ROUTES if r.object_kwargs], ids=lambda r: r.name)
def test_objects_of_another_organisation_are_404_through_your_own_urls(route, client, personas, make_user):
    obj = _object_for(route, personas.org, make_user)  # belongs to A
    client.force_login(personas.outsider)  # owner of B: every permission in B
    url = _url(route, personas.other_org, obj)  # B's URL with A's object id
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        assert response.status_code in (404, 405), (route.name, method, response.status_code)
    with scopes_disabled():
        assert type(obj).objects.filter(pk=obj.pk).exists(), "the other organisation's object was changed"


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize("route", ORG_ROUTES, ids=lambda r: r.name)
def test_each_role_reaches_exactly_what_it_is_allowed(route, role, client, personas, make_user):
    obj = _object_for(route, personas.org, make_user)
    client.force_login(personas.users[role.value])
    allowed = role_has_permission(role, route.callback.ippo_permission)
    statuses = []
    for method in ("get", "post"):
        response = getattr(client, method)(_url(route, personas.org, obj))
        statuses.append(response.status_code)
        if response.status_code == 405:
            continue
        if allowed:
            assert response.status_code not in (403, 404), (route.name, role, method, response.status_code)
        else:
            assert response.status_code == 403, (route.name, role, method, response.status_code)
    assert any(s != 405 for s in statuses), f"{route.name} answers neither GET nor POST"


@pytest.mark.django_db
@pytest.mark.parametrize("route", OTHER_ROUTES, ids=lambda r: r.name)
def test_pages_outside_organisations_need_login_unless_public(route, client):
    if route.kwargs:
        kwargs = {k: "x" * 43 for k in route.kwargs}
        url = reverse(route.name, kwargs=kwargs)
    else:
        url = reverse(route.name)
    response = client.get(url)
    if route.name in PUBLIC_URL_NAMES:
        assert response.status_code in (200, 302, 404, 405, 410), (route.name, response.status_code)
        if response.status_code == 302:
            assert not response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == 302 and re.match(r"^/accounts/login/", response["Location"]), (
            route.name,
            response.status_code,
        )
