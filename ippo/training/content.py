"""Load, validate and grade ippo's bilingual training modules (``data/modules/*.yaml``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ippo.lib.yaml_lines import LineMap, yaml_load_lines

DATA_DIR = Path(__file__).resolve().parent / "data" / "modules"
LANGUAGES = ("ja", "en")
MODULE_KEYS = {"id", "version", "minutes", "controls", "title", "summary", "sections", "quiz"}


class ContentError(Exception):
    """Raised with every problem found, one ``path:LINE: message`` per line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("training content is invalid:\n" + "\n".join(problems))


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


class _Check:
    def __init__(self, rel: str, problems: list[str]):
        self.rel = rel
        self.problems = problems

    def error(self, node: Any, where: str, message: str) -> None:
        line = getattr(node, "line", 0)
        prefix = f"{self.rel}:{line}" if line else self.rel
        self.problems.append(f"{prefix}: {where}: {message}")

    def text(self, parent: Any, key: str, where: str) -> Text | None:
        value = parent.get(key) if isinstance(parent, dict) else None
        if not isinstance(value, dict):
            self.error(parent, where, f"{key!r} must be a mapping with 'ja' and 'en'")
            return None
        ok = True
        for lang in LANGUAGES:
            v = value.get(lang)
            if not isinstance(v, str) or not v.strip():
                self.error(value, where, f"{key}.{lang} is missing or empty")
                ok = False
        extra = set(value) - set(LANGUAGES)
        if extra:
            self.error(value, where, f"{key}: unknown keys {sorted(extra)}")
        return Text(value["ja"].strip(), value["en"].strip()) if ok else None

    def text_list(self, parent: dict, key: str, where: str, *, required: bool) -> TextList | None:
        value = parent.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, dict):
            self.error(parent, where, f"{key!r} must be a mapping with 'ja' and 'en' lists")
            return None
        lists = {}
        for lang in LANGUAGES:
            items = value.get(lang)
            if not isinstance(items, list) or not items:
                self.error(value, where, f"{key}.{lang} is missing or empty")
                continue
            bad = [i for i, v in enumerate(items, 1) if not isinstance(v, str) or not v.strip()]
            if bad:
                self.error(items, where, f"{key}.{lang} item(s) {bad} empty or not text")
                continue
            lists[lang] = tuple(v.strip() for v in items)
        if len(lists) != 2:
            return None
        if len(lists["ja"]) != len(lists["en"]):
            self.error(
                value, where, f"{key}: {len(lists['ja'])} Japanese but {len(lists['en'])} English items"
            )
            return None
        return TextList(lists["ja"], lists["en"])

    def integer(self, parent: dict, key: str, where: str, low: int, high: int) -> int | None:
        v = parent.get(key)
        if not isinstance(v, int) or isinstance(v, bool) or not low <= v <= high:
            self.error(parent, where, f"{key} must be a whole number from {low} to {high}, got {v!r}")
            return None
        return v


def _load_module(data: Any, rel: str, problems: list[str], control_ids: set[str] | None) -> Module | None:
    c = _Check(rel, problems)
    before = len(problems)
    if not isinstance(data, dict):
        c.error(data, "module", "the file must be a mapping")
        return None
    mid = data.get("id")
    where = f"module {mid!r}"
    if not isinstance(mid, str) or not mid:
        c.error(data, where, "id is missing")
    elif Path(rel).stem != mid:
        c.error(data, where, f"id must match the file name {Path(rel).stem!r}")
    extra = set(data) - MODULE_KEYS
    if extra:
        c.error(data, where, f"unknown keys {sorted(extra)}")
    version = c.integer(data, "version", where, 1, 10_000)
    minutes = c.integer(data, "minutes", where, 3, 15)
    controls = data.get("controls")
    if not isinstance(controls, list) or not controls or not all(isinstance(x, str) for x in controls):
        c.error(data, where, "controls must be a non-empty list of control ids")
        controls = []
    else:
        if len(set(controls)) != len(controls):
            c.error(controls, where, "duplicate control ids")
        if control_ids is not None:
            for cid in controls:
                if cid not in control_ids:
                    c.error(controls, where, f"unknown control id {cid!r} (not in the catalog)")
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


def _catalog_control_ids() -> set[str]:
    from ippo.catalog.loader import catalog_get  # lazy: needs Django settings

    return {c.id for c in catalog_get().controls}


def modules_load(data_dir: Path | str | None = None, *, control_ids: set[str] | None = None) -> list[Module]:
    """Load every module in ``data_dir`` (default: the shipped modules), sorted by id.

    ``control_ids`` defaults to the ids in the catalog. Raises ContentError listing every problem.
    """
    base = Path(data_dir) if data_dir is not None else DATA_DIR
    if control_ids is None:
        control_ids = _catalog_control_ids()
    problems: list[str] = []
    modules: list[Module] = []
    files = sorted(base.glob("*.yaml"))
    if not files:
        problems.append(f"{base}: no module files (*.yaml)")
    seen: dict[str, str] = {}
    for path in files:
        rel = path.name if data_dir is not None else f"ippo/training/data/modules/{path.name}"
        try:
            data = yaml_load_lines(path)
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f":{mark.line + 1}" if mark else ""
            problems.append(f"{rel}{line}: cannot read: {getattr(exc, 'problem', None) or exc}")
            continue
        module = _load_module(data, rel, problems, control_ids)
        if module is None:
            continue
        if module.id in seen:
            problems.append(f"{rel}: module {module.id!r}: duplicate module id (also in {seen[module.id]})")
            continue
        seen[module.id] = rel
        modules.append(module)
    if problems:
        raise ContentError(problems)
    return sorted(modules, key=lambda m: m.id)


def quiz_grade(module: Module, answers: dict[str, str]) -> tuple[int, bool, dict[str, bool]]:
    """Grade answers ``{question_id: choice_id}`` on the server: (score %, passed, correct per question)."""
    per_question = {q.id: answers.get(q.id) == q.answer for q in module.questions}
    total = len(per_question)
    score = round(100 * sum(per_question.values()) / total) if total else 0
    return score, score >= module.pass_mark, per_question
