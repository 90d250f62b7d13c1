"""Import and export of the employee directory as CSV (UTF-8 or Shift_JIS) or Excel (.xlsx).

The import is two steps: `employees_check` reads the whole file and either raises ImportProblems naming
every bad row (the header is row 1) or returns a preview — which rows add a person, which update one and
what changes. Nothing is written until the preview is confirmed (`employees_import`). A row matches an
existing employee by e-mail address, else by employee number, else by exact name, so re-importing an
export changes nothing. People missing from the file are only marked as having left when the person
importing asks for it, and never deleted (their training and drill history stays).
"""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ippo.core.models import Organization
from ippo.lib.tabular import unescape_cell
from ippo.lib.text import join_list, quote
from ippo.people.models import Employee
from ippo.registers.exchange import MAX_BYTES, MAX_ROWS, ImportProblems, norm, read_rows

__all__ = ["MAX_BYTES", "MAX_ROWS", "ImportProblems", "Preview", "employees_check", "export_rows"]

# (code, Japanese heading, English heading, other accepted headings)
COLUMNS = (
    ("name", "氏名", "Name", ("名前", "社員名", "従業員名", "full name")),
    ("email", "メールアドレス", "E-mail", ("メール", "e-mail address", "email address", "mail")),
    ("department", "部署", "Department", ("所属", "部門", "部署名", "team")),
    ("employment_type", "雇用形態", "Employment type", ("区分", "employment")),
    ("employee_number", "社員番号", "Employee number", ("従業員番号", "番号", "id", "no")),
    ("manager", "上司", "Manager", ("上長", "管理者")),
    ("joined_on", "入社日", "Joined on", ("入社年月日", "start date", "joined")),
)
REQUIRED = ("name",)

TYPE_WORDS = {
    "full_time": ("正社員", "社員", "常勤", "full-time", "full time", "employee"),
    "contract": ("契約社員", "嘱託", "contract"),
    "part_time": ("パート", "アルバイト", "パート・アルバイト", "part-time", "part time"),
    "dispatched": ("派遣", "派遣社員", "agency", "temp"),
    "executive": ("役員", "取締役", "代表取締役", "社長", "director", "executive"),
    "other": ("その他", "other"),
}


def heading(code: str, language: str | None = None) -> str:
    language = language or translation.get_language() or "ja"
    for c, ja, en, _others in COLUMNS:
        if c == code:
            return ja if language.startswith("ja") else en
    raise KeyError(code)


def _aliases() -> dict[str, str]:
    aliases = {}
    for code, ja, en, others in COLUMNS:
        for text in (code, ja, en, f"{ja} {en}", f"{ja}({en})", f"{ja} ({en})", *others):
            aliases[norm(text)] = code
    return aliases


def _type_aliases() -> dict[str, str]:
    aliases = {}
    for value, _label in Employee.EmploymentType.choices:
        aliases[norm(value)] = value
        for lang in ("ja", "en"):
            with translation.override(lang):
                aliases[norm(str(Employee.EmploymentType(value).label))] = value
    for value, words in TYPE_WORDS.items():
        for word in words:
            aliases.setdefault(norm(word), value)
    return aliases


def _date(text: str) -> date | None:
    text = unicodedata.normalize("NFKC", text).strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


@dataclass
class Row:
    number: int
    name: str
    fields: dict  # only the columns present in the file; department/manager as text
    action: str = "add"  # add / update / unchanged
    employee_id: int | None = None
    changes: list[str] = field(default_factory=list)


@dataclass
class Preview:
    columns: list[str]
    rows: list[Row]
    missing: list[tuple[int, str]]  # active employees not in the file: (pk, name)
    new_departments: list[str]

    @property
    def counts(self) -> dict[str, int]:
        out = {"add": 0, "update": 0, "unchanged": 0}
        for row in self.rows:
            out[row.action] += 1
        return out

    def to_session(self) -> dict:
        return {
            "columns": self.columns,
            "rows": [asdict(r) | {"fields": _jsonable(r.fields)} for r in self.rows],
            "missing": self.missing,
            "new_departments": self.new_departments,
        }

    @classmethod
    def from_session(cls, data: dict) -> Preview:
        rows = []
        for r in data["rows"]:
            fields = dict(r["fields"])
            if fields.get("joined_on"):
                fields["joined_on"] = date.fromisoformat(fields["joined_on"])
            rows.append(Row(**{**r, "fields": fields}))
        return cls(
            columns=data["columns"],
            rows=rows,
            missing=[tuple(m) for m in data["missing"]],
            new_departments=data["new_departments"],
        )


def _jsonable(fields: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in fields.items()}


def _columns(header: list[str]) -> dict[str, int]:
    aliases = _aliases()
    found: dict[str, int] = {}
    problems = []
    for index, cell in enumerate(header):
        code = aliases.get(norm(cell))
        if code is None:
            continue
        if code in found:
            problems.append(
                _("Row 1: the column “%(column)s” appears twice.") % {"column": str(cell).strip()}
            )
        found[code] = index
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        problems.append(
            _("Row 1 must hold the column headings. Missing: %(columns)s. Export the list for a template.")
            % {"columns": join_list(quote(heading(c)) for c in missing)}
        )
    if problems:
        raise ImportProblems(problems)
    return found


def employees_check(*, org: Organization, name: str, data: bytes) -> Preview:
    """Check every row; raise ImportProblems (every problem, each naming its row) or return the preview."""
    rows = read_rows(name, data)
    if not rows or not any(str(c).strip() for c in rows[0]):
        raise ImportProblems([_("The file is empty. Row 1 must hold the column headings.")])
    columns = _columns(rows[0])
    types = _type_aliases()
    existing = list(Employee.objects.filter(organization=org).select_related("department", "manager"))
    by_email = {norm(e.email): e for e in existing if e.email}
    by_number = {norm(e.employee_number): e for e in existing if e.employee_number}
    by_name: dict[str, list[Employee]] = {}
    for e in existing:
        by_name.setdefault(norm(e.name), []).append(e)
    from ippo.people.models import Department

    departments = {norm(d.name) for d in Department.objects.filter(organization=org)}
    problems: list[str] = []
    out: list[Row] = []
    seen_email: dict[str, int] = {}
    seen_number: dict[str, int] = {}
    file_names = set()
    for number, raw in enumerate(rows[1:], start=2):
        cell = {
            code: unescape_cell(str(raw[i]).strip()).strip() if i < len(raw) else ""
            for code, i in columns.items()
        }
        if not any(cell.values()):
            continue
        where = {"row": number}
        row_problems = []
        person = cell.get("name", "")
        if not person:
            row_problems.append(_("Row %(row)s: the name is empty.") % where)
        elif len(person) > 100:
            row_problems.append(_("Row %(row)s: the name is longer than 100 characters.") % where)
        email = cell.get("email", "")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                row_problems.append(
                    _("Row %(row)s: “%(value)s” is not an e-mail address.") % {**where, "value": email}
                )
            else:
                if norm(email) in seen_email:
                    row_problems.append(
                        _("Row %(row)s: the e-mail address %(value)s appears twice (also in row %(first)s).")
                        % {**where, "value": email, "first": seen_email[norm(email)]}
                    )
                seen_email.setdefault(norm(email), number)
        employee_number = cell.get("employee_number", "")
        if employee_number:
            if len(employee_number) > 50:
                row_problems.append(
                    _("Row %(row)s: the employee number is longer than 50 characters.") % where
                )
            elif norm(employee_number) in seen_number:
                row_problems.append(
                    _("Row %(row)s: the employee number %(value)s appears twice (also in row %(first)s).")
                    % {**where, "value": employee_number, "first": seen_number[norm(employee_number)]}
                )
            seen_number.setdefault(norm(employee_number), number)
        employment_type = None
        if cell.get("employment_type"):
            employment_type = types.get(norm(cell["employment_type"]))
            if employment_type is None:
                row_problems.append(
                    _("Row %(row)s: “%(value)s” is not an employment type. Use one of: %(types)s.")
                    % {
                        **where,
                        "value": cell["employment_type"],
                        "types": join_list(quote(t.label) for t in Employee.EmploymentType),
                    }
                )
        joined_on = None
        if cell.get("joined_on"):
            joined_on = _date(cell["joined_on"])
            if joined_on is None:
                row_problems.append(
                    _("Row %(row)s: “%(value)s” is not a date. Write it as 2026-04-01 or 2026/4/1.")
                    % {**where, "value": cell["joined_on"]}
                )
        if len(cell.get("department", "")) > 100:
            row_problems.append(_("Row %(row)s: the department is longer than 100 characters.") % where)
        if row_problems:
            problems.extend(row_problems)
            continue
        fields: dict = {"name": person}
        if "email" in columns:
            fields["email"] = email.lower()
        if "employee_number" in columns:
            fields["employee_number"] = employee_number
        if "department" in columns:
            fields["department"] = cell["department"]
        if "employment_type" in columns and employment_type:
            fields["employment_type"] = employment_type
        if "manager" in columns:
            fields["manager"] = cell["manager"]
        if "joined_on" in columns:
            fields["joined_on"] = joined_on
        match = None
        if email and norm(email) in by_email:
            match = by_email[norm(email)]
        elif employee_number and norm(employee_number) in by_number:
            match = by_number[norm(employee_number)]
        elif not email and len(by_name.get(norm(person), [])) == 1:
            match = by_name[norm(person)][0]
        row = Row(number=number, name=person, fields=fields)
        if match is not None:
            row.employee_id = match.pk
            row.changes = _changes(match, fields)
            row.action = "update" if row.changes else "unchanged"
        out.append(row)
        file_names.add(norm(person))
    # Managers must name someone in the file or in the directory.
    known = {norm(e.name) for e in existing} | {norm(e.email) for e in existing if e.email} | file_names
    known |= set(seen_email)
    for row in out:
        manager = row.fields.get("manager", "")
        if manager and norm(manager) not in known:
            problems.append(
                _("Row %(row)s: the manager “%(value)s” is neither in the file nor in the directory.")
                % {"row": row.number, "value": manager}
            )
    if not problems and not out:
        problems.append(_("The file holds no people below the headings."))
    if problems:
        raise ImportProblems(problems)
    matched = {row.employee_id for row in out if row.employee_id}
    missing = [(e.pk, e.name) for e in existing if e.is_active and e.pk not in matched]
    new_departments: dict[str, str] = {}
    for row in out:
        name = row.fields.get("department", "")
        if name and norm(name) not in departments:
            new_departments.setdefault(norm(name), name)
    new_departments = sorted(new_departments.values(), key=norm)
    return Preview(columns=list(columns), rows=out, missing=missing, new_departments=new_departments)


def _changes(employee: Employee, fields: dict) -> list[str]:
    changes = []
    for key, value in fields.items():
        if key == "department":
            current = employee.department.name if employee.department else ""
            if norm(current) != norm(value):
                changes.append(key)
        elif key == "manager":
            current = employee.manager.name if employee.manager else ""
            if (
                value
                and norm(current) != norm(value)
                and norm(getattr(employee.manager, "email", "")) != norm(value)
            ):
                changes.append(key)
            elif not value and current:
                changes.append(key)
        elif (getattr(employee, key) or "") != (value or ""):
            changes.append(key)
    return changes


def export_rows(employees) -> tuple[list[str], list[list]]:
    header = [heading(code) for code, *_rest in COLUMNS] + [pgettext("employee", "Status"), _("Left on")]
    rows = [
        [
            e.name,
            e.email,
            e.department.name if e.department else "",
            e.get_employment_type_display(),
            e.employee_number,
            e.manager.email or e.manager.name if e.manager else "",
            e.joined_on,
            pgettext("employee", "Active") if e.is_active else pgettext("employee", "Left"),
            e.left_on,
        ]
        for e in employees
    ]
    return header, rows
