"""The domain pages: list, add, prove ownership, run now, results and history."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from ippo.checks.models import CheckRun, Domain
from ippo.core.models import AuditEvent
from tests.helpers import query_count


def _url(name, org, *args):
    return reverse(f"org:{name}", args=[org.slug, *args])


@pytest.fixture
def domain(personas):
    with scopes_disabled():
        return Domain.objects.create(
            organization=personas.org, name="good.test", verification_token="GOODTOKEN"
        )


def test_adding_a_domain_is_audited(owner_client, personas):
    response = owner_client.post(
        _url("domain_create", personas.org), {"name": "https://Example.CO.JP", "dkim_selectors": ""}
    )
    assert response.status_code == 302
    with scopes_disabled():
        domain = Domain.objects.get(organization=personas.org)
        assert domain.name == "example.co.jp"
        assert len(domain.verification_token) >= 22
        assert AuditEvent.objects.filter(action="checks.domain_added", organization=personas.org).exists()


def test_adding_rejects_a_bad_name(owner_client, personas):
    response = owner_client.post(_url("domain_create", personas.org), {"name": "not a domain"})
    assert response.status_code == 200
    assert "Enter a domain name" in response.content.decode()


def test_a_member_cannot_add_or_see_domains(client, personas):
    client.force_login(personas.member)
    assert client.get(_url("domain_create", personas.org)).status_code == 403
    assert client.get(_url("domain_list", personas.org)).status_code == 403


def test_viewer_roles_with_program_view_read_but_cannot_run(client, personas, domain):
    from ippo.core.roles import role_has_permission

    for user in (personas.owner, personas.manager):
        client.force_login(user)
        assert client.get(_url("domain_detail", personas.org, domain.pk)).status_code == 200
    assert role_has_permission("manager", "checks.manage")


@pytest.mark.parametrize("name", ["domain_verify", "domain_run", "domain_delete", "domain_update"])
def test_post_only_views_reject_get(owner_client, personas, domain, name):
    assert owner_client.get(_url(name, personas.org, domain.pk)).status_code == 405


def test_verify_finds_the_txt_record(owner_client, personas, domain, net_settings):
    owner_client.post(_url("domain_verify", personas.org, domain.pk))
    with scopes_disabled():
        domain.refresh_from_db()
        assert domain.verified_at is not None
        assert AuditEvent.objects.filter(action="checks.domain_verified").exists()


def test_verify_without_the_record_leaves_it_unproven(owner_client, personas, net_settings):
    with scopes_disabled():
        other = Domain.objects.create(
            organization=personas.org, name="none.test", verification_token="X" * 32
        )
    response = owner_client.post(_url("domain_verify", personas.org, other.pk), follow=True)
    assert "not found yet" in response.content.decode()
    with scopes_disabled():
        other.refresh_from_db()
        assert other.verified_at is None


def test_run_now_runs_the_checks_and_shows_grouped_results(
    owner_client, personas, domain, net_settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(_url("domain_run", personas.org, domain.pk))
    assert response.status_code == 302
    with scopes_disabled():
        run = CheckRun.objects.get(domain=domain)
        assert run.state == "done" and run.active  # the TXT token is published, so active checks ran
        assert run.outcomes.filter(check_name="port_rdp", status="fail").exists()
        assert AuditEvent.objects.filter(action="checks.run_requested").exists()
        # a finding became an action item, and the run fed evidence
        from ippo.program.models import ActionItem, Evidence

        assert ActionItem.objects.filter(organization=personas.org, control_id="pr-mfa-remote").exists()
        assert Evidence.objects.filter(organization=personas.org, control_id="pr-email-auth").exists()
    page = owner_client.get(_url("domain_detail", personas.org, domain.pk)).content.decode()
    assert "Remote Desktop" in page and "How to fix it" in page
    # asking again at once does not start another run
    owner_client.post(_url("domain_run", personas.org, domain.pk))
    with scopes_disabled():
        assert CheckRun.objects.filter(domain=domain).count() == 1


def test_attesting_an_address_records_who_when_why(owner_client, personas, domain):
    response = owner_client.post(
        _url("domain_attest", personas.org, domain.pk),
        {
            "address": "133.0.0.9",
            "reason": "Fixed IP of the head office line, ISP contract 42",
            "confirm": "on",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        event = AuditEvent.objects.get(action="checks.address_attested")
        assert event.actor == personas.owner and event.data["address"] == "133.0.0.9"
    response = owner_client.post(
        _url("domain_attest", personas.org, domain.pk),
        {"address": "10.0.0.1", "reason": "our office router", "confirm": "on"},
    )
    assert response.status_code == 200  # private addresses cannot be attested


@pytest.mark.parametrize("language", ["ja", "en"])
def test_pages_render_in_both_languages(owner_client, personas, language):
    from ippo.checks import demo

    with scopes_disabled():
        demo.load(org=personas.org, users={"manager": personas.manager})
        domain = Domain.objects.get(organization=personas.org)
        run = domain.runs.first()
    owner_client.cookies["ippo_language"] = language
    for url in (
        _url("domain_list", personas.org),
        _url("domain_detail", personas.org, domain.pk),
        _url("checkrun_detail", personas.org, run.pk),
        _url("domain_create", personas.org),
    ):
        response = owner_client.get(url)
        assert response.status_code == 200
        assert f'lang="{language}"' in response.content.decode()


def test_domain_list_query_count_is_constant(owner_client, personas):
    from django.utils import timezone

    def add(n):
        with scopes_disabled():
            for i in range(n):
                d = Domain.objects.create(
                    organization=personas.org,
                    name=f"d{Domain.objects.count()}-{i}.test",
                    verification_token="t",
                )
                CheckRun.objects.create(
                    organization=personas.org,
                    domain=d,
                    trigger="manual",
                    state="done",
                    created_at=timezone.now(),
                    counts={"pass": 3},
                )

    add(1)
    few = query_count(owner_client, _url("domain_list", personas.org))
    add(5)
    assert query_count(owner_client, _url("domain_list", personas.org)) == few


def test_detail_query_count_is_constant(owner_client, personas):
    from ippo.checks import demo

    with scopes_disabled():
        demo.load(org=personas.org, users={})
        domain = Domain.objects.get(organization=personas.org)
    url = _url("domain_detail", personas.org, domain.pk)
    first = query_count(owner_client, url)
    with scopes_disabled():
        from django.utils import timezone

        for _ in range(3):
            CheckRun.objects.create(
                organization=personas.org,
                domain=domain,
                trigger="manual",
                state="done",
                created_at=timezone.now() - timezone.timedelta(days=30),
                counts={"pass": 1},
            )
    assert query_count(owner_client, url) == first


def test_htmx_gets_the_results_partial(owner_client, personas, domain):
    response = owner_client.get(_url("domain_detail", personas.org, domain.pk), HTTP_HX_REQUEST="true")
    assert 'id="check-results"' in response.content.decode()
    assert "<html" not in response.content.decode()


def test_home_lists_unproven_domains_for_managers(owner_client, client, personas, domain):
    page = owner_client.get(reverse("org:org_home", args=[personas.org.slug])).content.decode()
    assert "good.test" in page
    client.force_login(personas.member)
    assert "good.test" not in client.get(reverse("org:org_home", args=[personas.org.slug])).content.decode()


def test_a_pending_run_makes_the_results_poll(owner_client, personas, domain):
    from django.utils import timezone

    with scopes_disabled():
        CheckRun.objects.create(
            organization=personas.org, domain=domain, trigger="manual", created_at=timezone.now()
        )
    response = owner_client.get(_url("domain_detail", personas.org, domain.pk), HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 5s"' in response.content.decode()
