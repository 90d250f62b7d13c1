"""Asset import (CSV and Excel, row-level problems, nothing half-saved) and export."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from ippo.core.models import AuditEvent
from ippo.registers.models import Asset

pytestmark = pytest.mark.django_db
URL = "/o/org-a/assets/import/"

JA_CSV = (
    "名称,種類,保管場所,管理者,個人情報,機密性,完全性,可用性,メモ\n"
    "顧客名簿,データ,NAS,owner@a.example,はい,3,2,2,営業部が更新\n"
    "Microsoft 365,クラウド,Microsoft 365,総務部,いいえ,3,2,3,\n"
    "会社ホームページ,website,レンタルサーバー,制作会社,no,1,3,2,\n"
)


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def _xlsx(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _assets(unscoped):
    with unscoped():
        return {a.name: a for a in Asset.objects.filter(organization__slug="org-a").select_related("owner")}


def test_a_csv_with_japanese_headings_and_a_byte_order_mark_is_imported(owner_client, personas, unscoped):
    content = "\ufeff".encode() + JA_CSV.encode()
    response = owner_client.post(URL, {"file": _upload("assets.csv", content)})
    assert response.status_code == 302
    assets = _assets(unscoped)
    assert set(assets) == {"顧客名簿", "Microsoft 365", "会社ホームページ"}
    customers = assets["顧客名簿"]
    assert customers.asset_type == "data" and customers.personal_data
    assert (customers.confidentiality, customers.integrity, customers.availability) == (3, 2, 2)
    assert customers.owner == personas.owner and customers.notes == "営業部が更新"
    assert assets["Microsoft 365"].owner is None and assets["Microsoft 365"].owner_name == "総務部"
    assert assets["会社ホームページ"].asset_type == "website" and not assets["会社ホームページ"].personal_data
    with unscoped():
        event = AuditEvent.objects.get(action="asset.imported")
    assert event.data["created"] == 3 and event.actor == personas.owner


def test_a_shift_jis_csv_from_excel_is_read_too(owner_client, unscoped):
    response = owner_client.post(URL, {"file": _upload("assets.csv", JA_CSV.encode("cp932"))})
    assert response.status_code == 302
    assert "顧客名簿" in _assets(unscoped)


def test_an_excel_file_with_english_headings_is_imported(owner_client, unscoped):
    content = _xlsx(
        [
            [
                "No.",
                "Name",
                "Type",
                "Where it lives",
                "Personal data",
                "Confidentiality",
                "Integrity",
                "Availability",
            ],
            [1, "Accounting data", "Cloud service", "Cloud accounting", "yes", 3, 3, 2.0],
            [2, "Office NAS", "NAS", "Server rack", "", None, None, None],
            [None, None, None, None, None, None, None, None],
        ]
    )
    response = owner_client.post(URL, {"file": _upload("assets.xlsx", content)})
    assert response.status_code == 302, response.content.decode()[:3000]
    assets = _assets(unscoped)
    assert assets["Accounting data"].asset_type == "cloud" and assets["Accounting data"].availability == 2
    nas = assets["Office NAS"]
    assert (nas.asset_type, nas.personal_data, nas.confidentiality) == ("nas", False, 2)


def test_import_names_every_bad_row_and_saves_nothing(owner_client, unscoped):
    content = (
        b"Name,Type,Personal data,Confidentiality,Integrity,Availability\n"
        b"Good row,pc,no,1,1,1\n"
        b",pc,no,1,1,1\n"
        b"Spaceship,rocket,no,1,1,1\n"
        b"Laptop,pc,maybe,1,1,1\n"
        b"NAS,nas,no,5,1,1\n"
        b"Printer,pc,no,1,high-ish,1\n"
        b"good row,pc,no,1,1,1\n"
    )
    response = owner_client.post(URL, {"file": _upload("bad.csv", content)})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was imported" in html
    assert "Row 3: the name is empty." in html
    assert "Row 4: “rocket” is not a type." in html
    assert "Row 5: personal data must be yes or no (not “maybe”)." in html
    assert "Row 6: Confidentiality must be 1, 2 or 3 (not “5”)." in html
    assert "Row 7: Integrity must be 1, 2 or 3 (not “high-ish”)." in html
    assert "Row 8: “good row” appears twice (also in row 2)." in html
    assert _assets(unscoped) == {}
    with unscoped():
        assert not AuditEvent.objects.filter(action="asset.imported").exists()


def test_a_file_without_the_required_headings_is_refused(owner_client, unscoped):
    response = owner_client.post(URL, {"file": _upload("x.csv", b"Colour,Size\nred,3\n")})
    html = response.content.decode()
    assert "Row 1 must hold the column headings. Missing: “Name”, “Type”." in html
    assert _assets(unscoped) == {}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("broken.xlsx", b"PK\x03\x04 definitely not a workbook", "not an Excel workbook"),
        ("empty.csv", b"", "The submitted file is empty"),
        ("old.xls", b"\xd0\xcf\x11\xe0", "old Excel format (.xls)"),
        ("notes.txt", b"hello", "Choose a .csv or .xlsx file."),
        ("binary.csv", b"\x00\x01\x02\x03", "not a CSV text file"),
        ("only-heading.csv", b"Name,Type\n", "holds no assets below the headings"),
        ("big.csv", b"Name,Type\n" + b"x" * (2 * 1024 * 1024 + 1), "larger than 2 MB"),
    ],
)
def test_malformed_files_get_a_clear_message(owner_client, name, content, message, unscoped):
    response = owner_client.post(URL, {"file": _upload(name, content)})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert _assets(unscoped) == {}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("language", ["ja", "en"])
def test_an_export_imports_back_without_changes(owner_client, personas, in_org, unscoped, fmt, language):
    from ippo.registers import services

    with in_org():
        services.asset_create(
            org=personas.org,
            actor=personas.owner,
            name="顧客名簿",
            asset_type="data",
            location="NAS",
            owner=personas.manager,
            personal_data=True,
            confidentiality=3,
            integrity=2,
            availability=1,
            notes='a, "b"',
        )
        services.asset_create(
            org=personas.org,
            actor=personas.owner,
            name="Router",
            asset_type="network",
            owner_name="IT company",
        )
    before = {
        n: (
            a.asset_type,
            a.location,
            a.owner_id,
            a.owner_name,
            a.personal_data,
            a.confidentiality,
            a.integrity,
            a.availability,
            a.notes,
        )
        for n, a in _assets(unscoped).items()
    }
    owner_client.cookies["ippo_language"] = language
    response = owner_client.get(f"/o/org-a/assets/export/?format={fmt}")
    assert response.status_code == 200
    assert f".{fmt}" in response["Content-Disposition"]
    if fmt == "csv":
        assert response.content.startswith("\ufeff".encode())
        assert ("名称" if language == "ja" else "Name") in response.content.decode("utf-8-sig").splitlines()[
            0
        ]
    else:
        wb = load_workbook(io.BytesIO(response.content))
        assert wb.worksheets[0].max_row == 3
    response = owner_client.post(URL, {"file": _upload(f"export.{fmt}", response.content)})
    assert response.status_code == 302
    after = {
        n: (
            a.asset_type,
            a.location,
            a.owner_id,
            a.owner_name,
            a.personal_data,
            a.confidentiality,
            a.integrity,
            a.availability,
            a.notes,
        )
        for n, a in _assets(unscoped).items()
    }
    assert after == before
    with unscoped():
        assert AuditEvent.objects.filter(action="asset.exported").count() == 1
        assert AuditEvent.objects.get(action="asset.imported").data == {
            "file": f"export.{fmt}",
            "created": 0,
            "updated": 0,
        }


def test_import_updates_assets_with_the_same_name_and_leaves_missing_columns_alone(
    owner_client, personas, in_org, unscoped
):
    from ippo.registers import services

    with in_org():
        services.asset_create(
            org=personas.org,
            actor=personas.owner,
            name="NAS",
            asset_type="nas",
            location="Office",
            confidentiality=3,
        )
    owner_client.post(URL, {"file": _upload("a.csv", b"Name,Type,Availability\nnas,NAS,3\nLaptop,pc,1\n")})
    assets = _assets(unscoped)
    assert set(assets) == {"NAS", "Laptop"}
    assert (assets["NAS"].location, assets["NAS"].confidentiality, assets["NAS"].availability) == (
        "Office",
        3,
        3,
    )


def test_exports_never_turn_a_name_into_a_spreadsheet_formula(owner_client, personas, in_org, unscoped):
    from ippo.registers import services

    evil = '=HYPERLINK("http://attacker.example","click")'
    with in_org():
        services.asset_create(
            org=personas.org,
            actor=personas.owner,
            name=evil,
            asset_type="data",
            notes="-2+3",
            location="@home",
        )
    csv_body = owner_client.get("/o/org-a/assets/export/?format=csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_body and "'-2+3" in csv_body and "'@home" in csv_body
    wb = load_workbook(io.BytesIO(owner_client.get("/o/org-a/assets/export/?format=xlsx").content))
    cell = wb.worksheets[0]["A2"]
    assert cell.value == evil and cell.data_type == "s"
    owner_client.post(URL, {"file": _upload("back.csv", csv_body.encode())})
    assets = _assets(unscoped)
    assert list(assets) == [evil]
    assert (assets[evil].notes, assets[evil].location) == ("-2+3", "@home")
