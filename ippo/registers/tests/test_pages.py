"""Every register page renders in both languages; writes need program.change; assets, vendors and the
responsibility table save, audit, and refuse bad input as a whole."""

from __future__ import annotations

import pytest

from ippo.core.models import AuditEvent
from ippo.registers import services
from ippo.registers.models import Asset, Responsibility, Risk, Vendor

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled(personas, in_org):
    with in_org():
        asset = services.asset_create(org=personas.org, actor=personas.owner, name="NAS", asset_type="nas")
        services.risks_add_starters(org=personas.org, actor=personas.owner)
        vendor = services.vendor_create(
            org=personas.org,
            actor=personas.owner,
            name="IT support Co.",
            service_kinds=["pc_setup"],
            checklist={"confidentiality": "yes"},
        )
        risk = Risk.objects.get(scenario_id="ransomware")
    return {"asset": asset, "risk": risk, "vendor": vendor}


def _pages(filled):
    a, r, v = filled["asset"].pk, filled["risk"].pk, filled["vendor"].pk
    return [
        "/o/org-a/assets/",
        "/o/org-a/assets/new/",
        f"/o/org-a/assets/{a}/edit/",
        "/o/org-a/assets/import/",
        "/o/org-a/risks/",
        "/o/org-a/risks/new/",
        f"/o/org-a/risks/{r}/",
        f"/o/org-a/risks/{r}/edit/",
        "/o/org-a/risks/settings/",
        "/o/org-a/vendors/",
        "/o/org-a/vendors/new/",
        f"/o/org-a/vendors/{v}/",
        f"/o/org-a/vendors/{v}/edit/",
        "/o/org-a/responsibilities/",
    ]


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_page_renders_in_both_languages(owner_client, filled, language):
    owner_client.cookies["ippo_language"] = language
    for url in _pages(filled):
        response = owner_client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Language"] == language
        html = response.content.decode()
        assert "<script>" not in html and " style=" not in html, url
    html = owner_client.get(f"/o/org-a/risks/{filled['risk'].pk}/").content.decode()
    assert ("ランサムウェアで業務が止まる" if language == "ja" else "Ransomware stops the business") in html
    html = owner_client.get(f"/o/org-a/vendors/{filled['vendor'].pk}/edit/").content.decode()
    assert (
        "秘密保持の取り決めがある" if language == "ja" else "A confidentiality agreement is in place"
    ) in html


def test_a_viewer_reads_the_registers_but_gets_403_on_every_write(client, personas, filled):
    client.force_login(personas.viewer)
    for url in (
        "/o/org-a/assets/",
        "/o/org-a/risks/",
        "/o/org-a/vendors/",
        "/o/org-a/responsibilities/",
        f"/o/org-a/risks/{filled['risk'].pk}/",
        f"/o/org-a/vendors/{filled['vendor'].pk}/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        for button in ("Add an asset", "Add the starter risks", "Add a vendor", "Save the table", ">Edit<"):
            assert button not in html, (url, button)
    a, r, v = filled["asset"].pk, filled["risk"].pk, filled["vendor"].pk
    for url in (
        "/o/org-a/assets/new/",
        f"/o/org-a/assets/{a}/edit/",
        f"/o/org-a/assets/{a}/delete/",
        "/o/org-a/assets/import/",
        "/o/org-a/risks/new/",
        f"/o/org-a/risks/{r}/edit/",
        f"/o/org-a/risks/{r}/delete/",
        "/o/org-a/risks/starters/",
        "/o/org-a/risks/settings/",
        "/o/org-a/vendors/new/",
        f"/o/org-a/vendors/{v}/edit/",
        f"/o/org-a/vendors/{v}/review/",
        f"/o/org-a/vendors/{v}/delete/",
        "/o/org-a/responsibilities/save/",
    ):
        assert client.post(url, {"name": "x"}).status_code == 403, url


def test_a_member_without_programme_access_gets_403(client, personas, filled):
    client.force_login(personas.member)
    assert client.get("/o/org-a/assets/").status_code == 403
    assert client.get("/o/org-a/risks/").status_code == 403


def test_an_asset_is_added_edited_and_deleted_with_audit_events(owner_client, personas, unscoped):
    form = {
        "name": "Laptops",
        "asset_type": "pc",
        "location": "Everyone",
        "owner": personas.manager.pk,
        "personal_data": "on",
        "confidentiality": 2,
        "integrity": 2,
        "availability": 3,
    }
    assert owner_client.post("/o/org-a/assets/new/", form).status_code == 302
    with unscoped():
        asset = Asset.objects.get(name="Laptops")
    assert asset.owner == personas.manager and asset.personal_data and asset.availability == 3
    # The same name again is refused with a clear message.
    html = owner_client.post("/o/org-a/assets/new/", form).content.decode()
    assert "An asset with this name already exists." in html
    response = owner_client.post(
        f"/o/org-a/assets/{asset.pk}/edit/", {**form, "location": "Office", "owner": ""}
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    asset.refresh_from_db()
    assert asset.location == "Office" and asset.owner is None
    owner_client.post(f"/o/org-a/assets/{asset.pk}/delete/")
    with unscoped():
        assert not Asset.objects.exists()
        actions = list(
            AuditEvent.objects.filter(action__startswith="asset.")
            .order_by("seq")
            .values_list("action", flat=True)
        )
        assert actions == ["asset.created", "asset.updated", "asset.deleted"]
        assert AuditEvent.objects.get(action="asset.updated").data["changed"] == ["location", "owner"]


def test_the_owner_must_be_a_member(owner_client, personas, unscoped):
    form = {
        "name": "Laptops",
        "asset_type": "pc",
        "owner": personas.outsider.pk,
        "confidentiality": 2,
        "integrity": 2,
        "availability": 2,
    }
    response = owner_client.post("/o/org-a/assets/new/", form)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()


def test_the_asset_list_filters_and_htmx_gets_the_table_only(owner_client, personas, in_org):
    with in_org():
        services.asset_create(
            org=personas.org,
            actor=personas.owner,
            name="Customer list",
            asset_type="data",
            personal_data=True,
        )
        services.asset_create(org=personas.org, actor=personas.owner, name="Router", asset_type="network")
    html = owner_client.get("/o/org-a/assets/?personal_data=yes").content.decode()
    assert "Customer list" in html and "Router" not in html
    html = owner_client.get("/o/org-a/assets/?type=network").content.decode()
    assert "Router" in html and "Customer list" not in html
    response = owner_client.get("/o/org-a/assets/?type=network", HTTP_HX_REQUEST="true")
    partial = response.content.decode()
    assert (
        partial.lstrip().startswith('<div id="asset-table">')
        and "<html" not in partial
        and "Router" in partial
    )


def test_a_vendor_with_its_checklist_is_saved_reviewed_and_audited(owner_client, personas, unscoped):
    form = {
        "name": "Web Co.",
        "service_kinds": ["website", "backup"],
        "services": "Website and hosting",
        "contact_email": "web@example.jp",
        "check_confidentiality": "yes",
        "check_admin-mfa": "no",
        "check_subcontracting": "partial",
    }
    response = owner_client.post("/o/org-a/vendors/new/", form)
    assert response.status_code == 302
    with unscoped():
        vendor = Vendor.objects.get(name="Web Co.")
    assert vendor.service_kinds == ["website", "backup"]
    assert vendor.checklist["confidentiality"] == "yes" and vendor.checklist["admin-mfa"] == "no"
    assert vendor.checklist["return-deletion"] == "unknown"
    html = owner_client.get("/o/org-a/vendors/").content.decode()
    assert "1 of 10 covered" in html and "review due" in html
    assert owner_client.post(f"/o/org-a/vendors/{vendor.pk}/review/").status_code == 302
    vendor.refresh_from_db()
    assert vendor.last_review is not None
    bad = owner_client.post(
        "/o/org-a/vendors/new/",
        {**form, "name": "Other", "contact_email": "nope", "check_confidentiality": "perhaps"},
    )
    assert "Enter a valid email address." in bad.content.decode()
    with unscoped():
        assert Vendor.objects.count() == 1
        assert [
            e.action for e in AuditEvent.objects.filter(action__startswith="vendor.").order_by("seq")
        ] == ["vendor.created", "vendor.reviewed"]


def _table_post(rows: dict) -> dict:
    data = {}
    for control_id, (does, decider, name) in rows.items():
        data[f"does-{control_id}"] = does
        data[f"decider-{control_id}"] = decider
        data[f"decider_name-{control_id}"] = name
    return data


def test_the_responsibility_table_saves_all_rows_or_none(owner_client, personas, filled, unscoped):
    vendor = filled["vendor"]
    ok = _table_post(
        {
            "pr-backup": (f"vendor:{vendor.pk}", str(personas.manager.pk), ""),
            "pr-mfa-email": ("us", "", "Sales manager"),
            "pr-firewall": ("", "", ""),
        }
    )
    assert owner_client.post("/o/org-a/responsibilities/save/", ok).status_code == 302
    with unscoped():
        rows = {r.control_id: r for r in Responsibility.objects.all()}
    assert set(rows) == {"pr-backup", "pr-mfa-email"}
    assert rows["pr-backup"].vendor == vendor and rows["pr-backup"].decider == personas.manager
    assert rows["pr-mfa-email"].doer == "us" and rows["pr-mfa-email"].decider_name == "Sales manager"
    bad = _table_post(
        {
            "pr-firewall": ("us", "", "Someone"),
            "pr-backup": ("vendor:999999", "", ""),
            "pr-os-updates": ("us", str(personas.outsider.pk), ""),
        }
    )
    response = owner_client.post("/o/org-a/responsibilities/save/", bad)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was saved" in html and "Choose one of your vendors." in html
    assert "Choose a member of this organisation, or type a name." in html
    with unscoped():
        assert set(Responsibility.objects.values_list("control_id", flat=True)) == {
            "pr-backup",
            "pr-mfa-email",
        }
        assert AuditEvent.objects.filter(action="responsibility.updated").count() == 1
    html = owner_client.get("/o/org-a/responsibilities/").content.decode()
    assert "2 of " in html  # both rows have a doer and a decider


def test_htmx_saving_the_table_returns_the_table_with_the_message(owner_client, filled):
    response = owner_client.post(
        "/o/org-a/responsibilities/save/",
        _table_post({"pr-backup": ("us", "", "Boss")}),
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200 and html.startswith('<div id="responsibility-table">')
    assert "1 row was saved." in html


def test_deleting_a_vendor_puts_its_measures_back_to_not_decided(
    owner_client, personas, filled, in_org, unscoped
):
    vendor = filled["vendor"]
    with in_org():
        services.responsibilities_save(
            org=personas.org,
            actor=personas.owner,
            rows={"pr-backup": {"does": f"vendor:{vendor.pk}"}},
            control_ids=["pr-backup"],
        )
    response = owner_client.post(f"/o/org-a/vendors/{vendor.pk}/delete/", follow=True)
    assert "1 measure it did is now marked “not decided”." in response.content.decode()
    with unscoped():
        row = Responsibility.objects.get(control_id="pr-backup")
        assert (row.doer, row.vendor) == ("", None)
        assert AuditEvent.objects.get(action="vendor.deleted").data["responsibilities_released"] == 1
