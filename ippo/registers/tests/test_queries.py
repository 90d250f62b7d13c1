"""The asset list and the risk register run the same number of queries for 5 rows as for 200."""

from __future__ import annotations

import pytest
from django.utils import timezone

from ippo.program.models import ControlStatus
from ippo.registers.models import Asset, Risk, RiskSettings
from tests.helpers import query_count

pytestmark = pytest.mark.django_db


def _fill(personas, start: int, stop: int) -> None:
    org = personas.org
    assets = Asset.objects.bulk_create(
        Asset(
            organization=org,
            name=f"Asset {i}",
            asset_type="pc",
            owner=personas.manager if i % 2 else None,
            personal_data=bool(i % 3),
        )
        for i in range(start, stop)
    )
    risks = Risk.objects.bulk_create(
        Risk(
            organization=org,
            title=f"Risk {i}",
            likelihood=1 + i % 5,
            days_down=i % 7,
            records=i * 10,
            loss_yen=i * 1000,
            owner=personas.owner if i % 2 else None,
            control_ids=["pr-backup", "pr-firewall"],
        )
        for i in range(start, stop)
    )
    for risk, asset in zip(risks, assets, strict=True):
        risk.assets.add(asset)


def test_list_queries_do_not_grow_with_the_number_of_rows(owner_client, personas, in_org):
    with in_org():
        RiskSettings.objects.create(organization=personas.org, daily_revenue_yen=1_000_000)
        ControlStatus.objects.create(
            organization=personas.org,
            control_id="pr-backup",
            status="implemented",
            source="manual",
            updated_at=timezone.now(),
        )
        _fill(personas, 0, 5)
    small = {url: query_count(owner_client, url) for url in ("/o/org-a/assets/", "/o/org-a/risks/")}
    with in_org():
        _fill(personas, 5, 200)
        assert Asset.objects.count() == Risk.objects.count() == 200
    large = {url: query_count(owner_client, url) for url in ("/o/org-a/assets/", "/o/org-a/risks/")}
    assert small == large
    assert max(large.values()) <= 12
