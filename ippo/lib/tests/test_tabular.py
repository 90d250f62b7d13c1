"""Tabular exports: formula injection is neutralised, Excel never holds a formula, CSV opens in Japanese Excel."""

from __future__ import annotations

import csv
import io
import zoneinfo
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.http import Http404
from django.test import RequestFactory
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from ippo.lib import tabular
from ippo.lib.tabular import content_disposition, csv_bytes, safe_cell, unescape_cell, xlsx_bytes

FORMULAS = [
    "=1+1",
    "+cmd|' /C calc'!A0",
    "-2",
    "-2+3",
    "@SUM(A1:A2)",
    '=HYPERLINK("http://attacker.example","click")',
    "  =x",
    "\u3000=x",  # an ideographic (full-width) space first
    "\n=x",
    "\t=x",
    "\t",
    "\rplain",
]
PLAIN_TEXT = ["", "plain", "顧客名簿", "a=b", "1+1", "x-y", "user@example.com", "'quoted'", "2026-05-01"]


@pytest.mark.parametrize("text", FORMULAS)
def test_text_that_starts_a_formula_gets_an_apostrophe(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", PLAIN_TEXT)
def test_other_text_is_unchanged(text):
    assert safe_cell(text) == text


@pytest.mark.parametrize(
    "value",
    [0, 42, -2, -2.5, 3.14, Decimal("-12.50"), True, False, date(2026, 5, 1), datetime(2026, 5, 1, 9)],
)
def test_numbers_dates_and_booleans_stay_what_they_are(value):
    result = safe_cell(value)
    assert result == value and type(result) is type(value)


def test_none_is_empty_and_other_objects_become_neutralised_text():
    assert safe_cell(None) == ""
    with translation.override("en"):
        assert safe_cell(gettext_lazy("Yes")) == "Yes"

    class Evil:
        def __str__(self):
            return "=evil()"

    assert safe_cell(Evil()) == "'=evil()"


@pytest.mark.parametrize("text", [*FORMULAS, *PLAIN_TEXT])
def test_unescape_undoes_safe_cell(text):
    assert unescape_cell(safe_cell(text)) == text


def test_unescape_keeps_an_apostrophe_a_person_typed():
    assert unescape_cell("'quoted'") == "'quoted'"
    assert unescape_cell("'") == "'"


# --- CSV --------------------------------------------------------------------------------------------------------


def test_csv_has_a_byte_order_mark_crlf_and_reads_back_with_the_csv_module():
    body = csv_bytes(["名前", "Amount"], [["顧客名簿", -2], ["=1+1", 3.5], ["line 1\nline 2", None]])
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    assert text.endswith("\r\n") and text.count("\r\n") == 4  # the line break inside a cell stays "\n"
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows == [["名前", "Amount"], ["顧客名簿", "-2"], ["'=1+1", "3.5"], ["line 1\nline 2", ""]]


def test_csv_writes_dates_and_times_plainly_in_the_local_time_zone():
    aware = datetime(2026, 5, 1, 0, 30, tzinfo=zoneinfo.ZoneInfo("UTC"))
    with timezone.override("Asia/Tokyo"):
        body = csv_bytes(["d", "t"], [[date(2026, 5, 1), aware]])
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert rows[1] == ["2026-05-01", "2026-05-01 09:30"]


def test_csv_response_is_a_utf8_attachment():
    response = tabular.csv_response(filename="plan.csv", header=["a"], rows=[["=x"]])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="plan.csv"'
    assert response.content.decode("utf-8-sig") == "a\r\n'=x\r\n"


# --- Excel ------------------------------------------------------------------------------------------------------


def _workbook(body: bytes):
    return load_workbook(io.BytesIO(body))


def test_xlsx_never_holds_a_formula_and_keeps_numbers_as_numbers():
    rows = [[text, -2, 1.5] for text in FORMULAS] + [[Decimal("-3"), True, date(2026, 5, 1)]]
    wb = _workbook(xlsx_bytes([("Sheet A", ["=head", "Number", "Other"], rows)]))
    ws = wb.worksheets[0]
    cells = [cell for row in ws.iter_rows() for cell in row]
    assert cells and all(cell.data_type != "f" for cell in cells)
    assert ws["A1"].value == "'=head"
    for number, text in enumerate(FORMULAS, start=2):
        # XML reads a carriage return back as a line feed; the apostrophe is what matters.
        assert ws.cell(number, 1).value == "'" + text.replace("\r", "\n")
        assert ws.cell(number, 1).data_type == "s"
        assert ws.cell(number, 2).value == -2 and ws.cell(number, 2).data_type == "n"
        assert ws.cell(number, 3).value == 1.5
    last = len(FORMULAS) + 2
    assert ws.cell(last, 1).value == -3 and ws.cell(last, 2).value is True
    assert ws.cell(last, 3).value == datetime(2026, 5, 1) and ws.cell(last, 3).is_date


def test_xlsx_header_is_bold_and_frozen_with_a_filter_and_fitting_widths():
    header = ["Item", "期限"]
    rows = [["A short one", date(2026, 5, 1)], ["顧客名簿を更新する" * 2, None], ["x" * 500, None]]
    ws = _workbook(xlsx_bytes([("Plan", header, rows)])).worksheets[0]
    assert ws.title == "Plan"
    assert all(cell.font.bold for cell in ws[1])
    assert not ws["A2"].font.bold
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:B4"
    assert ws.column_dimensions["A"].width == tabular.MAX_WIDTH  # the 500 characters are capped
    assert tabular.MIN_WIDTH <= ws.column_dimensions["B"].width < 20
    assert ws["B2"].number_format == tabular.DATE_FORMAT


def test_xlsx_cjk_text_counts_double_for_the_width():
    ws = _workbook(xlsx_bytes([("S", ["a", "b"], [["顧客名簿顧客名簿", "abcdefgh"]])])).worksheets[0]
    assert ws.column_dimensions["A"].width > ws.column_dimensions["B"].width


def test_xlsx_has_one_sheet_per_table_with_safe_names():
    body = xlsx_bytes([("Risks: 2026/05", ["a"], [[1]]), ("委託先" * 20, ["b"], iter([[2], [3]]))])
    wb = _workbook(body)
    assert wb.sheetnames == ["Risks_ 2026_05", ("委託先" * 20)[:31]]
    assert wb.worksheets[1]["A3"].value == 3


def test_xlsx_drops_characters_excel_forbids_and_writes_aware_datetimes_locally():
    aware = datetime(2026, 5, 1, 0, 30, tzinfo=zoneinfo.ZoneInfo("UTC"))
    with timezone.override("Asia/Tokyo"):
        ws = _workbook(
            xlsx_bytes([("S", ["a", "b"], [["bell\x07 here", aware], ["\x07=1+1", None]])])
        ).worksheets[0]
    assert ws["A2"].value == "bell here"
    assert ws["A3"].value == "'=1+1"
    assert ws["B2"].value == datetime(2026, 5, 1, 9, 30)


def test_write_cell_without_neutralising_keeps_the_text_but_never_as_a_formula():
    from openpyxl import Workbook

    ws = Workbook().active
    cell = tabular.write_cell(ws, 1, 1, "=1+1", neutralise=False)
    assert cell.value == "=1+1" and cell.data_type == "s"
    assert tabular.write_cell(ws, 1, 2, 7, neutralise=False).value == 7


def test_xlsx_response_is_an_attachment():
    response = tabular.xlsx_response(filename="risks.xlsx", sheets=[("Risks", ["a"], [])])
    assert response["Content-Type"] == tabular.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="risks.xlsx"'
    assert _workbook(response.content).worksheets[0]["A1"].value == "a"


# --- File names and formats ---------------------------------------------------------------------------------------


def test_an_ascii_file_name_is_sent_as_it_is():
    assert content_disposition("ippo-org-a-risks-20260501.xlsx") == (
        'attachment; filename="ippo-org-a-risks-20260501.xlsx"'
    )


def test_a_japanese_file_name_gets_an_rfc5987_filename_and_an_ascii_fallback():
    header = content_disposition("リスク台帳 2026.csv")
    assert header == (
        'attachment; filename="2026.csv"; '
        "filename*=UTF-8''%E3%83%AA%E3%82%B9%E3%82%AF%E5%8F%B0%E5%B8%B3%202026.csv"
    )


def test_quotes_and_separators_never_reach_the_plain_file_name():
    header = content_disposition('a"b;c\\d.csv')
    plain = header.split("; filename*=")[0]
    assert plain == 'attachment; filename="a_b_c_d.csv"'
    assert "filename*=UTF-8''a%22b%3Bc%5Cd.csv" in header
    assert content_disposition("完全に日本語.xlsx").startswith('attachment; filename="download.xlsx"; ')


def test_export_format_defaults_to_excel_and_refuses_unknown_formats():
    rf = RequestFactory()
    assert tabular.export_format(rf.get("/x")) == "xlsx"
    assert tabular.export_format(rf.get("/x", {"format": "csv"})) == "csv"
    with pytest.raises(Http404):
        tabular.export_format(rf.get("/x", {"format": "pdf"}))


def test_table_response_picks_the_format_and_adds_the_extension():
    csv_response = tabular.table_response(fmt="csv", filename="f", title="T", header=["a"], rows=[[1]])
    assert csv_response["Content-Disposition"] == 'attachment; filename="f.csv"'
    xlsx_response = tabular.table_response(fmt="xlsx", filename="f", title="T", header=["a"], rows=[[1]])
    assert xlsx_response["Content-Disposition"] == 'attachment; filename="f.xlsx"'
    assert _workbook(xlsx_response.content).sheetnames == ["T"]
    with pytest.raises(ValueError):
        tabular.table_response(fmt="pdf", filename="f", title="T", header=[], rows=[])
