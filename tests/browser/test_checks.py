"""Domain checks in a real browser: add a domain, prove ownership with the TXT record served by the
loopback DNS fixture, run the checks and read the grouped results (no outside network)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import snapshot
from tests.browser.test_assessment import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fixture_net(settings):
    from ippo.checks.tests.fixtures import start_net

    net = start_net()
    for key, value in net.settings().items():
        setattr(settings, key, value)
    yield net
    net.stop()


def test_add_prove_and_check_a_domain(page, live_server, make_user, fixture_net):
    from django_scopes import scopes_disabled

    from ippo.checks.models import Domain
    from ippo.core.models import Membership, Organization

    user = make_user("owner-checks@example.com", mfa=True, name="Owner", language="en")
    org = Organization.objects.create(name="Checks Test Ltd", slug="checks-test")
    Membership.objects.create(organization=org, user=user, role="owner")
    _sign_in(page, live_server, user)

    page.goto(f"/o/{org.slug}/checks/domains/new/")
    page.fill("input[name=name]", "good.test")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/checks/domains/*/")
    assert "ippo-site-verification=" in page.locator(".check-token").inner_text()
    # The fixture zone publishes GOODTOKEN for good.test: use it as this domain's token.
    with scopes_disabled():
        Domain.objects.filter(organization=org).update(verification_token="GOODTOKEN")
    page.reload()
    page.locator("form[action$='/verify/'] button").click()
    page.wait_for_load_state()
    assert page.locator(".check-token").count() == 0  # proven: the record box is gone
    page.locator("form[action$='/run/'] button").click()
    page.wait_for_load_state()
    page.reload()
    groups = page.locator(".check-group")
    assert groups.count() == 3
    assert page.locator(".check-row-fail").count() >= 1  # the fixture's open "RDP" port
    assert not page.csp_errors, page.csp_errors
    snapshot(page, "checks-domain-detail")
    type(user).objects.filter(pk=user.pk).update(language="ja")
    page.context.add_cookies([{"name": "ippo_language", "value": "ja", "url": live_server.url}])
    page.reload()
    assert "リモートデスクトップ" in page.locator(".check-row-fail").first.inner_text()
    snapshot(page, "checks-domain-detail-ja")
