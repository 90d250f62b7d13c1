"""Import and export of the asset inventory as CSV (UTF-8) or Excel (.xlsx).

The import reads the whole file and checks every row before writing anything. Each problem names its row
as the spreadsheet shows it (the header is row 1); when there is any problem, nothing is imported. A row
whose name matches an existing asset updates that asset, so re-importing an export changes nothing.

Column headings may be in Japanese or English (or the field's code); values accept the codes as well as
the Japanese and English labels (`Type`: "pc", "PC or laptop", "パソコン" …).
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ippo.core.audit import audit_record
from ippo.core.models import Membership, Organization
from ippo.lib import tabular
from ippo.lib.tabular import unescape_cell
from ippo.lib.text import join_list, quote
from ippo.registers.models import Asset, AssetType, Importance

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
CSV_CONTENT_TYPE = tabular.CSV_CONTENT_TYPE
XLSX_CONTENT_TYPE = tabular.XLSX_CONTENT_TYPE

# (code, Japanese heading, English heading, other accepted headings)
COLUMNS = (
    ("name", "名称", "Name", ("資産名", "名前", "asset")),
    ("asset_type", "種類", "Type", ("種別", "分類", "asset type")),
    ("location", "保管場所", "Where it lives", ("場所", "保存場所", "location")),
    ("owner", "管理者", "Owner", ("担当者", "責任者", "所有者")),
    ("personal_data", "個人情報", "Personal data", ("個人情報の有無", "personal")),
    ("confidentiality", "機密性", "Confidentiality", ("c",)),
    ("integrity", "完全性", "Integrity", ("i",)),
    ("availability", "可用性", "Availability", ("a",)),
    ("notes", "メモ", "Notes", ("備考", "note")),
)
REQUIRED = ("name", "asset_type")
IMPORTANCE = ("confidentiality", "integrity", "availability")

# Everyday Japanese words for the asset types, besides the translated labels.
TYPE_WORDS = {
    "pc": ("パソコン", "ノートパソコン", "pc", "laptop", "computer"),
    "phone": ("スマートフォン", "スマホ", "タブレット", "携帯電話", "phone", "smartphone", "tablet"),
    "server": ("サーバー", "サーバ", "server"),
    "nas": ("nas", "ファイルサーバー"),
    "cloud": ("クラウド", "クラウドサービス", "cloud", "saas"),
    "website": ("ホームページ", "ウェブサイト", "webサイト", "website", "web"),
    "data": ("データ", "ファイル", "電子データ", "data", "files"),
    "network": ("ネットワーク", "ネットワーク機器", "ルーター", "network", "router"),
    "paper": ("紙", "書類", "紙の書類", "paper", "documents"),
}
TRUE_WORDS = ("yes", "y", "true", "1", "はい", "あり", "有", "有り", "○", "◯", "✓")
FALSE_WORDS = ("no", "n", "false", "0", "いいえ", "なし", "無", "無し", "×", "-", "ー")
IMPORTANCE_WORDS = {"低": 1, "中": 2, "高": 3, "low": 1, "medium": 2, "high": 3}


# A cell that starts like a formula (=, +, -, @, tab …) is run as one by spreadsheet programs (CSV
# injection). The CSV export puts an apostrophe in front of such cells (ippo.lib.tabular.safe_cell), which
# the import removes again; the Excel export keeps the text as it is but stores it as text, never as a
# formula.


def _unescape(text: str) -> str:
    return unescape_cell(text.strip()).strip()


class ImportProblems(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


def norm(value) -> str:
    """Compare headings and values loosely (also used by the employee import): full-width → half-width, case and surrounding spaces ignored."""
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    return " ".join(text.split()).casefold()


def _heading(code: str, language: str | None = None) -> str:
    language = language or translation.get_language() or "ja"
    for c, ja, en, _others in COLUMNS:
        if c == code:
            return ja if language.startswith("ja") else en
    raise KeyError(code)


def _heading_aliases() -> dict[str, str]:
    aliases = {}
    for code, ja, en, others in COLUMNS:
        for text in (code, ja, en, f"{ja} {en}", f"{ja}({en})", f"{ja} ({en})", *others):
            aliases[norm(text)] = code
    return aliases


def _labels_in_both(choices) -> dict[str, object]:
    """Every spelling of a choice: its code and its Japanese and English labels."""
    aliases = {}
    for value, _label in choices:
        aliases[norm(value)] = value
        for lang in ("ja", "en"):
            with translation.override(lang):
                aliases[norm(str(dict(choices)[value]))] = value
    return aliases


def _type_aliases() -> dict[str, str]:
    aliases = _labels_in_both(AssetType.choices)
    for code, words in TYPE_WORDS.items():
        for word in words:
            aliases.setdefault(norm(word), code)
    return aliases


def _yes_no_words() -> tuple[set[str], set[str]]:
    yes, no = {norm(w) for w in TRUE_WORDS}, {norm(w) for w in FALSE_WORDS}
    for lang in ("ja", "en"):
        with translation.override(lang):
            yes.add(norm(pgettext("answer", "Yes")))
            no.add(norm(pgettext("answer", "No")))
    return yes, no


def _importance(raw: str) -> int | None:
    text = norm(raw)
    if not text:
        return Importance.MEDIUM
    if text in IMPORTANCE_WORDS:
        return IMPORTANCE_WORDS[text]
    try:
        number = float(text)
    except ValueError:
        return None
    return int(number) if number in (1, 2, 3) else None


# --- Reading files ------------------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise ImportProblems([_("The file is not a CSV text file. Save it as “CSV UTF-8” or as .xlsx.")])
    for encoding in ("utf-8-sig", "cp932"):  # Excel in Japan saves "CSV" as Shift_JIS (cp932)
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportProblems([_("The file's characters cannot be read. Save it as “CSV UTF-8” and try again.")])


def _read_csv(data: bytes) -> list[list[str]]:
    text = _decode(data)
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise ImportProblems([_("The CSV file cannot be read: %(error)s") % {"error": exc}]) from None


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise ImportProblems(
            [_("The file is not an Excel workbook that ippo can read. Save it as .xlsx and try again.")]
        ) from None
    rows = []
    try:
        for number, row in enumerate(wb.worksheets[0].iter_rows(values_only=True), start=1):
            if number > MAX_ROWS + 1:
                break
            rows.append(["" if v is None else _cell_text(v) for v in row])
    finally:
        wb.close()
    return rows


def _cell_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def read_rows(name: str, data: bytes) -> list[list[str]]:
    """The rows of a .csv or .xlsx file as text (row 1 is the heading)."""
    rows = _read_xlsx(data) if name.lower().endswith(".xlsx") else _read_csv(data)
    if len(rows) > MAX_ROWS + 1:
        raise ImportProblems([_("The file has more than %(max)s rows.") % {"max": MAX_ROWS}])
    return rows


# --- Checking and importing ---------------------------------------------------------------------------------


def _columns(header: list[str]) -> dict[str, int]:
    aliases = _heading_aliases()
    found: dict[str, int] = {}
    problems = []
    for index, cell in enumerate(header):
        code = aliases.get(norm(cell))
        if code is None:
            continue  # extra columns (a "No." column, remarks …) are ignored
        if code in found:
            problems.append(
                _("Row 1: the column “%(column)s” appears twice.") % {"column": str(cell).strip()}
            )
        found[code] = index
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        problems.append(
            _(
                "Row 1 must hold the column headings. Missing: %(columns)s. Export the inventory for a template."
            )
            % {"columns": join_list(quote(_heading(c)) for c in missing)}
        )
    if problems:
        raise ImportProblems(problems)
    return found


def check_rows(org: Organization, rows: list[list[str]]) -> list[dict]:
    """Turn the rows into asset fields, or raise ImportProblems naming every bad row. Only the columns
    present in the file are returned, so importing a partial sheet leaves the other fields alone (new
    assets get the defaults: importance 2, no personal data)."""
    if not rows or not any(str(c).strip() for c in rows[0]):
        raise ImportProblems([_("The file is empty. Row 1 must hold the column headings.")])
    columns = _columns(rows[0])
    types = _type_aliases()
    yes, no = _yes_no_words()
    people = {}
    for m in Membership.objects.filter(organization=org).select_related("user"):
        people[norm(m.user.email)] = m.user
        if m.user.name:
            people.setdefault(norm(m.user.name), m.user)
    problems: list[str] = []
    seen: dict[str, int] = {}
    out = []
    for number, row in enumerate(rows[1:], start=2):
        cell = {code: _unescape(str(row[i])) if i < len(row) else "" for code, i in columns.items()}
        if not any(cell.values()):
            continue
        row_problems = []
        where = {"row": number}
        name = cell.get("name", "")
        if not name:
            row_problems.append(_("Row %(row)s: the name is empty.") % where)
        elif len(name) > 200:
            row_problems.append(_("Row %(row)s: the name is longer than 200 characters.") % where)
        elif norm(name) in seen:
            row_problems.append(
                _("Row %(row)s: “%(name)s” appears twice (also in row %(first)s).")
                % {**where, "name": name, "first": seen[norm(name)]}
            )
        else:
            seen[norm(name)] = number
        asset_type = types.get(norm(cell.get("asset_type", "")))
        if asset_type is None:
            row_problems.append(
                _("Row %(row)s: “%(value)s” is not a type. Use one of: %(types)s.")
                % {
                    **where,
                    "value": cell.get("asset_type", ""),
                    "types": join_list(quote(t.label) for t in AssetType),
                }
                if cell.get("asset_type")
                else _("Row %(row)s: the type is empty.") % where
            )
        personal = norm(cell.get("personal_data", ""))
        if personal and personal not in yes | no:
            row_problems.append(
                _("Row %(row)s: personal data must be yes or no (not “%(value)s”).")
                % {**where, "value": cell["personal_data"]}
            )
        importance = {}
        for code in IMPORTANCE:
            value = _importance(cell.get(code, ""))
            if value is None:
                row_problems.append(
                    _("Row %(row)s: %(column)s must be 1, 2 or 3 (not “%(value)s”).")
                    % {**where, "column": _heading(code), "value": cell[code]}
                )
            importance[code] = value
        for code, limit in (("location", 200), ("owner", 100), ("notes", 2000)):
            if len(cell.get(code, "")) > limit:
                row_problems.append(
                    _("Row %(row)s: %(column)s is longer than %(max)s characters.")
                    % {**where, "column": _heading(code), "max": limit}
                )
        if row_problems:
            problems.extend(row_problems)
            continue
        fields = {"name": name, "asset_type": asset_type}
        if "location" in columns:
            fields["location"] = cell["location"]
        if "owner" in columns:
            owner = people.get(norm(cell["owner"]))
            fields["owner"] = owner
            fields["owner_name"] = "" if owner else cell["owner"]
        if "personal_data" in columns:
            fields["personal_data"] = personal in yes
        fields.update({code: importance[code] for code in IMPORTANCE if code in columns})
        if "notes" in columns:
            fields["notes"] = cell["notes"]
        out.append(fields)
    if not problems and not out:
        problems.append(_("The file holds no assets below the headings."))
    if problems:
        raise ImportProblems(problems)
    return out


@transaction.atomic
def assets_import(*, org: Organization, actor, name: str, data: bytes) -> ImportResult:
    """Check the whole file, then add new assets and update those with the same name. Raises ImportProblems
    (every problem, each naming its row) and writes nothing when the file is not clean."""
    fields_list = check_rows(org, read_rows(name, data))
    existing = {norm(a.name): a for a in Asset.objects.filter(organization=org)}
    to_create, to_update = [], []
    for fields in fields_list:
        asset = existing.get(norm(fields["name"]))
        if asset is None:
            to_create.append(Asset(organization=org, **fields))
            continue
        changed = False
        for key, value in fields.items():
            if key != "name" and getattr(asset, key) != value:
                setattr(asset, key, value)
                changed = True
        if changed:
            to_update.append(asset)
    Asset.objects.bulk_create(to_create)
    update_fields = [f for f in fields_list[0] if f != "name"] + ["updated_at"]  # the same keys in every row
    now = timezone.now()
    for asset in to_update:
        asset.updated_at = now
    Asset.objects.bulk_update(to_update, update_fields)
    result = ImportResult(
        created=len(to_create),
        updated=len(to_update),
        unchanged=len(fields_list) - len(to_create) - len(to_update),
    )
    audit_record(
        action="asset.imported",
        actor=actor,
        org=org,
        data={"file": name[:100], "created": result.created, "updated": result.updated},
    )
    return result


# --- Export ----------------------------------------------------------------------------------------------------


def _export_rows(assets) -> tuple[list[str], list[list]]:
    header = [_heading(code) for code, *_rest in COLUMNS]
    yes, no = pgettext("answer", "Yes"), pgettext("answer", "No")
    rows = [
        [
            a.name,
            a.get_asset_type_display(),
            a.location,
            a.owner.email if a.owner else a.owner_name,
            yes if a.personal_data else no,
            a.confidentiality,
            a.integrity,
            a.availability,
            a.notes,
        ]
        for a in assets
    ]
    return header, rows


def export_csv(assets) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel in Japan opens it with the right characters; cells that
    would start a formula get an apostrophe (ippo.lib.tabular)."""
    header, rows = _export_rows(assets)
    return tabular.csv_bytes(header, rows)


def export_xlsx(assets) -> bytes:
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    header, rows = _export_rows(assets)
    wb = Workbook()
    ws = wb.active
    ws.title = "情報資産" if (translation.get_language() or "ja").startswith("ja") else "Assets"
    # The text stays verbatim (so that it imports back unchanged) but is stored as text, never a formula.
    tabular.write_sheet(ws, header, rows, neutralise=False)
    last = max(ws.max_row, 200)
    # The type labels hold commas, so the drop-down reads them from a hidden sheet, not from a literal list.
    lists = wb.create_sheet("types")
    for t in AssetType:
        lists.append([str(t.label)])
    lists.sheet_state = "hidden"
    types = DataValidation(type="list", formula1=f"=types!$A$1:$A${len(AssetType)}", allow_blank=True)
    levels = DataValidation(type="whole", operator="between", formula1="1", formula2="3", allow_blank=True)
    levels.error = _("Importance must be 1, 2 or 3.")
    ws.add_data_validation(types)
    ws.add_data_validation(levels)
    types.add(f"B2:B{last}")
    levels.add(f"F2:H{last}")
    for column, width in zip("ABCDEFGHI", (32, 24, 32, 28, 12, 10, 10, 10, 40), strict=True):
        ws.column_dimensions[column].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
