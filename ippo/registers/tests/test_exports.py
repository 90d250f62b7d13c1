"""Risk and vendor exports: Excel and CSV, this organisation only, no formulas, headers in the reader's language."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from ippo.core.models import AuditEvent
from ippo.program.models import ControlStatus
from ippo.registers import content
from ippo.registers.models import Risk, RiskSettings, Vendor
from tests.helpers import query_count

pytestmark = pytest.mark.django_db
RISKS, VENDORS = "/o/org-a/risks/export/", "/o/org-a/vendors/export/"
EVIL = '=HYPERLINK("http://attacker.example","click")'


@pytest.fixture
def registers(personas, unscoped):
    scenario = content.scenarios()[0]
    checklist = content.checklist()
    with unscoped():
        RiskSettings.objects.create(organization=personas.org, daily_revenue_yen=1_000_000)
        ControlStatus.objects.create(
            organization=personas.org,
            control_id="pr-backup",
            status="implemented",
            source="manual",
            updated_at=timezone.now(),
        )
        Risk.objects.create(
            organization=personas.org,
            title=EVIL,
            description="-2 days of work",
            likelihood=3,
            days_down=2,
            control_ids=["pr-backup"],
            owner=personas.manager,
        )
        Risk.objects.create(
            organization=personas.org,
            scenario_id=scenario.id,
            likelihood=scenario.likelihood,
            loss_yen=1000,
            control_ids=list(scenario.controls),
            status="closed",
        )
        Risk.objects.create(organization=personas.other_org, title="Org B's secret risk", likelihood=5)
        Vendor.objects.create(
            organization=personas.org,
            name="@Web company",
            service_kinds=["website", "backup"],
            services="Runs the website",
            contact_name="Sato",
            contact_email="sato@web.example",
            contact_phone="+81-3-1234-5678",
            checklist={checklist[0].id: "yes", checklist[1].id: "partial", checklist[2].id: "no"},
            last_review=date(2026, 4, 1),
        )
        Vendor.objects.create(organization=personas.org, name="IT support")
        Vendor.objects.create(organization=personas.other_org, name="Org B's secret vendor")
    return {"scenario": scenario, "checklist": checklist}


def _xlsx(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert all(cell.data_type != "f" for row in ws.iter_rows() for cell in row)
    return ws


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    assert text.endswith("\r\n")
    return list(csv.reader(io.StringIO(text, newline="")))


# --- Risks ------------------------------------------------------------------------------------------------------


def test_risk_export_in_excel_holds_the_estimates_of_this_organisations_risks(
    owner_client, registers, personas, unscoped
):
    response = owner_client.get(RISKS)
    assert 'filename="ippo-org-a-risks-' in response["Content-Disposition"]
    ws = _xlsx(response)
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == (
        "Title",
        "What could happen",
        "Likelihood",
        "Cost of one occurrence (yen)",
        "Expected loss per year (yen)",
        "Likelihood after the planned measures",
        "Loss per year after the planned measures (yen)",
        "Status",
        "Responsible",
        "Measures that reduce it",
    )
    assert len(rows) == 3  # Org B's risk is not there
    evil = rows[1]
    assert evil[0] == "'" + EVIL and ws["A2"].data_type == "s"
    assert evil[1] == "'-2 days of work"
    # 2 days × 1,000,000 yen; 25 % a year; the one measure is in place, so 5 % after the measures.
    assert evil[2:7] == (3, 2_000_000, 500_000, 1, 100_000)
    personas.manager.refresh_from_db()
    assert evil[7:9] == ("Open", personas.manager.get_short_name())
    assert evil[9].startswith("pr-backup ")
    starter = rows[2]  # closed risks come last
    assert starter[0] == registers["scenario"].title.en and starter[7] == "Closed"
    assert starter[3] == 1000 and ws.cell(3, 4).data_type == "n"
    with unscoped():
        event = AuditEvent.objects.get(action="risk.exported")
    assert event.data == {"format": "xlsx", "count": 2} and event.actor == personas.owner


def test_risk_export_in_csv_neutralises_formulas_and_keeps_numbers(owner_client, registers):
    rows = _csv(owner_client.get(RISKS + "?format=csv"))
    assert rows[0][0] == "Title" and len(rows) == 3
    assert rows[1][0] == "'" + EVIL and rows[1][3] == "2000000"
    assert "Org B's secret risk" not in {row[0] for row in rows}
    controls = registers["scenario"].controls
    assert [line.split(" ")[0] for line in rows[2][9].split("\n")] == list(controls)  # one a line


def test_risk_headers_and_texts_follow_the_language_of_the_person(owner_client, registers):
    owner_client.cookies["ippo_language"] = "ja"
    ja = _csv(owner_client.get(RISKS + "?format=csv"))
    assert ja[0][:3] == ["タイトル", "起こりうること", "起こりやすさ"]
    assert ja[0][7:10] == ["状態", "担当する人", "このリスクを減らす対策"]
    assert ja[2][0] == registers["scenario"].title.ja


# --- Vendors ----------------------------------------------------------------------------------------------------


def test_vendor_export_has_a_column_per_checklist_item(owner_client, registers):
    checklist = registers["checklist"]
    ws = _xlsx(owner_client.get(VENDORS + "?format=xlsx"))
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == (
        "Vendor",
        "Kinds of service",
        "What they do for us",
        "Contact person",
        "Contact e-mail",
        "Contact phone",
        *(item.label.en for item in checklist),
        "Last reviewed",
    )
    assert [row[0] for row in rows[1:]] == ["'@Web company", "IT support"]  # not Org B's
    web = rows[1]
    assert web[1] == "Website production or hosting, Backup"
    assert web[2:6] == ("Runs the website", "Sato", "sato@web.example", "'+81-3-1234-5678")
    assert web[6:9] == ("Yes", "Partly", "No")
    assert set(web[9:-1]) == {"Don't know"}
    assert web[-1].date() == date(2026, 4, 1) and ws.cell(2, len(rows[0])).is_date
    it_support = rows[2]
    assert set(it_support[6:-1]) == {"Don't know"} and it_support[-1] is None


def test_vendor_export_in_csv_and_in_japanese(owner_client, registers, personas, unscoped):
    owner_client.cookies["ippo_language"] = "ja"
    rows = _csv(owner_client.get(VENDORS + "?format=csv"))
    assert rows[0][0] == "委託先" and rows[0][2] == "任せている業務" and rows[0][-1] == "最終見直し日"
    assert rows[0][6] == registers["checklist"][0].label.ja
    assert rows[1][0] == "'@Web company" and rows[1][-1] == "2026-04-01" and rows[1][6] == "はい"
    assert [row[0] for row in rows[1:]] == ["'@Web company", "IT support"]
    with unscoped():
        event = AuditEvent.objects.get(action="vendor.exported")
    assert event.data == {"format": "csv", "count": 2}


# --- Both -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [RISKS, VENDORS])
def test_a_viewer_may_download_an_employee_may_not(as_user, personas, registers, url):
    assert as_user(personas.viewer).get(url + "?format=csv").status_code == 200
    assert as_user(personas.member).get(url + "?format=csv").status_code == 403


@pytest.mark.parametrize("url", [RISKS, VENDORS])
def test_an_unknown_format_is_404(owner_client, registers, url):
    assert owner_client.get(url + "?format=json").status_code == 404


def test_the_list_pages_link_to_the_exports(owner_client, registers):
    risks = owner_client.get("/o/org-a/risks/").content.decode()
    assert f'href="{RISKS}?format=xlsx"' in risks and f'href="{RISKS}?format=csv"' in risks
    vendors = owner_client.get("/o/org-a/vendors/").content.decode()
    assert f'href="{VENDORS}?format=xlsx"' in vendors and f'href="{VENDORS}?format=csv"' in vendors


def _fill(personas, start, stop):
    checklist = content.checklist()
    Risk.objects.bulk_create(
        Risk(
            organization=personas.org,
            title=f"Risk {i}",
            likelihood=1 + i % 5,
            days_down=i % 7,
            loss_yen=i * 1000,
            owner=personas.owner if i % 2 else None,
            control_ids=["pr-backup", "pr-firewall"],
        )
        for i in range(start, stop)
    )
    Vendor.objects.bulk_create(
        Vendor(
            organization=personas.org,
            name=f"Vendor {i}",
            service_kinds=["backup"],
            checklist={checklist[i % len(checklist)].id: "yes"},
        )
        for i in range(start, stop)
    )


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_number_of_queries_does_not_grow_with_the_registers(owner_client, personas, in_org, fmt):
    with in_org():
        RiskSettings.objects.create(organization=personas.org, daily_revenue_yen=1_000_000)
        _fill(personas, 0, 5)
    small = {url: query_count(owner_client, f"{url}?format={fmt}") for url in (RISKS, VENDORS)}
    with in_org():
        _fill(personas, 5, 200)
        assert Risk.objects.count() == Vendor.objects.count() == 200
    large = {url: query_count(owner_client, f"{url}?format={fmt}") for url in (RISKS, VENDORS)}
    assert small == large
    assert max(large.values()) <= 20  # session, user, membership, MFA, the register, the audit event
