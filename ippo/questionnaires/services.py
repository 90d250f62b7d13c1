"""Writes for partner questionnaires: upload, choose the columns, confirm matches (and remember them), export,
delete. Each is one transaction and records its audit event."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ippo.catalog.loader import catalog_get
from ippo.core.audit import audit_record
from ippo.core.models import Organization
from ippo.lib.text import quote
from ippo.questionnaires import exchange, matching, selectors
from ippo.questionnaires.models import DEFAULT_ANSWER_WORDS, QuestionMatch, Questionnaire, QuestionnaireItem

MAX_QUESTIONS = 2000
SUGGESTIONS = 3


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def questionnaire_upload(*, org: Organization, actor, name: str, filename: str, data: bytes) -> Questionnaire:
    """Check the workbook and keep it as it came, with a first guess of its columns. Raises
    exchange.FileProblems and saves nothing when the file cannot be used."""
    sheets = exchange.check_upload(filename, data)
    sheet, guess = exchange.first_guess(data, sheets)
    questionnaire = Questionnaire.objects.create(
        organization=org,
        name=(name or "").strip()[:200] or filename[:200],
        filename=filename[-255:],
        file_data=data,
        file_size=len(data),
        file_sha256=hashlib.sha256(data).hexdigest(),
        sheet=sheet.name,
        header_row=guess.header_row,
        question_col=guess.question_col,
        answer_col=guess.answer_col,
        remarks_col=guess.remarks_col,
        language=guess.language,
        answer_words=dict(DEFAULT_ANSWER_WORDS[guess.language]),
        created_by=_user(actor),
    )
    audit_record(
        action="questionnaire.uploaded",
        actor=actor,
        org=org,
        target=questionnaire,
        data={"file": filename[:100], "size": len(data), "sha256": questionnaire.file_sha256},
    )
    return questionnaire


def check_mapping(
    sheet: exchange.Sheet, *, header_row: int, question_col: int, answer_col: int, remarks_col: int | None
) -> list[tuple[int, str]]:
    """The questions the choice finds, or ValidationError naming the field at fault."""
    if not sheet.rows:
        raise ValidationError({"sheet": _("The sheet %(sheet)s is empty.") % {"sheet": quote(sheet.name)}})
    if sheet.too_many_rows:
        raise ValidationError(
            {"sheet": _("The sheet has more than %(max)s rows.") % {"max": f"{exchange.MAX_ROWS:,}"}}
        )
    last = exchange.column_letter(sheet.max_col)
    errors = {}
    if header_row > sheet.max_row:
        errors["header_row"] = _("The sheet ends at row %(last)s.") % {"last": sheet.max_row}
    if question_col > sheet.max_col:
        errors["question_col"] = _(
            "Column %(column)s is outside the sheet, which uses columns A to %(last)s."
        ) % {
            "column": exchange.column_letter(question_col),
            "last": last,
        }
    for name, col in (("answer_col", answer_col), ("remarks_col", remarks_col)):
        if col and col > sheet.max_col + exchange.EXTRA_COLUMNS:
            errors[name] = _(
                "Column %(column)s is too far right: the sheet uses columns A to %(last)s, and the answers "
                "may go at most %(extra)s columns further."
            ) % {"column": exchange.column_letter(col), "last": last, "extra": exchange.EXTRA_COLUMNS}
    if answer_col == question_col:
        errors["answer_col"] = _("The answers cannot go into the question column.")
    if remarks_col and remarks_col in (question_col, answer_col):
        errors["remarks_col"] = _("Choose a remarks column other than the question and answer columns.")
    if errors:
        raise ValidationError(errors)
    questions = sheet.questions(header_row, question_col)
    if not questions:
        raise ValidationError(
            {
                "question_col": _("Column %(column)s holds no questions below row %(row)s.")
                % {"column": exchange.column_letter(question_col), "row": header_row}
            }
        )
    if len(questions) > MAX_QUESTIONS:
        raise ValidationError(
            {"question_col": _("More than %(max)s questions were found.") % {"max": f"{MAX_QUESTIONS:,}"}}
        )
    return questions


def _valid_ids(control_ids) -> list[str]:
    known = {c.id for c in catalog_get().controls}
    seen: list[str] = []
    for cid in control_ids or ():
        if cid in known and cid not in seen:
            seen.append(cid)
    return seen


def _items_from(org: Organization, questionnaire: Questionnaire, questions: list[tuple[int, str]]):
    """New items for the questions, with suggestions; a question answered before (same normalised text)
    is pre-confirmed, and one close to a question answered before gets those controls suggested first."""
    index = matching.catalog_index()
    memories = list(QuestionMatch.objects.filter(organization=org).order_by("pk"))
    by_hash = {m.question_hash: m for m in memories}
    vectors = [(m, index.vector(m.question)) for m in memories if m.control_ids]
    items, remembered = [], 0
    for row, text in questions:
        text = text[:4000]
        memory = by_hash.get(matching.question_hash(text))
        near = None
        if memory is None and vectors:
            vector = index.vector(text)
            best = max(vectors, key=lambda pair: (matching.cosine(vector, pair[1]), -pair[0].pk))
            if matching.cosine(vector, best[1]) >= matching.NEAR:
                near = best[0]
        query = index.vector(matching.expand(text))
        suggestions = [
            {"id": cid, "score": round(index.score(query, cid), 6), "used_before": True}
            for cid in _valid_ids((memory or near).control_ids if (memory or near) else [])
        ]
        for cid, score in index.rank(text, SUGGESTIONS + len(suggestions)):
            if len(suggestions) >= SUGGESTIONS:
                break
            if cid not in {s["id"] for s in suggestions}:
                suggestions.append({"id": cid, "score": score, "used_before": False})
        item = QuestionnaireItem(
            organization=org, questionnaire=questionnaire, row=row, question=text, suggestions=suggestions
        )
        if memory is not None:
            item.control_ids = _valid_ids(memory.control_ids)
            item.no_match = memory.no_match and not item.control_ids
            item.from_memory = bool(item.control_ids) or item.no_match
            remembered += item.from_memory
        items.append(item)
    return items, remembered


@transaction.atomic
def questionnaire_map(
    *,
    questionnaire: Questionnaire,
    actor,
    sheet: exchange.Sheet,
    header_row: int,
    question_col: int,
    answer_col: int,
    remarks_col: int | None,
    language: str,
    answer_words: Mapping[str, str],
) -> int:
    """Save where the questions and answers are and list the questions. The list is built again only when
    the sheet, heading row or question column change (confirmed matches come back from memory then)."""
    questions = check_mapping(
        sheet,
        header_row=header_row,
        question_col=question_col,
        answer_col=answer_col,
        remarks_col=remarks_col,
    )
    org = questionnaire.organization
    rebuild = questionnaire.status == Questionnaire.Status.MAPPING or (
        questionnaire.sheet,
        questionnaire.header_row,
        questionnaire.question_col,
    ) != (sheet.name, header_row, question_col)
    questionnaire.sheet = sheet.name
    questionnaire.header_row = header_row
    questionnaire.question_col = question_col
    questionnaire.answer_col = answer_col
    questionnaire.remarks_col = remarks_col or None
    questionnaire.language = language
    defaults = DEFAULT_ANSWER_WORDS[language]
    # Empty, or another language's default word (the language was switched): this language's default.
    others = {
        k: {words[k] for lang, words in DEFAULT_ANSWER_WORDS.items() if lang != language} for k in defaults
    }
    questionnaire.answer_words = {}
    for key, default in defaults.items():
        word = (answer_words.get(key) or "").strip()[:50]
        questionnaire.answer_words[key] = default if not word or word in others[key] else word
    questionnaire.status = Questionnaire.Status.REVIEW
    questionnaire.full_clean(exclude=["file_data", "organization"])
    questionnaire.save()
    remembered = 0
    if rebuild:
        QuestionnaireItem.objects.filter(organization=org, questionnaire=questionnaire).delete()
        items, remembered = _items_from(org, questionnaire, questions)
        QuestionnaireItem.objects.bulk_create(items)
    audit_record(
        action="questionnaire.mapped",
        actor=actor,
        org=org,
        target=questionnaire,
        data={
            "sheet": sheet.name[:100],
            "questions": len(questions),
            "rebuilt": rebuild,
            "remembered": remembered,
            "columns": {
                "question": question_col,
                "answer": answer_col,
                "remarks": remarks_col or None,
                "header_row": header_row,
            },
        },
    )
    return len(questions)


@dataclass(frozen=True)
class ItemChange:
    control_ids: list[str]
    no_match: bool = False
    override_answer: str = ""
    override_remark: str = ""


def _remember(org: Organization, actor, decisions: dict[str, tuple[str, list[str], bool]]) -> None:
    """Store the latest decision for each question: its controls, or "no matching control"; a question
    whose confirmation was taken back is forgotten."""
    existing = {
        m.question_hash: m
        for m in QuestionMatch.objects.filter(organization=org, question_hash__in=list(decisions))
    }
    to_create, to_update, to_forget = [], [], []
    now = timezone.now()
    for key, (text, control_ids, no_match) in decisions.items():
        memory = existing.get(key)
        if not control_ids and not no_match:
            if memory is not None:
                to_forget.append(memory.pk)
            continue
        if memory is None:
            to_create.append(
                QuestionMatch(
                    organization=org,
                    question_hash=key,
                    question=text,
                    control_ids=control_ids,
                    no_match=no_match,
                    updated_by=_user(actor),
                )
            )
        else:
            memory.question, memory.control_ids, memory.no_match = text, control_ids, no_match
            memory.times_confirmed += 1
            memory.updated_at, memory.updated_by = now, _user(actor)
            to_update.append(memory)
    QuestionMatch.objects.bulk_create(to_create)
    QuestionMatch.objects.bulk_update(
        to_update, ["question", "control_ids", "no_match", "times_confirmed", "updated_at", "updated_by"]
    )
    if to_forget:
        QuestionMatch.objects.filter(organization=org, pk__in=to_forget).delete()


@transaction.atomic
def items_save(*, questionnaire: Questionnaire, actor, changes: Mapping[int, ItemChange]) -> int:
    """Save the confirmed controls and typed answers of several questions at once, remember the
    confirmations for the next questionnaire, and record one audit event for the batch. Returns how many
    questions changed."""
    org = questionnaire.organization
    items = {
        i.pk: i
        for i in QuestionnaireItem.objects.filter(
            organization=org, questionnaire=questionnaire, pk__in=list(changes)
        )
    }
    changed: list[QuestionnaireItem] = []
    decisions: dict[str, tuple[str, list[str], bool]] = {}
    counts = {"confirmed": 0, "no_match": 0, "cleared": 0, "overrides": 0}
    for pk, change in changes.items():
        item = items.get(pk)
        if item is None:
            continue
        control_ids = _valid_ids(change.control_ids)
        no_match = bool(change.no_match) and not control_ids
        answer = (change.override_answer or "").strip()[:200]
        remark = (change.override_remark or "").strip()[:2000]
        matches_changed = control_ids != item.control_ids or no_match != item.no_match
        overrides_changed = (answer, remark) != (item.override_answer, item.override_remark)
        if not matches_changed and not overrides_changed:
            continue
        if matches_changed:
            item.control_ids, item.no_match, item.from_memory = control_ids, no_match, False
            decisions[matching.question_hash(item.question)] = (item.question, control_ids, no_match)
            key = "confirmed" if control_ids else "no_match" if no_match else "cleared"
            counts[key] += 1
        if overrides_changed:
            item.override_answer, item.override_remark = answer, remark
            counts["overrides"] += 1
        changed.append(item)
    if not changed:
        return 0
    now = timezone.now()
    for item in changed:
        item.updated_at = now
    QuestionnaireItem.objects.bulk_update(
        changed,
        ["control_ids", "no_match", "from_memory", "override_answer", "override_remark", "updated_at"],
    )
    _remember(org, actor, decisions)
    audit_record(
        action="questionnaire.matches_confirmed",
        actor=actor,
        org=org,
        target=questionnaire,
        data={**counts, "rows": sorted(i.row for i in changed)[:200]},
    )
    return len(changed)


def questionnaire_accept_high(*, questionnaire: Questionnaire, actor) -> int:
    """Confirm the first suggestion of every question not confirmed yet whose first suggestion is a high
    match or was used before."""
    changes = {}
    for item in QuestionnaireItem.objects.filter(
        organization=questionnaire.organization, questionnaire=questionnaire, no_match=False, control_ids=[]
    ):
        top = item.suggestions[0] if item.suggestions else None
        if top and (top.get("used_before") or matching.strength(top.get("score", 0)) == "high"):
            changes[item.pk] = ItemChange(
                control_ids=[top["id"]],
                override_answer=item.override_answer,
                override_remark=item.override_remark,
            )
    return items_save(questionnaire=questionnaire, actor=actor, changes=changes) if changes else 0


@dataclass(frozen=True)
class Export:
    data: bytes
    written: int
    skipped: int


@transaction.atomic
def questionnaire_export(*, questionnaire: Questionnaire, actor) -> Export:
    """The buyer's original workbook with today's answers written into the chosen columns."""
    rows = selectors.questionnaire_rows(questionnaire)
    cells = selectors.export_cells(questionnaire, rows)
    data, skipped = exchange.write_answers(bytes(questionnaire.file_data), questionnaire.sheet, cells)
    questionnaire.exported_at = timezone.now()
    questionnaire.save(update_fields=["exported_at"])
    audit_record(
        action="questionnaire.exported",
        actor=actor,
        org=questionnaire.organization,
        target=questionnaire,
        data={
            "answers": sum(1 for r in rows if r.answer),
            "cells": len(cells) - skipped,
            "skipped": skipped,
            "file": questionnaire.filename[:100],
        },
    )
    return Export(data=data, written=len(cells) - skipped, skipped=skipped)


@transaction.atomic
def questionnaire_delete(*, questionnaire: Questionnaire, actor) -> None:
    """Delete the questionnaire and its questions. The remembered matches stay: they belong to the
    organisation, not to one buyer."""
    audit_record(
        action="questionnaire.deleted",
        actor=actor,
        org=questionnaire.organization,
        target=questionnaire,
        data={"name": questionnaire.name[:100], "file": questionnaire.filename[:100]},
    )
    questionnaire.delete()
