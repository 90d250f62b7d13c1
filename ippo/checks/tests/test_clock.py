"""Scheduling, regressions and alerts, the demo data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from ippo.checks import clock, demo, feed
from ippo.checks.models import CheckRun, Domain
from ippo.checks.results import CheckResult
from ippo.checks.services import checkrun_store


@pytest.fixture
def domain(personas):
    with scopes_disabled():
        return Domain.objects.create(
            organization=personas.org,
            name="good.test",
            verification_token="T" * 32,
            next_check_at=timezone.now() - dt.timedelta(minutes=1),
        )


def test_clock_queues_due_domains_once(personas, domain, monkeypatch):
    queued = []
    monkeypatch.setattr("ippo.checks.services._enqueue_run", queued.append)
    now = timezone.now()
    with scope(organization=personas.org):
        assert clock.run(org=personas.org, today=now.date(), now=now) == {"checks_queued": 1}
        assert clock.run(org=personas.org, today=now.date(), now=now) == {"checks_queued": 0}
        domain.refresh_from_db()
        assert now + dt.timedelta(days=7) <= domain.next_check_at < now + dt.timedelta(days=7, hours=1)
    assert len(queued) == 1


def _store(domain, results, when):
    run = CheckRun.objects.create(
        organization=domain.organization, domain=domain, trigger="schedule", state="running", created_at=when
    )
    return checkrun_store(run=run, results=results, active=True, now=when, feed_program=False)


def test_regressions_are_detected(personas, domain):
    now = timezone.now()
    with scope(organization=personas.org):
        before = _store(
            domain,
            [
                CheckResult("certificate", "pass", "cert_ok", {"days": 40}, {"days_left": 40}),
                CheckResult("dmarc", "warn", "dmarc_none"),
                CheckResult("port_rdp", "pass", "port_closed"),
                CheckResult("spf", "pass", "spf_ok", {"lookups": 1, "qualifier": "-all"}),
            ],
            now - dt.timedelta(days=7),
        )
        after = _store(
            domain,
            [
                CheckResult("certificate", "warn", "cert_expiring", {"days": 12}, {"days_left": 12}),
                CheckResult("dmarc", "fail", "dmarc_missing", {"domain": "good.test"}),
                CheckResult("port_rdp", "fail", "port_open_fail", {"addresses": "192.0.2.1"}),
                CheckResult("spf", "unknown", "spf_unknown", {"domain": "good.test"}),
            ],
            now,
        )
        current = {o.check_name: o for o in after.outcomes.all()}
        previous = {o.check_name: o for o in before.outcomes.all()}
        found = dict(feed.regressions(current, previous))
    assert found == {"certificate": "cert_expiring", "dmarc": "dmarc_removed", "port_rdp": "rdp_open"}


def test_a_regression_sends_an_alert(personas, domain, monkeypatch):
    sent = []
    monkeypatch.setattr("ippo.core.notify.notification_send", lambda **kw: sent.append(kw) or [])
    now = timezone.now()
    with scope(organization=personas.org):
        before = _store(domain, [CheckResult("port_rdp", "pass", "port_closed")], now - dt.timedelta(days=7))
        after = _store(
            domain, [CheckResult("port_rdp", "fail", "port_open_fail", {"addresses": "192.0.2.1"})], now
        )
        feed.run_feed(run=after, previous=before, now=now)
        feed.run_feed(run=after, previous=before, now=now)  # the action item is not made twice
        from ippo.checks.models import FindingTask

        assert FindingTask.objects.filter(domain=domain, check_name="port_rdp").count() == 1
    assert sent and sent[0]["event"] == "checks.regression"
    from django.utils import translation

    with translation.override("en"):
        assert "Remote Desktop" in sent[0]["body"]()
    with translation.override("ja"):
        assert "リモートデスクトップ" in sent[0]["body"]()


def test_demo_is_idempotent_and_offline(personas):
    with scope(organization=personas.org):
        demo.load(org=personas.org, users={})
        demo.load(org=personas.org, users={})
        domain = Domain.objects.get(organization=personas.org)
        assert domain.runs.count() == 4
        assert domain.runs.first().outcomes.filter(check_name="port_rdp", status="fail").exists()
        from ippo.program.models import ActionItem

        assert ActionItem.objects.filter(organization=personas.org, control_id="pr-mfa-remote").count() == 1
