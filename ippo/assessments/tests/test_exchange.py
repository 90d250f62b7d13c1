"""Excel and JSON export, and import with row-level problems and nothing half-imported."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from ippo.assessments.exchange import ANSWER_SHEET, META_SHEET, RESULT_SHEET
from ippo.assessments.models import Answer, Assessment
from ippo.core.models import AuditEvent

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(content: bytes):
    return load_workbook(io.BytesIO(content))


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_excel_export_holds_every_answer_and_the_results(owner_client, complete_assessment, unscoped):
    done = complete_assessment(kind="full")
    response = owner_client.get(f"/o/org-a/assessment/{done.pk}/export/?format=xlsx")
    assert response["Content-Type"] == XLSX
    assert "-full-" in response["Content-Disposition"]
    wb = _xlsx(response.content)
    assert {ANSWER_SHEET, RESULT_SHEET, META_SHEET} <= set(wb.sheetnames)
    rows = list(wb[ANSWER_SHEET].iter_rows(min_row=2, values_only=True))
    with unscoped():
        answers = dict(Answer.objects.filter(assessment=done).values_list("item_id", "value"))
    assert {r[0] for r in rows} == set(answers)
    assert wb[RESULT_SHEET]["B1"].value == done.result["overall"]
    with unscoped():
        assert AuditEvent.objects.filter(action="assessment.exported").exists()


def test_json_export_round_trips_through_import(owner_client, complete_assessment, unscoped):
    done = complete_assessment(kind="quick")
    content = owner_client.get(f"/o/org-a/assessment/{done.pk}/export/?format=json").content
    doc = json.loads(content)
    assert doc["format"] == "ippo.assessment/1" and doc["result"]["overall"] == done.result["overall"]
    response = owner_client.post("/o/org-a/assessment/import/", {"file": _upload("a.json", content)})
    assert response.status_code == 302
    with unscoped():
        imported = Assessment.objects.get(source="import")
        assert dict(imported.answers.values_list("item_id", "value")) == dict(
            done.answers.values_list("item_id", "value")
        )
    assert imported.status == "draft" and imported.kind == "quick"


def test_an_excel_export_imports_back_in_either_language(owner_client, complete_assessment, unscoped):
    done = complete_assessment(kind="full")
    owner_client.cookies["ippo_language"] = "ja"
    content = owner_client.get(f"/o/org-a/assessment/{done.pk}/export/?format=xlsx").content
    response = owner_client.post("/o/org-a/assessment/import/", {"file": _upload("export.xlsx", content)})
    assert response.status_code == 302, response.content.decode()[:2000]
    with unscoped():
        imported = Assessment.objects.get(source="import")
        assert dict(imported.answers.values_list("item_id", "value")) == dict(
            done.answers.values_list("item_id", "value")
        )
        assert AuditEvent.objects.filter(action="assessment.imported").exists()


def _edited_export(owner_client, done, edit) -> bytes:
    content = owner_client.get(f"/o/org-a/assessment/{done.pk}/export/?format=xlsx").content
    wb = _xlsx(content)
    edit(wb[ANSWER_SHEET])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_import_names_every_bad_row_and_imports_nothing(owner_client, complete_assessment, unscoped):
    done = complete_assessment(kind="full")

    def edit(ws):
        ws["A3"] = "xx-no-such-control"
        ws["C4"] = "maybe"
        ws["E5"] = "ftp://files"
        ws["A6"] = ws["A2"].value

    content = _edited_export(owner_client, done, edit)
    response = owner_client.post("/o/org-a/assessment/import/", {"file": _upload("bad.xlsx", content)})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was imported" in html
    assert "Row 3: unknown ID “xx-no-such-control”" in html
    assert "Row 4: “maybe” is not an answer" in html
    assert "Row 5: the evidence link must start with https://" in html
    assert "Row 6: “" in html and "appears twice (also in Row 2)" in html
    with unscoped():
        assert Assessment.objects.count() == 1 and not Assessment.objects.filter(source="import").exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("broken.xlsx", b"PK\x03\x04 definitely not a workbook", "not an Excel workbook"),
        ("empty.xlsx", b"", "The submitted file is empty"),
        ("notes.txt", b"hello", "Choose an .xlsx or .json file"),
        ("x.json", b"{not json", "not valid JSON"),
        ("x.json", b'{"format": "other"}', "was not exported from ippo"),
    ],
)
def test_malformed_files_get_a_clear_message(owner_client, name, content, message, unscoped):
    response = owner_client.post("/o/org-a/assessment/import/", {"file": _upload(name, content)})
    assert response.status_code == 200
    assert message in response.content.decode()
    with unscoped():
        assert not Assessment.objects.exists()


def test_a_workbook_from_elsewhere_is_refused(owner_client, unscoped):
    from openpyxl import Workbook

    out = io.BytesIO()
    Workbook().save(out)
    response = owner_client.post(
        "/o/org-a/assessment/import/", {"file": _upload("other.xlsx", out.getvalue())}
    )
    assert "was not exported from ippo" in response.content.decode()


def test_import_is_refused_while_a_draft_of_that_kind_is_open(owner_client, complete_assessment, unscoped):
    done = complete_assessment(kind="quick")
    content = owner_client.get(f"/o/org-a/assessment/{done.pk}/export/?format=json").content
    owner_client.post("/o/org-a/assessment/new/", {"kind": "quick"})
    response = owner_client.post("/o/org-a/assessment/import/", {"file": _upload("a.json", content)})
    assert "already an assessment of this kind in progress" in response.content.decode()
