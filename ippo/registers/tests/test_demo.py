import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from ippo.registers.models import Asset, Responsibility, Risk, RiskSettings, Vendor

pytestmark = pytest.mark.django_db


def _counts():
    with scopes_disabled():
        return [
            M.objects.filter(organization__slug="demo").count()
            for M in (Asset, Risk, Vendor, Responsibility, RiskSettings)
        ]


def test_the_demo_company_has_assets_starter_risks_vendors_and_a_partly_filled_table():
    call_command("demo")
    first = _counts()
    call_command("demo")  # idempotent
    assert _counts() == first
    assets, risks, vendors, responsibilities, settings = first
    assert assets == 12 and risks == 6 and vendors == 3 and settings == 1
    assert 5 <= responsibilities < 30
    with scopes_disabled():
        ransomware = Risk.objects.get(organization__slug="demo", scenario_id="ransomware")
        assert ransomware.assets.count() >= 4
        assert Vendor.objects.filter(organization__slug="demo", last_review__isnull=True).exists()
        undecided = Responsibility.objects.filter(
            organization__slug="demo", decider__isnull=True, decider_name=""
        )
        assert undecided.exists()  # the demo shows the gap: work delegated, nobody deciding
