"""Export an assessment to Excel or JSON, and import such a file back as a new assessment in progress.

The import checks every row before writing anything: a problem is reported with its row (Excel) or its
position (JSON), and nothing is imported until the whole file is clean.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from ippo.assessments import results, selectors
from ippo.assessments.models import Answer, Assessment, ITUse
from ippo.catalog.loader import catalog_get
from ippo.core.audit import audit_record
from ippo.lib import tabular

FORMAT = "ippo.assessment/1"
ANSWER_SHEET = "回答 Answers"
RESULT_SHEET = "結果 Results"
META_SHEET = "ippo"
HEADERS = ("ID", "質問 Question", "回答 Answer", "メモ Note", "証跡リンク Evidence link")
MAX_ROWS = 2000


class ImportProblems(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def _answer_aliases() -> dict[str, str]:
    """Every accepted spelling of an answer: the code and its Japanese and English labels."""
    aliases = {}
    for value, _label in Answer.Value.choices:
        aliases[value] = value
        for lang in ("ja", "en"):
            with override(lang):
                aliases[str(Answer.Value(value).label).casefold()] = value
    return aliases


def _answer_label(value: str) -> str:
    return str(Answer.Value(value).label)


def _item_text(kind: str, item_id: str) -> str:
    catalog = catalog_get()
    try:
        if kind == Assessment.Kind.QUICK:
            return catalog.question(item_id).text.get()
        return catalog.control(item_id).question.get()
    except KeyError:
        return ""


# --- Export -------------------------------------------------------------------------------------------------


def export_json(assessment: Assessment, answers: Iterable[Answer]) -> bytes:
    data = {
        "format": FORMAT,
        "organisation": assessment.organization.name,
        "kind": assessment.kind,
        "status": assessment.status,
        "catalog_version": assessment.catalog_version,
        "it_uses": assessment.it_uses,
        "created_at": assessment.created_at.isoformat(),
        "completed_at": assessment.completed_at.isoformat() if assessment.completed_at else None,
        "answers": [
            {
                "id": a.item_id,
                "answer": a.value,
                "note": a.note,
                "evidence_url": a.evidence_url,
                "control_version": a.control_version,
            }
            for a in answers
        ],
        "result": assessment.result,
    }
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


def export_xlsx(assessment: Assessment, answers: Iterable[Answer]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment
    from openpyxl.worksheet.datavalidation import DataValidation

    by_id = {a.item_id: a for a in answers}
    catalog = catalog_get()
    items = results.items_for(catalog, assessment.kind, assessment.it_uses)
    wb = Workbook()
    ws = wb.active
    ws.title = ANSWER_SHEET
    labels = [_answer_label(v) for v in Answer.Value.values]
    validation = DataValidation(type="list", formula1='"' + ",".join(labels) + '"', allow_blank=True)
    validation.error = _("Choose one of: %(answers)s") % {"answers": ", ".join(labels)}
    ws.add_data_validation(validation)
    rows = []
    seen = set()
    for item in items:
        answer = by_id.get(item.id)
        seen.add(item.id)
        rows.append(
            [
                item.id,
                _item_text(assessment.kind, item.id),
                _answer_label(answer.value) if answer else "",
                answer.note if answer else "",
                answer.evidence_url if answer else "",
            ]
        )
    for item_id, answer in by_id.items():  # answers to items that no longer apply are kept too
        if item_id not in seen:
            rows.append(
                [
                    item_id,
                    _item_text(assessment.kind, item_id),
                    _answer_label(answer.value),
                    answer.note,
                    answer.evidence_url,
                ]
            )
    # Notes are imported back verbatim, so they are not prefixed with an apostrophe; they are stored as
    # text, so a note starting with "=" is never a formula (ippo.lib.tabular).
    tabular.write_sheet(ws, HEADERS, rows, neutralise=False)
    if ws.max_row > 1:
        validation.add(f"C2:C{ws.max_row}")
    for column, width in zip("ABCDE", (24, 70, 14, 40, 40), strict=True):
        ws.column_dimensions[column].width = width
    for row in ws.iter_rows(min_row=2, min_col=2, max_col=2):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")

    if assessment.result:
        result = assessment.result
        rs = wb.create_sheet(RESULT_SHEET)
        lines = [
            [_("Overall score (0–100)"), result["overall"]],
            [_("Maturity tier (1–4)"), result["tier"]],
            [],
            [_("NIST CSF 2.0 function"), _("Score")],
        ]
        lines += [[row["label"], row["value"]] for row in selectors.function_rows(result)]
        lines += [[], [_("Framework"), _("Level"), _("Met"), _("Partly met"), _("Not assessed"), _("Total")]]
        lines += [
            [row.label, row.level or "", row.met, row.partly_met, row.not_assessed, row.total]
            for row in selectors.coverage_rows(result)
        ]
        lines += [[], [_("Top gaps (quick, low-cost wins first)"), _("Answer"), _("Cost")]]
        lines += [
            [f"{gap.control_id} {gap.control.title.get()}", gap.answer_label, gap.cost_label]
            for gap in selectors.gap_rows(result, catalog)
        ]
        for number, line in enumerate(lines, start=1):
            for column, value in enumerate(line, start=1):
                tabular.write_cell(rs, number, column, value, neutralise=False)
        rs.column_dimensions["A"].width = 60

    meta = wb.create_sheet(META_SHEET)
    for number, (key, value) in enumerate(
        (
            ("format", FORMAT),
            ("kind", assessment.kind),
            ("status", assessment.status),
            ("catalog_version", assessment.catalog_version),
            ("it_uses", ",".join(assessment.it_uses)),
            ("organisation", assessment.organization.name),
            ("completed_at", assessment.completed_at.isoformat() if assessment.completed_at else ""),
            ("exported_at", timezone.now().isoformat()),
        ),
        start=1,
    ):
        tabular.write_cell(meta, number, 1, key, neutralise=False)
        tabular.write_cell(meta, number, 2, value, neutralise=False)
    meta.sheet_state = "hidden"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- Import -------------------------------------------------------------------------------------------------


def _read_xlsx(data: bytes) -> tuple[dict[str, str], list[tuple[str, list]]]:
    """(metadata, [(where, [id, text, answer, note, evidence]), …]) or ImportProblems."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise ImportProblems(
            [_("The file is not an Excel workbook that ippo can read. Export it again from ippo.")]
        ) from None
    if META_SHEET not in wb.sheetnames or ANSWER_SHEET not in wb.sheetnames:
        raise ImportProblems(
            [
                _("This workbook was not exported from ippo: the sheet “%(sheet)s” is missing.")
                % {"sheet": ANSWER_SHEET if META_SHEET in wb.sheetnames else META_SHEET}
            ]
        )
    meta = {}
    for row in wb[META_SHEET].iter_rows(min_row=1, max_col=2, values_only=True):
        if row and row[0]:
            meta[str(row[0])] = "" if row[1] is None else str(row[1])
    rows = []
    sheet = wb[ANSWER_SHEET]
    header = next(sheet.iter_rows(min_row=1, max_row=1, max_col=5, values_only=True), ())
    if tuple(str(h or "") for h in header[:3]) != HEADERS[:3]:
        raise ImportProblems(
            [
                _(
                    "Row 1 of the sheet “%(sheet)s” must hold the column headings of the export (ID, question, answer …)."
                )
                % {"sheet": ANSWER_SHEET}
            ]
        )
    for number, row in enumerate(sheet.iter_rows(min_row=2, max_col=5, values_only=True), start=2):
        if number > MAX_ROWS:
            raise ImportProblems([_("The file has more than %(max)s rows.") % {"max": MAX_ROWS}])
        cells = ["" if v is None else str(v).strip() for v in row]
        cells += [""] * (5 - len(cells))
        if not any(cells):
            continue
        rows.append((_("Row %(number)s") % {"number": number}, cells))
    wb.close()
    return meta, rows


def _read_json(data: bytes) -> tuple[dict[str, str], list[tuple[str, list]]]:
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportProblems([_("The file is not valid JSON: %(error)s") % {"error": exc}]) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("answers"), list):
        raise ImportProblems(
            [
                _("This JSON file was not exported from ippo (format “%(format)s” expected).")
                % {"format": FORMAT}
            ]
        )
    it_uses = doc.get("it_uses") or []
    meta = {
        "format": FORMAT,
        "kind": str(doc.get("kind", "")),
        "it_uses": ",".join(it_uses) if isinstance(it_uses, list) else str(it_uses),
    }
    rows = []
    for index, entry in enumerate(doc["answers"], start=1):
        where = _("Answer %(number)s") % {"number": index}
        if not isinstance(entry, dict):
            raise ImportProblems(
                [_("%(where)s: each answer must be an object with “id” and “answer”.") % {"where": where}]
            )
        rows.append(
            (
                where,
                [str(entry.get(k) or "").strip() for k in ("id", "text", "answer", "note", "evidence_url")],
            )
        )
    return meta, rows


@transaction.atomic
def assessment_import(*, org, actor, upload) -> Assessment:
    """Check the whole file, then create a new assessment in progress with its answers. Raises
    ImportProblems (every problem found, each naming its row) and writes nothing when the file is not clean."""
    data = upload.read()
    name = (getattr(upload, "name", "") or "").lower()
    meta, rows = _read_json(data) if name.endswith(".json") else _read_xlsx(data)
    problems: list[str] = []
    kind = meta.get("kind", "")
    if meta.get("format") != FORMAT or kind not in Assessment.Kind.values:
        raise ImportProblems(
            [_("The file does not say which kind of assessment it holds. Export it again from ippo.")]
        )
    it_uses = sorted({u.strip() for u in meta.get("it_uses", "").split(",") if u.strip()})
    unknown_uses = set(it_uses) - set(ITUse.values)
    if unknown_uses:
        problems.append(
            _("Unknown kinds of IT in the file: %(values)s") % {"values": ", ".join(sorted(unknown_uses))}
        )
    catalog = catalog_get()
    valid = {i.id for i in results.items_for(catalog, kind, it_uses)}
    known = (
        {q.id for q in catalog.questions}
        if kind == Assessment.Kind.QUICK
        else {c.id for c in catalog.controls}
    )
    aliases = _answer_aliases()
    url_ok = URLValidator(schemes=["http", "https"])
    seen: dict[str, str] = {}
    answers: dict[str, dict[str, str]] = {}
    for where, (item_id, _text, answer, note, evidence) in rows:
        if not item_id:
            problems.append(_("%(where)s: the ID is empty.") % {"where": where})
            continue
        if item_id not in known:
            problems.append(
                _("%(where)s: unknown ID “%(id)s”. It is not in ippo's catalog.")
                % {"where": where, "id": item_id}
            )
            continue
        if item_id not in valid:
            problems.append(
                _("%(where)s: “%(id)s” does not apply to the kinds of IT this assessment was made for.")
                % {"where": where, "id": item_id}
            )
            continue
        if item_id in seen:
            problems.append(
                _("%(where)s: “%(id)s” appears twice (also in %(first)s).")
                % {"where": where, "id": item_id, "first": seen[item_id]}
            )
            continue
        seen[item_id] = where
        if not answer:
            if note or evidence:
                problems.append(_("%(where)s: there is a note or link but no answer.") % {"where": where})
            continue
        value = aliases.get(answer.casefold())
        if value is None:
            problems.append(
                _("%(where)s: “%(answer)s” is not an answer. Use one of: %(answers)s.")
                % {
                    "where": where,
                    "answer": answer,
                    "answers": ", ".join(_answer_label(v) for v in Answer.Value.values),
                }
            )
            continue
        if evidence:
            try:
                url_ok(evidence)
            except ValidationError:
                problems.append(
                    _("%(where)s: the evidence link must start with https:// or http://.") % {"where": where}
                )
                continue
        if len(note) > 2000:
            problems.append(_("%(where)s: the note is longer than 2,000 characters.") % {"where": where})
            continue
        answers[item_id] = {"value": value, "note": note, "evidence_url": evidence}
    if not problems and not answers:
        problems.append(_("The file holds no answers."))
    if Assessment.objects.filter(organization=org, kind=kind, status=Assessment.Status.DRAFT).exists():
        problems.append(
            _(
                "There is already an assessment of this kind in progress. Complete or delete it before importing."
            )
        )
    if problems:
        raise ImportProblems(problems)
    assessment = Assessment.objects.create(
        organization=org,
        kind=kind,
        source=Assessment.Source.IMPORT,
        catalog_version=catalog.version,
        it_uses=it_uses,
        started_by=actor,
    )
    from ippo.assessments.services import answers_save

    answers_save(assessment=assessment, actor=actor, answers=answers)
    audit_record(
        action="assessment.imported",
        actor=actor,
        org=org,
        target=assessment,
        data={"kind": kind, "answers": len(answers), "file": getattr(upload, "name", "")[:100]},
    )
    return assessment
