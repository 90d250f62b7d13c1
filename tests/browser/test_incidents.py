"""Incident response in a real browser: record an incident, tick playbook tasks (htmx, no page reload), move
it along the workflow, and open the printable playbook."""

from __future__ import annotations

import pytest

from tests.browser.conftest import snapshot
from tests.browser.test_assessment import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_record_an_incident_and_work_through_its_checklist(page, live_server, make_user):
    from django_scopes import scope

    from ippo.core.models import Membership, Organization
    from ippo.incidents.models import Incident

    user = make_user("manager-incident@example.com", mfa=True, name="Sato", language="en")
    org = Organization.objects.create(name="Incident Test Ltd", slug="incident-test")
    Membership.objects.create(organization=org, user=user, role="manager")
    _sign_in(page, live_server, user)

    page.goto(f"/o/{org.slug}/incidents/new/")
    page.fill("input[name=title]", "Password typed into a fake sign-in page")
    page.select_option("select[name=kind]", "phishing-click")
    page.check("input[name=severity][value='2']")
    page.locator("form.register-form button[type=submit]").click()
    page.wait_for_url("**/incidents/*/")
    with scope(organization=org):
        incident = Incident.objects.get()
        first, second = list(incident.tasks.order_by("position")[:2])
    assert page.locator("#tasks .task-list li").count() == 7

    page.locator(f"#task-{first.pk} button[name=done]").click()
    page.locator(f"#task-{first.pk} s").wait_for()
    page.locator(f"#task-{second.pk} button[name=done]").click()
    page.locator(f"#task-{second.pk} s").wait_for()
    with scope(organization=org):
        assert incident.tasks.filter(done_at__isnull=False).count() == 2

    page.select_option("select[name=status]", "triage")
    page.locator("form[action$='/status/'] button[type=submit]").click()
    page.wait_for_url(f"**/incidents/{incident.pk}/")
    assert "Triage" in page.locator("#status-h").inner_text()
    snapshot(page, "incident-detail")

    page.locator("a", has_text="Read the playbook").click()
    assert "What not to do" in page.content()
    assert not [e for e in page.csp_errors if "Content Security Policy" in e], page.csp_errors
