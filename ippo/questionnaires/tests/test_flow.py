"""Upload → columns → review → export: the exported workbook is the buyer's own, with the answers in the
chosen cells and every other cell, sheet and format as it was."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from ippo.core.models import AuditEvent
from ippo.program.models import ControlStatus, Evidence
from ippo.questionnaires.models import Questionnaire, QuestionnaireItem

pytestmark = pytest.mark.django_db
BASE = "/o/org-a/questionnaires/"


def buyer_workbook() -> bytes:
    """A buyer's checklist: instructions sheet, title, merged cells, a formula, styles, a drop-down."""
    wb = Workbook()
    guide = wb.active
    guide.title = "記入要領"
    guide["A1"] = "回答欄に ○・△・× を記入してください。"
    guide["B3"] = "=1+2"
    ws = wb.create_sheet("チェックシート")
    ws["A1"] = "取引先セキュリティチェックシート"
    ws.merge_cells("A1:E1")
    ws["A2"], ws["C2"] = "貴社名：", "記入日："
    ws.append([])
    ws.append(["No.", "分類", "確認項目", "回答", "備考"])
    for cell in ws[4]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    ws.append([1, "技術", "パスワードは定期的に変更していますか", None, None])
    ws.append([2, "技術", "ウイルス対策ソフトを導入していますか", None, None])
    ws.append([None, "データ", None, None, None])  # an empty row inside the table
    ws.append([3, "データ", "バックアップを取得していますか", "選択してください", None])
    ws.append([4, "人", "退職者のアカウントを削除していますか", None, None])
    ws.append([5, "その他", "第三者認証を取得していますか", None, None])
    ws["G5"] = "=COUNTA(D5:D10)"
    dv = DataValidation(type="list", formula1='"○,△,×"', allow_blank=True)
    ws.add_data_validation(dv)
    dv.add("D5:D10")
    ws.column_dimensions["C"].width = 60
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _all_cells(data: bytes) -> dict:
    wb = load_workbook(io.BytesIO(data))
    cells = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    cells[(ws.title, cell.coordinate)] = cell.value
    return cells


def _upload(client, data: bytes, name: str = "checklist.xlsx", title: str = "Buyer Co. 2026"):
    return client.post(BASE + "upload/", {"name": title, "file": SimpleUploadedFile(name, data)})


def _mapping(**overrides):
    data = {
        "sheet": "チェックシート",
        "header_row": "4",
        "question_col": "3",
        "answer_col": "4",
        "remarks_col": "5",
        "language": "ja",
        "word_implemented": "○",
        "word_partial": "△",
        "word_not_implemented": "×",
        "word_unknown": "",
    }
    data.update(overrides)
    return data


def test_the_whole_round_trip(owner_client, personas, unscoped, in_org):
    original = buyer_workbook()
    response = _upload(owner_client, original)
    assert response.status_code == 302
    with unscoped():
        questionnaire = Questionnaire.objects.get()
    assert response["Location"] == f"{BASE}{questionnaire.pk}/columns/"
    assert bytes(questionnaire.file_data) == original
    # The guess found the checklist sheet, its heading row and columns.
    assert (questionnaire.sheet, questionnaire.header_row) == ("チェックシート", 4)
    assert (questionnaire.question_col, questionnaire.answer_col, questionnaire.remarks_col) == (3, 4, 5)
    assert questionnaire.language == "ja"

    page = owner_client.get(f"{BASE}{questionnaire.pk}/columns/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "パスワードは定期的に変更していますか" in html and "C — 確認項目" in html

    response = owner_client.post(f"{BASE}{questionnaire.pk}/columns/", _mapping())
    assert response.status_code == 302 and response["Location"] == f"{BASE}{questionnaire.pk}/"
    with unscoped():
        items = {i.row: i for i in QuestionnaireItem.objects.filter(questionnaire=questionnaire)}
    assert sorted(items) == [5, 6, 8, 9, 10]
    assert [s["id"] for s in items[8].suggestions][:3] and len(items[8].suggestions) == 3
    assert "pr-backup" in [s["id"] for s in items[8].suggestions]

    html = owner_client.get(f"{BASE}{questionnaire.pk}/").content.decode()
    assert "バックアップを取得していますか" in html and "To check" in html

    with in_org():
        now = timezone.now()
        for control_id, status in (
            ("pr-passwords", "implemented"),
            ("pr-endpoint-protection", "partial"),
            ("pr-backup", "implemented"),
            ("pr-joiners-leavers", "not_implemented"),
        ):
            ControlStatus.objects.create(
                organization=personas.org,
                control_id=control_id,
                status=status,
                source="manual",
                updated_at=now,
            )
        Evidence.objects.create(
            organization=personas.org,
            control_id="pr-backup",
            kind="note",
            title='=HYPERLINK("http://evil")',
            note="NAS",
            performed_on=timezone.localdate(),
        )
    post = {
        "item": [str(i.pk) for i in items.values()],
        f"controls-{items[5].pk}": "pr-passwords",
        f"controls-{items[6].pk}": "pr-endpoint-protection",
        f"controls-{items[8].pk}": "pr-backup",
        f"add-{items[9].pk}": "pr-joiners-leavers",
        f"none-{items[10].pk}": "1",
        f"answer-{items[10].pk}": "=取得予定",
        f"remark-{items[10].pk}": "2027年にISMS取得予定",
    }
    response = owner_client.post(f"{BASE}{questionnaire.pk}/save/", post)
    assert response.status_code == 302
    with unscoped():
        event = AuditEvent.objects.get(action="questionnaire.matches_confirmed")
    assert event.data["confirmed"] == 4 and event.data["no_match"] == 1 and event.data["overrides"] == 1

    response = owner_client.get(f"{BASE}{questionnaire.pk}/export/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "checklist_" in response["Content-Disposition"]
    exported = response.content

    wb = load_workbook(io.BytesIO(exported))
    ws = wb["チェックシート"]
    assert ws["D5"].value == "○"
    assert ws["D6"].value == "△"
    assert ws["D8"].value == "○"
    assert ws["D9"].value == "×"
    assert ws["D10"].value == "'=取得予定"  # formula injection neutralised
    assert ws["D10"].data_type == "s"
    assert ws["E8"].value.startswith("証跡") or ws["E8"].value.startswith("Evidence")
    assert "=HYPERLINK" in ws["E8"].value and ws["E8"].data_type == "s"
    assert ws["E10"].value == "2027年にISMS取得予定"
    assert ws["E5"].value is None  # no evidence, no remark

    before, after = _all_cells(original), _all_cells(exported)
    written = {("チェックシート", c) for c in ("D5", "D6", "D8", "D9", "D10", "E8", "E10")}
    assert {k: v for k, v in after.items() if k not in written} == {
        k: v for k, v in before.items() if k not in written
    }
    # Formats, merged cells, validations and other sheets are still there.
    assert wb.sheetnames == ["記入要領", "チェックシート"]
    assert "A1:E1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A4"].font.bold and ws["A4"].fill.fgColor.rgb.endswith("DDEBF7")
    assert ws.column_dimensions["C"].width == 60
    assert len(ws.data_validations.dataValidation) == 1
    assert wb["記入要領"]["B3"].value == "=1+2" and ws["G5"].value == "=COUNTA(D5:D10)"

    with unscoped():
        exported_event = AuditEvent.objects.get(action="questionnaire.exported")
        assert exported_event.data["answers"] == 5
        assert Questionnaire.objects.get().exported_at is not None
        assert AuditEvent.objects.filter(action="questionnaire.uploaded").count() == 1


def test_the_answers_go_only_where_the_user_chose(owner_client, unscoped):
    data = buyer_workbook()
    _upload(owner_client, data)
    with unscoped():
        questionnaire = Questionnaire.objects.get()
    owner_client.post(f"{BASE}{questionnaire.pk}/columns/", _mapping(answer_col="6", remarks_col=""))
    with unscoped():
        item = QuestionnaireItem.objects.get(row=5)
    owner_client.post(
        f"{BASE}{questionnaire.pk}/save/",
        {"item": [item.pk], f"answer-{item.pk}": "はい", f"remark-{item.pk}": "x"},
    )
    ws = load_workbook(io.BytesIO(owner_client.get(f"{BASE}{questionnaire.pk}/export/").content))[
        "チェックシート"
    ]
    assert ws["F5"].value == "はい"
    assert ws["D5"].value is None and ws["E5"].value is None  # no remarks column chosen


def test_answers_in_merged_cells_go_into_the_first_cell(owner_client, unscoped):
    wb = Workbook()
    ws = wb.active
    ws.append(["確認項目", "回答", None, "備考"])
    ws.append(["バックアップを取得していますか", None, None, None])
    ws.merge_cells("B2:C2")
    out = io.BytesIO()
    wb.save(out)
    _upload(owner_client, out.getvalue())
    with unscoped():
        questionnaire = Questionnaire.objects.get()
    owner_client.post(
        f"{BASE}{questionnaire.pk}/columns/",
        _mapping(sheet="Sheet", header_row="1", question_col="1", answer_col="3", remarks_col="4"),
    )
    with unscoped():
        item = QuestionnaireItem.objects.get()
    owner_client.post(f"{BASE}{questionnaire.pk}/save/", {"item": [item.pk], f"answer-{item.pk}": "はい"})
    ws = load_workbook(io.BytesIO(owner_client.get(f"{BASE}{questionnaire.pk}/export/").content)).active
    assert ws["B2"].value == "はい"
    assert "B2:C2" in {str(r) for r in ws.merged_cells.ranges}


def test_changing_only_the_answer_column_keeps_the_questions(owner_client, unscoped):
    _upload(owner_client, buyer_workbook())
    with unscoped():
        questionnaire = Questionnaire.objects.get()
    owner_client.post(f"{BASE}{questionnaire.pk}/columns/", _mapping())
    with unscoped():
        item = QuestionnaireItem.objects.get(row=5)
    owner_client.post(f"{BASE}{questionnaire.pk}/save/", {"item": [item.pk], f"answer-{item.pk}": "はい"})
    owner_client.post(f"{BASE}{questionnaire.pk}/columns/", _mapping(answer_col="6", word_implemented="はい"))
    with unscoped():
        item.refresh_from_db()
        questionnaire.refresh_from_db()
    assert item.override_answer == "はい" and questionnaire.answer_col == 6
    assert questionnaire.words()["implemented"] == "はい"
    assert questionnaire.words()["unknown"] == "確認中"  # empty word: the language's default
    # Switching the language replaces the other language's default words, not the buyer's own.
    owner_client.post(
        f"{BASE}{questionnaire.pk}/columns/",
        _mapping(
            answer_col="6",
            language="en",
            word_implemented="○",
            word_partial="一部対応",
            word_unknown="確認中",
        ),
    )
    with unscoped():
        questionnaire.refresh_from_db()
    assert questionnaire.words() == {
        "implemented": "○",
        "partial": "Partly",
        "not_implemented": "×",
        "unknown": "Being checked",
    }


def test_the_sheet_can_be_switched_without_javascript_and_with_htmx(owner_client, unscoped):
    data = buyer_workbook()
    _upload(owner_client, data)
    with unscoped():
        questionnaire = Questionnaire.objects.get()
    url = f"{BASE}{questionnaire.pk}/columns/"
    response = owner_client.post(url, {**_mapping(sheet="記入要領"), "preview": "1"})
    assert response.status_code == 200
    assert "回答欄に ○・△・× を記入してください。" in response.content.decode()
    with unscoped():
        assert not QuestionnaireItem.objects.exists()
    response = owner_client.get(url, {"sheet": "記入要領"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200 and html.startswith('<div id="mapping">')
    assert "<html" not in html


def test_the_per_question_save_works_with_and_without_htmx(owner_client, unscoped):
    _upload(owner_client, buyer_workbook())
    with unscoped():
        questionnaire = Questionnaire.objects.get()
    owner_client.post(f"{BASE}{questionnaire.pk}/columns/", _mapping())
    with unscoped():
        item = QuestionnaireItem.objects.get(row=5)
    url = f"{BASE}questions/{item.pk}/"
    response = owner_client.post(url, {f"controls-{item.pk}": "pr-passwords"})
    assert response.status_code == 302 and response["Location"].endswith(f"#item-{item.pk}")
    response = owner_client.post(
        url,
        {f"controls-{item.pk}": ["pr-passwords"], f"add-{item.pk}": "Not a control"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and html.startswith(
        f'<li class="card q-item q-confirmed" id="item-{item.pk}"'
    )
    assert "Not a control" in html
    with unscoped():
        item.refresh_from_db()
    assert item.control_ids == ["pr-passwords"]


def test_a_control_can_be_added_by_its_title(owner_client, unscoped):
    _upload(owner_client, buyer_workbook())
    with unscoped():
        questionnaire = Questionnaire.objects.get()
    owner_client.post(f"{BASE}{questionnaire.pk}/columns/", _mapping())
    with unscoped():
        item = QuestionnaireItem.objects.get(row=10)
    owner_client.post(
        f"{BASE}{questionnaire.pk}/save/",
        {"item": [item.pk], f"add-{item.pk}": "情報セキュリティ基本方針を定め、社内外に公開する"},
    )
    with unscoped():
        item.refresh_from_db()
    assert item.control_ids == ["gv-basic-policy"]


def test_accepting_high_matches_confirms_only_those(owner_client, unscoped):
    rows = [
        ["確認項目", "回答"],
        ["情報セキュリティ基本方針を策定していますか", None],
        ["特記事項はありますか", None],
    ]
    from ippo.questionnaires.tests.conftest import workbook

    _upload(owner_client, workbook(rows))
    with unscoped():
        questionnaire = Questionnaire.objects.get()
    owner_client.post(
        f"{BASE}{questionnaire.pk}/columns/",
        _mapping(sheet="Sheet1", header_row="1", question_col="1", answer_col="2", remarks_col=""),
    )
    response = owner_client.post(f"{BASE}{questionnaire.pk}/accept/")
    assert response.status_code == 302
    with unscoped():
        items = {i.row: i for i in QuestionnaireItem.objects.all()}
        assert AuditEvent.objects.filter(action="questionnaire.matches_confirmed").count() == 1
    assert items[2].control_ids == ["gv-basic-policy"]
    assert items[3].control_ids == [] and not items[3].no_match


def test_deleting_asks_first_then_deletes_and_audits(owner_client, unscoped):
    _upload(owner_client, buyer_workbook())
    with unscoped():
        questionnaire = Questionnaire.objects.get()
    url = f"{BASE}{questionnaire.pk}/delete/"
    assert owner_client.get(url).status_code == 200
    with unscoped():
        assert Questionnaire.objects.exists()
    response = owner_client.post(url)
    assert response.status_code == 302 and response["Location"] == BASE
    with unscoped():
        assert not Questionnaire.objects.exists()
        event = AuditEvent.objects.get(action="questionnaire.deleted")
    assert event.data["name"] == "Buyer Co. 2026"


def test_an_english_questionnaire_gets_english_answer_words(owner_client, unscoped, in_org, personas):
    from ippo.questionnaires.tests.conftest import workbook

    rows = [["Question", "Answer", "Comments"], ["Are laptops encrypted?", None, None]]
    _upload(owner_client, workbook(rows))
    with unscoped():
        questionnaire = Questionnaire.objects.get()
    assert questionnaire.language == "en" and (questionnaire.question_col, questionnaire.answer_col) == (1, 2)
    assert questionnaire.remarks_col == 3
    owner_client.post(
        f"{BASE}{questionnaire.pk}/columns/",
        _mapping(
            sheet="Sheet1",
            header_row="1",
            question_col="1",
            answer_col="2",
            remarks_col="3",
            language="en",
            word_implemented="",
            word_partial="",
            word_not_implemented="",
        ),
    )
    with in_org():
        item = QuestionnaireItem.objects.get()
        ControlStatus.objects.create(
            organization=personas.org,
            control_id="pr-disk-encryption",
            status="implemented",
            source="manual",
            updated_at=timezone.now(),
        )
        Evidence.objects.create(
            organization=personas.org,
            control_id="pr-disk-encryption",
            kind="note",
            title="BitLocker report",
            note="all on",
            performed_on=timezone.localdate(),
        )
    owner_client.post(
        f"{BASE}{questionnaire.pk}/save/", {"item": [item.pk], f"controls-{item.pk}": "pr-disk-encryption"}
    )
    ws = load_workbook(io.BytesIO(owner_client.get(f"{BASE}{questionnaire.pk}/export/").content)).active
    assert ws["B2"].value == "Yes"
    assert ws["C2"].value == f"Evidence: BitLocker report ({timezone.localdate().isoformat()})"
