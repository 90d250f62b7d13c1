"""Load, validate and grade ippo's bilingual training modules (``data/modules/*.yaml``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ippo.lib import content
from ippo.lib.yaml_lines import LineMap

DATA_DIR = Path(__file__).resolve().parent / "data" / "modules"
LANGUAGES = content.LANGUAGES
MODULE_KEYS = {"id", "version", "minutes", "controls", "title", "summary", "sections", "quiz"}


class ContentError(content.ContentError):
    """Raised with every problem found, one ``path:LINE: message`` per line."""

    heading = "training content is invalid"


@dataclass(frozen=True)
class Text:
    ja: str
    en: str


@dataclass(frozen=True)
class TextList:
    ja: tuple[str, ...]
    en: tuple[str, ...]


@dataclass(frozen=True)
class Section:
    heading: Text
    body: TextList
    points: TextList | None


@dataclass(frozen=True)
class Choice:
    id: str
    text: Text


@dataclass(frozen=True)
class Question:
    id: str
    text: Text
    choices: tuple[Choice, ...]
    answer: str
    explanation: Text


@dataclass(frozen=True)
class Module:
    id: str
    version: int
    minutes: int
    controls: tuple[str, ...]
    title: Text
    summary: Text
    sections: tuple[Section, ...]
    pass_mark: int
    questions: tuple[Question, ...]

    def reading_chars(self, lang: str = "ja") -> int:
        """Characters a learner reads in one language: summary, sections and quiz."""
        parts = [getattr(self.summary, lang)]
        for s in self.sections:
            parts += [getattr(s.heading, lang), *getattr(s.body, lang)]
            if s.points:
                parts += getattr(s.points, lang)
        for q in self.questions:
            parts += [getattr(q.text, lang), getattr(q.explanation, lang)]
            parts += [getattr(c.text, lang) for c in q.choices]
        return sum(len(p) for p in parts)


# --- Validation -------------------------------------------------------------------------------------------


class _Check(content.Check):
    text_type = Text
    text_list_type = TextList


def _load_module(data: Any, rel: str, problems: list[str], control_ids: set[str] | None) -> Module | None:
    c = _Check(rel, problems)
    before = len(problems)
    mid = data.get("id")
    where = f"module {mid!r}"
    c.file_id(data, where)
    c.keys(data, MODULE_KEYS, where)
    version = c.integer(data, "version", where, 1, 10_000)
    minutes = c.integer(data, "minutes", where, 3, 15)
    controls = c.controls(data, where, control_ids)
    title = c.text(data, "title", where)
    summary = c.text(data, "summary", where)

    sections: list[Section] = []
    raw_sections = data.get("sections")
    if not isinstance(raw_sections, list) or not 3 <= len(raw_sections) <= 6:
        c.error(data, where, "sections must be a list of 3 to 6 sections")
        raw_sections = raw_sections if isinstance(raw_sections, list) else []
    for n, s in enumerate(raw_sections, 1):
        sw = f"{where} section {n}"
        if not isinstance(s, dict):
            c.error(raw_sections, sw, "a section must be a mapping")
            continue
        extra = set(s) - {"heading", "body", "points"}
        if extra:
            c.error(s, sw, f"unknown keys {sorted(extra)}")
        heading = c.text(s, "heading", sw)
        body = c.text_list(s, "body", sw, required=True)
        points = c.text_list(s, "points", sw, required=False)
        if heading and body:
            sections.append(Section(heading, body, points))

    questions: list[Question] = []
    pass_mark = None
    quiz = data.get("quiz")
    if not isinstance(quiz, dict):
        c.error(data, where, "quiz must be a mapping with pass_mark and questions")
        quiz = LineMap()
    else:
        pass_mark = c.integer(quiz, "pass_mark", where, 1, 100)
    raw_qs = quiz.get("questions")
    if not isinstance(raw_qs, list) or len(raw_qs) < 5:
        c.error(quiz, where, "quiz needs at least 5 questions")
        raw_qs = raw_qs if isinstance(raw_qs, list) else []
    seen_q: set[str] = set()
    for q in raw_qs:
        if not isinstance(q, dict):
            c.error(raw_qs, where, "a question must be a mapping")
            continue
        qid = q.get("id")
        qw = f"{where} question {qid!r}"
        if not isinstance(qid, str) or not qid:
            c.error(q, qw, "question id is missing")
        elif qid in seen_q:
            c.error(q, qw, "duplicate question id")
        else:
            seen_q.add(qid)
        extra = set(q) - {"id", "text", "choices", "answer", "explanation"}
        if extra:
            c.error(q, qw, f"unknown keys {sorted(extra)}")
        qtext = c.text(q, "text", qw)
        explanation = c.text(q, "explanation", qw)
        raw_choices = q.get("choices")
        choices: list[Choice] = []
        if not isinstance(raw_choices, list) or not 3 <= len(raw_choices) <= 4:
            c.error(q, qw, "a question needs 3 to 4 choices")
            raw_choices = raw_choices if isinstance(raw_choices, list) else []
        seen_c: set[str] = set()
        for ch in raw_choices:
            if not isinstance(ch, dict):
                c.error(raw_choices, qw, "a choice must be a mapping")
                continue
            cid = ch.get("id")
            if not isinstance(cid, str) or not cid:
                c.error(ch, qw, "choice id is missing")
                continue
            if cid in seen_c:
                c.error(ch, qw, f"duplicate choice id {cid!r}")
            seen_c.add(cid)
            langs = {lang: ch.get(lang) for lang in LANGUAGES}
            missing = [lang for lang, v in langs.items() if not isinstance(v, str) or not v.strip()]
            if missing:
                c.error(ch, qw, f"choice {cid!r}: {'/'.join(missing)} text is missing or empty")
                continue
            choices.append(Choice(cid, Text(langs["ja"].strip(), langs["en"].strip())))
        answer = q.get("answer")
        if answer not in seen_c:
            c.error(q, qw, f"answer {answer!r} is not one of the choice ids {sorted(seen_c)}")
        if isinstance(qid, str) and qtext and explanation:
            questions.append(Question(qid, qtext, tuple(choices), str(answer), explanation))

    if len(problems) > before:
        return None
    return Module(
        id=mid,
        version=version,
        minutes=minutes,
        controls=tuple(controls),
        title=title,
        summary=summary,
        sections=tuple(sections),
        pass_mark=pass_mark,
        questions=tuple(questions),
    )


def modules_load(data_dir: Path | str | None = None, *, control_ids: set[str] | None = None) -> list[Module]:
    """Load every module in ``data_dir`` (default: the shipped modules), sorted by id.

    ``control_ids`` defaults to the ids in the catalog. Raises ContentError listing every problem.
    """
    if control_ids is None:
        control_ids = content.catalog_control_ids()
    modules = content.load_dir(
        data_dir,
        lambda data, rel, problems: _load_module(data, rel, problems, control_ids),
        ContentError,
        default_dir=DATA_DIR,
        default_rel="ippo/training/data/modules",
        noun="module",
    )
    return sorted(modules, key=lambda m: m.id)


def quiz_grade(module: Module, answers: dict[str, str]) -> tuple[int, bool, dict[str, bool]]:
    """Grade answers ``{question_id: choice_id}`` on the server: (score %, passed, correct per question)."""
    per_question = {q.id: answers.get(q.id) == q.answer for q in module.questions}
    total = len(per_question)
    score = round(100 * sum(per_question.values()) / total) if total else 0
    return score, score >= module.pass_mark, per_question
