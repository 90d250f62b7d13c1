"""Tabular exports (Excel .xlsx and CSV) that a spreadsheet program cannot turn into formulas.

Every download of a list — the action plan, risks, vendors today; training and drill results later — goes
through this module, so that each gets the same protection and the same look:

- **Formula injection.** Text that starts with ``=``, ``+``, ``-`` or ``@`` (also after leading spaces or
  line breaks), or with a tab or a carriage return, is run as a formula by Excel, LibreOffice and Google
  Sheets when the file is opened. ``safe_cell`` puts an apostrophe in front of such text, so
  ``=HYPERLINK(…)`` typed into a risk's title arrives as the text ``'=HYPERLINK(…)``. Numbers, dates and
  booleans are left alone: ``-2`` stays the number −2.
- **Excel** (``xlsx_response``): a bold, frozen header row with a filter, column widths that fit the
  content (Japanese characters count double), dates as dates, and every text cell stored as a string,
  never as a formula, on top of ``safe_cell``.
- **CSV** (``csv_response``): UTF-8 with a byte-order mark, so that Japanese Excel reads the characters
  correctly, and CRLF line endings.
- **File names** (``content_disposition``): an ASCII ``filename`` and, for other names, an RFC 5987
  ``filename*``.

Importers that read our own CSV back can undo the apostrophe with ``unescape_cell``.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from urllib.parse import quote

from django.http import Http404, HttpResponse
from django.utils import timezone

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("xlsx", "csv")

# Text starting with one of these, possibly after whitespace, is read as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@")
# Text starting with one of these is neutralised even when no formula follows (OWASP "CSV injection").
CONTROL_PREFIXES = ("\t", "\r")

XLSX_MAX_CHARS = 32767  # Excel's limit for one cell
MIN_WIDTH, MAX_WIDTH = 8, 60
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"

Sheet = tuple[str, Sequence[str], Iterable[Sequence]]


# --- Cells ------------------------------------------------------------------------------------------------------


def needs_neutralising(text: str) -> bool:
    """True when a spreadsheet program would treat this text as the start of a formula."""
    return text.startswith(CONTROL_PREFIXES) or text.lstrip().startswith(FORMULA_PREFIXES)


def safe_cell(value):
    """The value to write into a spreadsheet cell: None → "", text that would start a formula → the same
    text behind an apostrophe; numbers, dates, times and booleans unchanged. Anything else (lazy
    translations, choices …) becomes text first."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal | date | time):  # datetime is a date
        return value
    text = value if isinstance(value, str) else str(value)
    return "'" + text if needs_neutralising(text) else text


def unescape_cell(text: str) -> str:
    """Undo ``safe_cell`` on text read back from one of our files: "'=1+1" → "=1+1". Other text, including
    an apostrophe that a person typed in front of ordinary words, is kept as it is."""
    if text.startswith("'") and needs_neutralising(text[1:]):
        return text[1:]
    return text


def _plain(value):
    """A value a spreadsheet can hold: aware datetimes in the current time zone, without the zone (Excel
    has none)."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def _csv_text(value) -> str:
    value = _plain(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return str(value)


def _display_width(value) -> int:
    """Roughly how many Latin characters wide the value shows: wide (CJK) characters count double, and
    only the longest line of a multi-line text counts."""
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    text = value if isinstance(value, str) else str(value)
    return max(
        (
            sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
            for line in text.split("\n")
        ),
        default=0,
    )


# --- CSV --------------------------------------------------------------------------------------------------------


def csv_bytes(header: Sequence, rows: Iterable[Sequence]) -> bytes:
    """UTF-8 with a byte-order mark, CRLF line endings, every cell through ``safe_cell``."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_csv_text(safe_cell(v)) for v in header])
    for row in rows:
        writer.writerow([_csv_text(safe_cell(v)) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def csv_response(*, filename: str, header: Sequence, rows: Iterable[Sequence]) -> HttpResponse:
    return download_response(csv_bytes(header, rows), filename=filename, content_type=CSV_CONTENT_TYPE)


# --- Excel ------------------------------------------------------------------------------------------------------


def write_cell(ws, row: int, column: int, value, *, neutralise: bool = True):
    """Write one value into a worksheet. Text is always stored as a string, never as a formula, with
    characters Excel forbids removed; with ``neutralise`` it also goes through ``safe_cell``. Files that ippo
    imports back cell by cell (assets, assessments) pass ``neutralise=False`` and keep the text verbatim."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment

    if value is not None and not isinstance(value, bool | int | float | Decimal | date | time):
        # Drop the forbidden characters first, so that "\x07=1+1" is neutralised as "=1+1" would be.
        value = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    if neutralise:
        value = safe_cell(value)
    value = _plain(value)
    if isinstance(value, str):
        value = value[:XLSX_MAX_CHARS]
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # text, even when it starts with "=": never a formula
        if "\n" in value:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    elif isinstance(value, datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT
    return cell


def write_sheet(ws, header: Sequence, rows: Iterable[Sequence], *, neutralise: bool = True) -> int:
    """A bold, frozen header row, then the rows, with column widths that fit the content. Returns the
    number of data rows written."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    widths: dict[int, int] = {}
    bold = Font(bold=True)
    for column, value in enumerate(header, start=1):
        cell = write_cell(ws, 1, column, value, neutralise=neutralise)
        cell.font = bold
        widths[column] = _display_width(cell.value)
    count = 0
    for count, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            cell = write_cell(ws, count + 1, column, value, neutralise=neutralise)
            if cell.value is not None:
                widths[column] = max(widths.get(column, 0), _display_width(cell.value))
    for column, width in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = min(max(width + 2, MIN_WIDTH), MAX_WIDTH)
    ws.freeze_panes = "A2"
    return count


def sheet_title(title: str) -> str:
    """A valid worksheet name: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in str(title)).strip("'")
    return cleaned[:31] or "Sheet"


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """A workbook with one worksheet per (title, header, rows), each with a filter on its header row."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    for title, header, rows in sheets:
        ws = wb.create_sheet(sheet_title(title))
        count = write_sheet(ws, header, rows)
        if header:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{count + 1}"
    if not wb.worksheets:
        wb.create_sheet("Sheet")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def xlsx_response(*, filename: str, sheets: Sequence[Sheet]) -> HttpResponse:
    return download_response(xlsx_bytes(sheets), filename=filename, content_type=XLSX_CONTENT_TYPE)


# --- Responses --------------------------------------------------------------------------------------------------


def _ascii_filename(filename: str) -> str:
    stem, dot, ext = filename.rpartition(".")
    if not dot:
        stem, ext = filename, ""
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    ascii_stem = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in ascii_stem).strip("._")
    ascii_ext = "".join(ch for ch in ext if ch.isascii() and ch.isalnum())
    return (ascii_stem or "download") + (f".{ascii_ext}" if ascii_ext else "")


def content_disposition(filename: str) -> str:
    """``attachment; filename="…"``, plus ``filename*=UTF-8''…`` (RFC 5987) when the name is not plain
    ASCII, so that browsers show a Japanese name while older clients still get a safe one."""
    fallback = _ascii_filename(filename)
    if fallback == filename:
        return f'attachment; filename="{filename}"'
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def download_response(body: bytes, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename)
    return response


def export_format(request, formats: Sequence[str] = FORMATS) -> str:
    """The ``?format=`` of an export request: the first of ``formats`` by default, 404 when unknown."""
    fmt = request.GET.get("format") or formats[0]
    if fmt not in formats:
        raise Http404("Unknown format")
    return fmt


def table_response(
    *, fmt: str, filename: str, title: str, header: Sequence, rows: Iterable[Sequence]
) -> HttpResponse:
    """One table as an .xlsx workbook (one sheet named ``title``) or a CSV file; ``filename`` is given
    without its extension."""
    if fmt == "csv":
        return csv_response(filename=f"{filename}.csv", header=header, rows=rows)
    if fmt == "xlsx":
        return xlsx_response(filename=f"{filename}.xlsx", sheets=[(title, header, rows)])
    raise ValueError(f"unknown export format {fmt!r}")
