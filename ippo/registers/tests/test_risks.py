"""The risk register: starter risks, residual suggestion from control status, estimates, ordering, forms."""

from __future__ import annotations

import pytest
from django.utils import timezone

from ippo.core.models import AuditEvent
from ippo.program.models import ControlStatus
from ippo.registers import content, selectors, services
from ippo.registers.models import Asset, Risk, RiskSettings

pytestmark = pytest.mark.django_db


def _status(org, control_id, status):
    ControlStatus.objects.create(
        organization=org, control_id=control_id, status=status, source="manual", updated_at=timezone.now()
    )


def test_adding_the_starter_risks_twice_adds_them_once_and_links_assets_by_type(
    owner_client, personas, in_org, unscoped
):
    with in_org():
        nas = Asset.objects.create(organization=personas.org, name="NAS", asset_type="nas")
        site = Asset.objects.create(organization=personas.org, name="Website", asset_type="website")
        Asset.objects.create(organization=personas.org, name="Papers", asset_type="paper")
    assert owner_client.post("/o/org-a/risks/starters/").status_code == 302
    assert owner_client.post("/o/org-a/risks/starters/").status_code == 302
    with unscoped():
        risks = {r.scenario_id: r for r in Risk.objects.filter(organization=personas.org)}
        assert set(risks) == {s.id for s in content.scenarios()}
        assert list(risks["ransomware"].assets.all()) == [nas]
        assert list(risks["website-tampering"].assets.all()) == [site]
        assert not risks["invoice-fraud"].assets.exists()
        ransomware = risks["ransomware"]
        assert (ransomware.likelihood, ransomware.days_down, ransomware.loss_yen) == (2, 7, 1_500_000)
        assert "pr-backup" in ransomware.control_ids
        assert AuditEvent.objects.filter(action="risk.starters_added").count() == 1
    response = owner_client.get("/o/org-a/risks/")
    assert "Add the starter risks" not in response.content.decode()


def test_a_starter_risk_reads_in_each_persons_language_until_it_is_edited(owner_client, personas, in_org):
    with in_org():
        services.risks_add_starters(org=personas.org, actor=personas.owner)
        risk = Risk.objects.get(scenario_id="ransomware")
    assert "Ransomware stops the business" in owner_client.get(f"/o/org-a/risks/{risk.pk}/").content.decode()
    owner_client.cookies["ippo_language"] = "ja"
    assert "ランサムウェアで業務が止まる" in owner_client.get(f"/o/org-a/risks/{risk.pk}/").content.decode()
    # Saving the form unchanged keeps it following the scenario; a new title is kept as typed.
    form = {
        "title": "ランサムウェアで業務が止まる",
        "description": risk.scenario.description.ja,
        "likelihood": 2,
        "days_down": 7,
        "records": 0,
        "loss_yen": "150万",
        "status": "open",
        "control_ids": ["pr-backup"],
    }
    assert owner_client.post(f"/o/org-a/risks/{risk.pk}/edit/", form).status_code == 302
    risk.refresh_from_db()
    assert (risk.title, risk.description, risk.loss_yen) == ("", "", 1_500_000)
    owner_client.post(f"/o/org-a/risks/{risk.pk}/edit/", {**form, "title": "工場が止まる"})
    risk.refresh_from_db()
    assert risk.title == "工場が止まる"


def test_the_residual_suggestion_follows_the_status_of_the_risks_measures(personas, in_org):
    with in_org():
        risk = Risk.objects.create(
            organization=personas.org,
            title="Ransomware",
            likelihood=4,
            days_down=5,
            control_ids=["pr-backup", "pr-restore-test", "pr-os-updates", "pr-firewall"],
        )
        settings = RiskSettings(organization=personas.org, daily_revenue_yen=1_000_000)
        row = selectors.risk_row(risk, settings, selectors.control_statuses(personas.org))
        assert (row.suggested_residual, row.residual_is_suggested) == (4, True)
        _status(personas.org, "pr-backup", "implemented")
        _status(personas.org, "pr-restore-test", "partial")
        _status(personas.org, "pr-os-updates", "partial")
        _status(personas.org, "pr-firewall", "not_implemented")
        _status(personas.org, "pr-mfa-email", "implemented")  # not one of this risk's measures
        row = selectors.risk_row(risk, settings, selectors.control_statuses(personas.org))
        # 1 in place + 2 halves of 4 measures: half-way from 4 towards 1, 1.5 steps, rounded to 2.
        assert (row.in_place, row.partly, row.suggested_residual) == (1, 2, 2)
        assert row.estimate.impact_yen == 5_000_000
        assert row.estimate.expected_annual_yen == 2_500_000  # 50 %
        assert row.estimate.residual_annual_yen == 500_000  # 10 %
        ControlStatus.objects.filter(
            control_id__in=["pr-restore-test", "pr-os-updates", "pr-firewall"]
        ).update(status="implemented")
        row = selectors.risk_row(risk, settings, selectors.control_statuses(personas.org))
        assert (row.in_place, row.suggested_residual, row.estimate.residual_annual_yen) == (4, 1, 250_000)
        risk.residual_likelihood = 3  # a person's override wins over the suggestion
        row = selectors.risk_row(risk, settings, selectors.control_statuses(personas.org))
        assert (row.estimate.residual_likelihood, row.residual_is_suggested) == (3, False)


def test_the_register_is_ordered_by_expected_loss_with_a_total_of_the_open_risks(
    owner_client, personas, in_org
):
    with in_org():
        services.risk_settings_save(
            org=personas.org, actor=personas.owner, daily_revenue_yen=1_000_000, cost_per_record_yen=5000
        )
        small = Risk.objects.create(organization=personas.org, title="Small", likelihood=5, loss_yen=100_000)
        big = Risk.objects.create(organization=personas.org, title="Big", likelihood=1, days_down=10)
        closed = Risk.objects.create(
            organization=personas.org, title="Closed", likelihood=5, loss_yen=10**9, status="closed"
        )
        register = selectors.risk_register(personas.org)
    assert [r.risk for r in register.rows] == [big, small, closed]
    assert register.expected_total_yen == 500_000 + 90_000
    html = owner_client.get("/o/org-a/risks/").content.decode()
    assert html.index("Big") < html.index("Small") < html.index("Closed")
    assert "¥590,000" in html
    owner_client.cookies["ippo_language"] = "ja"
    assert "590,000円" in owner_client.get("/o/org-a/risks/").content.decode()


def test_a_risk_is_created_with_assets_and_measures_and_audited(owner_client, personas, in_org, unscoped):
    with in_org():
        nas = Asset.objects.create(organization=personas.org, name="NAS", asset_type="nas")
    response = owner_client.post(
        "/o/org-a/risks/new/",
        {
            "title": "Flood in the server room",
            "likelihood": 1,
            "days_down": 3,
            "records": 0,
            "loss_yen": "¥2,000,000",
            "control_ids": ["pr-backup", "rc-recovery-plan"],
            "assets": [nas.pk],
            "owner": personas.manager.pk,
            "status": "open",
            "residual_likelihood": "",
        },
    )
    assert response.status_code == 302
    with unscoped():
        risk = Risk.objects.get(title="Flood in the server room")
        assert list(risk.assets.all()) == [nas] and risk.owner == personas.manager
        assert risk.control_ids == ["pr-backup", "rc-recovery-plan"] and risk.loss_yen == 2_000_000
        assert risk.residual_likelihood is None
        assert AuditEvent.objects.filter(action="risk.created", target_id=str(risk.pk)).exists()
    html = owner_client.get(f"/o/org-a/risks/{risk.pk}/").content.decode()
    assert "Not assessed" in html and "¥2,000,000" in html


def test_the_risk_form_refuses_bad_numbers_and_someone_elses_asset(owner_client, personas, unscoped):
    with unscoped():
        theirs = Asset.objects.create(organization=personas.other_org, name="Their NAS", asset_type="nas")
    response = owner_client.post(
        "/o/org-a/risks/new/",
        {
            "title": "",
            "likelihood": 9,
            "days_down": -1,
            "records": 0,
            "loss_yen": "a lot",
            "assets": [theirs.pk],
            "status": "open",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter an amount in yen" in html
    assert "Select a valid choice" in html
    with unscoped():
        assert not Risk.objects.exists()


def test_risk_settings_accept_annual_revenue_and_are_audited(owner_client, personas, unscoped):
    response = owner_client.post(
        "/o/org-a/risks/settings/",
        {"daily_revenue_yen": "", "annual_revenue_yen": "6億", "cost_per_record_yen": "5000"},
    )
    assert response.status_code == 200  # 億 is not understood: a clear message, nothing saved
    assert "Enter an amount in yen" in response.content.decode()
    response = owner_client.post(
        "/o/org-a/risks/settings/",
        {"daily_revenue_yen": "", "annual_revenue_yen": "600,000,000", "cost_per_record_yen": "１万"},
    )
    assert response.status_code == 302
    with unscoped():
        settings = RiskSettings.objects.get(organization=personas.org)
        assert (settings.daily_revenue_yen, settings.cost_per_record_yen) == (2_500_000, 10_000)
        assert AuditEvent.objects.filter(action="risksettings.updated").exists()


def test_deleting_a_risk_is_audited(owner_client, personas, in_org, unscoped):
    with in_org():
        risk = Risk.objects.create(organization=personas.org, title="Gone soon")
    assert owner_client.post(f"/o/org-a/risks/{risk.pk}/delete/").status_code == 302
    with unscoped():
        assert not Risk.objects.filter(pk=risk.pk).exists()
        assert AuditEvent.objects.get(action="risk.deleted").data == {"title": "Gone soon"}
