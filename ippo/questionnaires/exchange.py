"""The buyer's workbook: check an upload, read a sheet for the column page, and write the answers back
into the original file, leaving every other cell, sheet and format as it was.

openpyxl rewrites the whole file when it saves, and it does not keep what it cannot read: macros
(refused at upload), shapes and text boxes, form controls, slicers and pivot-table caches are lost, and
formulas keep their text but lose their last computed values until Excel recalculates them
(docs/questionnaires.md).
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

from django.utils.translation import gettext as _

from ippo.lib.text import quote
from ippo.questionnaires.models import MAX_FILE_BYTES

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# An .xlsx is a zip of XML files. A small file that unpacks into gigabytes would exhaust memory.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 200  # read at most this many columns of a sheet
EXTRA_COLUMNS = 3  # the answer may go into empty columns just right of the last one used
PREVIEW_ROWS = 15
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and any workbook saved with a password

# A cell starting with one of these is run as a formula by spreadsheet programs. Text written by ippo
# that starts so is prefixed with an apostrophe and stored as text (formula injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 cannot hold; openpyxl refuses to write them.
ILLEGAL_CHARACTERS = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


class FileProblems(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def column_letter(number: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(number)


def cell_text(value) -> str:
    """A cell's value as the sheet shows it, more or less: 3.0 → "3", a date → 2026-04-01."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if not value.time() else value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def safe_text(value: str) -> str:
    """Text to write into a cell: never read as a formula, and without characters XML cannot hold."""
    value = ILLEGAL_CHARACTERS.sub("", value)
    return "'" + value if value.startswith(FORMULA_START) else value


# --- Checking an upload ----------------------------------------------------------------------------------


def check_upload(filename: str, data: bytes) -> list[str]:
    """The names of the workbook's sheets, or FileProblems saying in plain words what is wrong."""
    name = (filename or "").lower()
    if name.endswith((".xlsm", ".xltm", ".xlam")):
        raise FileProblems(
            [
                _(
                    "Workbooks with macros (.xlsm) are not accepted: writing the answers would remove the "
                    "macros. Save a copy as “Excel Workbook (.xlsx)” and upload that."
                )
            ]
        )
    if name.endswith(".xls"):
        raise FileProblems([_("This is the old Excel format (.xls). Open it in Excel and save it as .xlsx.")])
    if not name.endswith(".xlsx"):
        raise FileProblems(
            [_("Choose an Excel workbook (.xlsx). CSV, PDF and Word files cannot be filled in.")]
        )
    if len(data) > MAX_FILE_BYTES:
        raise FileProblems(
            [_("The file is larger than %(max)s MB.") % {"max": MAX_FILE_BYTES // (1024 * 1024)}]
        )
    if not data:
        raise FileProblems([_("The file is empty.")])
    if data.startswith(OLE_MAGIC):
        raise FileProblems(
            [
                _(
                    "The workbook is protected by a password to open, or it is in the old .xls format. "
                    "Remove the password (or save it as .xlsx) in Excel and upload it again."
                )
            ]
        )
    broken = _(
        "The file is not an Excel workbook that ippo can read: it may be damaged, or it is another kind of "
        "file renamed to .xlsx. Open it in Excel, save it as .xlsx and try again."
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            names = {e.filename for e in entries}
            content_types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise FileProblems([broken]) from None
    if sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES:
        raise FileProblems([_("The workbook is too large to read once unpacked. Remove unneeded sheets.")])
    if "xl/vbaProject.bin" in names or b"macroEnabled" in content_types:
        raise FileProblems(
            [
                _(
                    "This workbook contains macros. Writing the answers would remove them, so it is not "
                    "accepted. Save a copy as “Excel Workbook (.xlsx)” and upload that."
                )
            ]
        )
    if "xl/workbook.xml" not in names:
        raise FileProblems([broken])
    wb = _open(data, broken)
    try:
        sheets = [ws.title for ws in wb.worksheets]
        filled = any(_has_cells(ws) for ws in wb.worksheets)
    finally:
        wb.close()
    if not sheets or not filled:
        raise FileProblems([_("The workbook has no filled-in cells.")])
    return sheets


def _open(data: bytes, message: str | None = None):
    from openpyxl import load_workbook

    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors on a damaged file
        raise FileProblems([message or _("The file is not an Excel workbook that ippo can read.")]) from None


def _has_cells(ws) -> bool:
    for row in ws.iter_rows(max_row=MAX_ROWS, max_col=MAX_COLUMNS, values_only=True):
        if any(cell_text(v) for v in row):
            return True
    return False


# --- Reading a sheet ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sheet:
    name: str
    rows: tuple[tuple[str, ...], ...]  # row 1 first; trailing empty rows and columns removed
    too_many_rows: bool = False

    @property
    def max_row(self) -> int:
        return len(self.rows)

    @property
    def max_col(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def cell(self, row: int, col: int) -> str:
        if 1 <= row <= len(self.rows) and 1 <= col <= len(self.rows[row - 1]):
            return self.rows[row - 1][col - 1]
        return ""

    def preview(self, rows: int = PREVIEW_ROWS) -> list[tuple[int, list[str]]]:
        width = self.max_col
        return [
            (number, list(self.rows[number - 1]) + [""] * (width - len(self.rows[number - 1])))
            for number in range(1, min(rows, self.max_row) + 1)
        ]

    def questions(self, header_row: int, question_col: int) -> list[tuple[int, str]]:
        """(row, text) of every question below the heading row. Cells holding only a number (a "No.")
        are not questions."""
        out = []
        for number in range(header_row + 1, self.max_row + 1):
            text = self.cell(number, question_col)
            if text and not re.fullmatch(r"[\d.\s]+", text):
                out.append((number, text))
        return out


def sheet_names(data: bytes) -> list[str]:
    wb = _open(data)
    try:
        return [ws.title for ws in wb.worksheets]
    finally:
        wb.close()


def read_sheet(data: bytes, name: str) -> Sheet:
    """A sheet's cells as text (formulas as their last computed value), at most MAX_ROWS rows."""
    wb = _open(data)
    try:
        if name not in wb.sheetnames or wb[name] not in wb.worksheets:
            raise FileProblems([_("The workbook has no sheet named %(sheet)s.") % {"sheet": quote(name)}])
        rows: list[tuple[str, ...]] = []
        too_many = False
        for number, row in enumerate(
            wb[name].iter_rows(max_row=MAX_ROWS + 1, max_col=MAX_COLUMNS, values_only=True), start=1
        ):
            cells = [cell_text(v) for v in row]
            while cells and not cells[-1]:
                cells.pop()
            if number > MAX_ROWS:
                too_many = bool(cells)
                break
            rows.append(tuple(cells))
    finally:
        wb.close()
    while rows and not rows[-1]:
        rows.pop()
    return Sheet(name=name, rows=tuple(rows), too_many_rows=too_many)


# --- Guessing the columns ----------------------------------------------------------------------------------

QUESTION_HEADINGS = (
    "質問", "設問", "確認項目", "チェック項目", "確認内容", "質問内容", "要求事項", "項目", "内容",
    "question", "item", "requirement", "control",
)  # fmt: skip
ANSWER_HEADINGS = (
    "回答", "回答欄", "対応状況", "実施状況", "実施有無", "対応有無", "評価", "はい/いいえ", "○×",
    "answer", "response", "reply", "status", "yes/no",
)  # fmt: skip
REMARK_HEADINGS = (
    "備考", "コメント", "補足", "説明", "根拠", "特記事項", "remarks", "remark", "comment", "comments",
    "notes", "note", "explanation",
)  # fmt: skip


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def _heading_kind(text: str) -> str | None:
    norm = _norm(text)
    if not norm or len(norm) > 24:
        return None
    for kind, words in (
        ("remarks", REMARK_HEADINGS),
        ("answer", ANSWER_HEADINGS),
        ("question", QUESTION_HEADINGS),
    ):
        if any(_norm(w) in norm for w in words):
            return kind
    return None


@dataclass(frozen=True)
class Guess:
    header_row: int
    question_col: int
    answer_col: int
    remarks_col: int | None
    language: str
    headings_found: bool = False


def has_japanese(text: str) -> bool:
    return any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in text)


def guess_columns(sheet: Sheet) -> Guess:
    """Where the headings, questions, answers and remarks probably are, so that most people only have to
    check the choice: the first row (of the first 30) with a question heading and an answer heading."""
    for number, row in enumerate(sheet.rows[:30], start=1):
        found: dict[str, int] = {}
        for col, text in enumerate(row, start=1):
            kind = _heading_kind(text)
            if kind and kind not in found:
                found[kind] = col
        if "question" in found and "answer" in found and found["question"] != found["answer"]:
            return _with_language(
                sheet, number, found["question"], found["answer"], found.get("remarks"), headings_found=True
            )
    # No headings recognised: the questions are the column with the most text.
    width = sheet.max_col
    if not width:
        return Guess(1, 1, 2, None, "ja")
    totals = [sum(len(sheet.cell(r, c)) for r in range(2, sheet.max_row + 1)) for c in range(1, width + 1)]
    question_col = totals.index(max(totals)) + 1
    return _with_language(sheet, 1, question_col, question_col + 1, None)


def _with_language(
    sheet: Sheet, header_row: int, question_col: int, answer_col: int, remarks_col, *, headings_found=False
) -> Guess:
    texts = [t for _row, t in sheet.questions(header_row, question_col)[:50]]
    language = "ja" if any(has_japanese(t) for t in texts) or not texts else "en"
    if remarks_col == answer_col or remarks_col == question_col:
        remarks_col = None
    return Guess(header_row, question_col, answer_col, remarks_col, language, headings_found)


def first_guess(data: bytes, sheets: list[str]) -> tuple[Sheet, Guess]:
    """The sheet that most probably holds the questions, and the guess for it: the first sheet whose
    headings are recognised, else the first sheet with anything in it."""
    fallback = None
    for name in sheets[:20]:
        sheet = read_sheet(data, name)
        if not sheet.rows:
            continue
        guess = guess_columns(sheet)
        if guess.headings_found:
            return sheet, guess
        fallback = fallback or (sheet, guess)
    if fallback is None:
        raise FileProblems([_("The workbook has no filled-in cells.")])
    return fallback


# --- Writing the answers -----------------------------------------------------------------------------------


def _target_cell(ws, row: int, col: int):
    """The cell to write for (row, col): itself, or the first cell of the merged range it belongs to when
    that range starts on the same row (answer cells merged across several columns). None when the cell is
    inside a range that starts on an earlier row."""
    from openpyxl.cell.cell import MergedCell

    cell = ws.cell(row=row, column=col)
    if not isinstance(cell, MergedCell):
        return cell
    for merged in ws.merged_cells.ranges:
        if merged.min_row <= row <= merged.max_row and merged.min_col <= col <= merged.max_col:
            return ws.cell(row=merged.min_row, column=merged.min_col) if merged.min_row == row else None
    return None


def write_answers(data: bytes, sheet: str, cells: list[tuple[int, int, str]]) -> tuple[bytes, int]:
    """The original workbook with `cells` [(row, column, text), …] written into `sheet`, and how many cells
    were skipped (inside a range merged with an earlier row)."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data))
    except Exception:  # checked at upload; only a changed openpyxl would fail here
        raise FileProblems([_("The original workbook can no longer be read. Upload it again.")]) from None
    if sheet not in wb.sheetnames:
        raise FileProblems([_("The workbook has no sheet named %(sheet)s.") % {"sheet": quote(sheet)}])
    ws = wb[sheet]
    skipped = 0
    for row, col, text in cells:
        cell = _target_cell(ws, row, col)
        if cell is None:
            skipped += 1
            continue
        cell.value = safe_text(text)
        cell.data_type = "s"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), skipped
