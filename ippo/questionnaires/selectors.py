"""Reads for questionnaires: each question with its suggestions and its answer, derived from control status
and evidence when it is read (so answers follow control status), in a fixed number of queries."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from ippo.catalog.loader import catalog_get
from ippo.core.models import Organization
from ippo.program.models import ControlStatus, Evidence
from ippo.questionnaires import matching
from ippo.questionnaires.models import Questionnaire, QuestionnaireItem

STATUS_ORDER = ("implemented", "partial", "not_implemented", "unknown")


def questionnaires_for_list(org: Organization):
    """Every questionnaire with its question counts, without the file (one query)."""
    todo = Q(items__no_match=False, items__control_ids=[])
    return (
        Questionnaire.objects.filter(organization=org)
        .defer("file_data")
        .select_related("created_by")
        .annotate(total=Count("items"), todo=Count("items", filter=todo))
        .annotate(confirmed=F("total") - F("todo"))
        .order_by("-created_at", "-pk")
    )


def questionnaire_get(org: Organization, pk: int, *, with_file: bool = False):
    qs = Questionnaire.objects.filter(organization=org)
    return qs.get(pk=pk) if with_file else qs.defer("file_data").get(pk=pk)


@dataclass(frozen=True)
class Derived:
    """The answer that control status gives: status key (None without confirmed controls), the word in the
    questionnaire's language, and a remark naming the newest evidence."""

    status: str | None
    answer: str
    remark: str


def derive(
    control_ids: list[str],
    statuses: dict[str, str],
    evidence: dict[str, tuple[str, date]],
    words: dict[str, str],
    language: str,
) -> Derived:
    """Pure: one answer from the statuses of the confirmed controls. All in place → implemented; none in
    place → not implemented; any not known yet → unknown; a mix → partial."""
    if not control_ids:
        return Derived(None, "", "")
    found = [statuses.get(cid, ControlStatus.Status.UNKNOWN) for cid in control_ids]
    if ControlStatus.Status.UNKNOWN in found:
        status = "unknown"
    elif all(s == ControlStatus.Status.IMPLEMENTED for s in found):
        status = "implemented"
    elif all(s == ControlStatus.Status.NOT_IMPLEMENTED for s in found):
        status = "not_implemented"
    else:
        status = "partial"
    newest = max((evidence[cid] for cid in control_ids if cid in evidence), key=lambda e: e[1], default=None)
    remark = ""
    if newest is not None:
        with translation.override(language):
            remark = _("Evidence: %(title)s (%(date)s)") % {"title": newest[0], "date": newest[1].isoformat()}
    return Derived(status, words[status], remark)


STRENGTH_LABELS = {
    "high": pgettext_lazy("match", "High match"),
    "medium": pgettext_lazy("match", "Medium match"),
    "low": pgettext_lazy("match", "Low match"),
}


@dataclass
class Suggestion:
    control: object
    score: float
    strength: str
    used_before: bool
    checked: bool

    @property
    def strength_label(self) -> str:
        return str(STRENGTH_LABELS[self.strength])


@dataclass
class Row:
    item: QuestionnaireItem
    suggestions: list[Suggestion]
    others: list[object]  # confirmed controls that were not among the suggestions
    derived: Derived
    answer: str
    remark: str
    state: str  # "todo" | "confirmed" | "no_match"


def _statuses_and_evidence(org_id: int, control_ids: set[str]):
    """Control status and the newest evidence (title, date) of each control (two queries)."""
    ids = sorted(control_ids)
    statuses = dict(
        ControlStatus.objects.filter(organization_id=org_id, control_id__in=ids).values_list(
            "control_id", "status"
        )
    )
    evidence: dict[str, tuple[str, date]] = {}
    for control_id, title, performed_on in (
        Evidence.objects.filter(organization_id=org_id, control_id__in=ids)
        .order_by("control_id", "-performed_on", "-pk")
        .values_list("control_id", "title", "performed_on")
    ):
        evidence.setdefault(control_id, (title, performed_on))
    return statuses, evidence


def item_state(item: QuestionnaireItem) -> str:
    if item.control_ids:
        return "confirmed"
    return "no_match" if item.no_match else "todo"


def rows_for(questionnaire: Questionnaire, items: list[QuestionnaireItem]) -> list[Row]:
    """Each item with its suggestions and derived answer (two queries, whatever the number of items)."""
    catalog = catalog_get()
    known = {c.id: c for c in catalog.controls}
    statuses, evidence = _statuses_and_evidence(
        questionnaire.organization_id, {cid for item in items for cid in item.control_ids}
    )
    words = questionnaire.words()
    rows = []
    for item in items:
        confirmed = [cid for cid in item.control_ids if cid in known]
        suggestions = [
            Suggestion(
                control=known[s["id"]],
                score=s.get("score", 0),
                strength=matching.strength(s.get("score", 0)),
                used_before=bool(s.get("used_before")),
                checked=s["id"] in confirmed,
            )
            for s in item.suggestions
            if s.get("id") in known
        ]
        suggested = {s.control.id for s in suggestions}
        derived = derive(confirmed, statuses, evidence, words, questionnaire.language)
        rows.append(
            Row(
                item=item,
                suggestions=suggestions,
                others=[known[cid] for cid in confirmed if cid not in suggested],
                derived=derived,
                answer=item.override_answer or derived.answer,
                remark=item.override_remark or derived.remark,
                state=item_state(item),
            )
        )
    return rows


def questionnaire_rows(questionnaire: Questionnaire, *, show: str = "all") -> list[Row]:
    """The review page's rows (three queries). `show`: "all" or "todo" (not yet confirmed)."""
    items = QuestionnaireItem.objects.filter(
        organization_id=questionnaire.organization_id, questionnaire=questionnaire
    )
    if show == "todo":
        items = items.filter(no_match=False, control_ids=[])
    return rows_for(questionnaire, list(items.order_by("row", "pk")))


@dataclass(frozen=True)
class Summary:
    total: int
    confirmed: int
    no_match: int
    todo: int
    answers: list[tuple[str, str, int]]  # (status, word, count)
    overridden: int


def summary(questionnaire: Questionnaire, rows: list[Row]) -> Summary:
    states = Counter(r.state for r in rows)
    derived = Counter(r.derived.status for r in rows if r.derived.status and not r.item.override_answer)
    words = questionnaire.words()
    return Summary(
        total=len(rows),
        confirmed=states["confirmed"],
        no_match=states["no_match"],
        todo=states["todo"],
        answers=[(s, words[s], derived[s]) for s in STATUS_ORDER],
        overridden=sum(1 for r in rows if r.item.override_answer),
    )


def export_cells(questionnaire: Questionnaire, rows: list[Row]) -> list[tuple[int, int, str]]:
    """The cells the export writes: each answer, and each remark when there is a remarks column."""
    cells = []
    for r in rows:
        if r.answer:
            cells.append((r.item.row, questionnaire.answer_col, r.answer))
        if questionnaire.remarks_col and r.remark:
            cells.append((r.item.row, questionnaire.remarks_col, r.remark))
    return cells
