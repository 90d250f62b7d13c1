"""Files that cannot be used are refused with a message that says what to do, and nothing is saved."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ippo.core.models import AuditEvent
from ippo.questionnaires import exchange
from ippo.questionnaires.models import Questionnaire, QuestionnaireItem
from ippo.questionnaires.tests.conftest import CHECKLIST, workbook

pytestmark = pytest.mark.django_db
URL = "/o/org-a/questionnaires/upload/"


def _post(client, name: str, data: bytes):
    return client.post(URL, {"name": "Buyer", "file": SimpleUploadedFile(name, data)})


def _nothing_saved(unscoped):
    with unscoped():
        assert not Questionnaire.objects.exists()
        assert not AuditEvent.objects.filter(action="questionnaire.uploaded").exists()


def _with_macros() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook(CHECKLIST))) as src, zipfile.ZipFile(out, "w") as dst:
        for entry in src.infolist():
            dst.writestr(entry, src.read(entry.filename))
        dst.writestr("xl/vbaProject.bin", b"\x00macro")
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("checklist.csv", "確認項目,回答\n".encode(), "Choose an Excel workbook (.xlsx)"),
        ("checklist.pdf", b"%PDF-1.4", "Choose an Excel workbook (.xlsx)"),
        ("checklist.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old Excel format (.xls)"),
        ("checklist.xlsm", b"PK\x03\x04", "Workbooks with macros (.xlsm) are not accepted"),
        ("checklist.xlsx", b"PK\x03\x04 this zip is cut short", "may be damaged"),
        ("checklist.xlsx", b"just some text", "may be damaged"),
        ("checklist.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "protected by a password"),
        ("checklist.xlsx", _with_macros(), "contains macros"),
        ("checklist.xlsx", workbook([]), "no filled-in cells"),
    ],
    ids=["csv", "pdf", "xls", "xlsm", "broken-zip", "not-a-zip", "password", "macros-renamed", "empty"],
)
def test_a_file_that_cannot_be_used_is_refused_with_a_clear_message(
    owner_client, unscoped, name, data, message
):
    response = _post(owner_client, name, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    _nothing_saved(unscoped)


def test_a_zip_without_a_workbook_is_refused(owner_client, unscoped):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    response = _post(owner_client, "report.xlsx", out.getvalue())
    assert "may be damaged" in response.content.decode()
    _nothing_saved(unscoped)


def test_a_file_over_5_mb_is_refused(owner_client, unscoped):
    response = _post(owner_client, "big.xlsx", b"PK" + b"\x00" * (5 * 1024 * 1024))
    assert "larger than 5 MB" in response.content.decode()
    _nothing_saved(unscoped)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(monkeypatch):
    monkeypatch.setattr(exchange, "MAX_UNPACKED_BYTES", 1000)
    with pytest.raises(exchange.FileProblems, match="too large to read once unpacked"):
        exchange.check_upload("x.xlsx", workbook(CHECKLIST))


def test_no_file_says_so(owner_client, unscoped):
    response = owner_client.post(URL, {"name": "Buyer"})
    assert "Choose the workbook to upload." in response.content.decode()
    _nothing_saved(unscoped)


# --- The column page refuses choices that do not fit the sheet ----------------------------------------------


@pytest.fixture
def uploaded(owner_client, unscoped):
    data = workbook(CHECKLIST, extra_sheets={"空": []})
    response = _post(owner_client, "checklist.xlsx", data)
    assert response.status_code == 302
    with unscoped():
        return Questionnaire.objects.get()


def _map(client, questionnaire, **overrides):
    data = {
        "sheet": "Sheet1",
        "header_row": "1",
        "question_col": "2",
        "answer_col": "3",
        "remarks_col": "4",
        "language": "ja",
    }
    data.update(overrides)
    return client.post(f"/o/org-a/questionnaires/{questionnaire.pk}/columns/", data)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"sheet": "空"}, "is empty"),
        ({"question_col": "9"}, "Column I is outside the sheet, which uses columns A to D."),
        ({"answer_col": "30"}, "Column AD is too far right"),
        ({"remarks_col": "99"}, "Column CU is too far right"),
        ({"answer_col": "2"}, "The answers cannot go into the question column."),
        ({"remarks_col": "3"}, "Choose a remarks column other than the question and answer columns."),
        ({"header_row": "40"}, "The sheet ends at row 5."),
        ({"question_col": "1"}, "Column A holds no questions below row 1."),
        ({"question_col": "x"}, "Select a valid choice"),
        ({"header_row": "0"}, "greater than or equal to 1"),
    ],
    ids=[
        "empty-sheet",
        "question-out",
        "answer-out",
        "remarks-out",
        "same-column",
        "remarks-same",
        "header-out",
        "no-questions",
        "not-a-column",
        "row-zero",
    ],
)
def test_a_column_choice_that_does_not_fit_is_refused(owner_client, unscoped, uploaded, overrides, message):
    response = _map(owner_client, uploaded, **overrides)
    assert response.status_code == 200
    assert message in response.content.decode()
    with unscoped():
        uploaded.refresh_from_db()
        assert uploaded.status == "mapping"
        assert not QuestionnaireItem.objects.exists()
        assert not AuditEvent.objects.filter(action="questionnaire.mapped").exists()


def test_a_good_choice_lists_the_questions(owner_client, unscoped, uploaded):
    response = _map(owner_client, uploaded)
    assert response.status_code == 302
    with unscoped():
        assert QuestionnaireItem.objects.count() == 4
        assert AuditEvent.objects.get(action="questionnaire.mapped").data["questions"] == 4


def test_safe_text_neutralises_formulas():
    for text in ("=1+1", "+81-3", "-1", "@SUM(A1)", "\t=x"):
        assert exchange.safe_text(text) == "'" + text
    assert exchange.safe_text("はい") == "はい"
    assert exchange.safe_text("a\x00b\x07c") == "abc"
