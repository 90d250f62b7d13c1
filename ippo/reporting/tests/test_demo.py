from __future__ import annotations

import pytest
from django_scopes import scopes_disabled


@pytest.mark.django_db
def test_the_demo_has_named_and_anonymous_reports_a_thread_and_rules_and_loads_twice():
    from ippo.core.demo import demo_load
    from ippo.core.models import Delivery
    from ippo.reporting.models import DesignatedHandler, EscalationRule, ReceiptCode, Report

    org, _users = demo_load()
    demo_load()
    with scopes_disabled():
        reports = Report.objects.filter(organization=org)
        assert reports.filter(identity="anonymous").count() >= 2
        assert reports.filter(identity="named").count() >= 1
        assert any(r.messages.count() >= 3 for r in reports.filter(identity="anonymous"))
        assert reports.filter(acknowledged_at__isnull=True).exists()
        assert reports.filter(kind="misconduct").exists()
        assert EscalationRule.objects.filter(organization=org).count() == 2
        assert DesignatedHandler.objects.filter(organization=org).exists()
        assert ReceiptCode.objects.filter(organization=org).count() == reports.filter(channel="link").count()
        assert not Delivery.objects.filter(organization=org, event__startswith="report.").exists()
