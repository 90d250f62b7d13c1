"""Load and validate ippo's bilingual tabletop-exercise scenarios (``data/scenarios/*.yaml``).

A scenario is a situation manual in our own words: a short briefing, timed injects (minute offset, what
happens, an optional handout) with questions per role, and points the facilitator can listen for. The
points are prompts for discussion, never a grading key. Problems are reported as ``path:LINE: message``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ippo.lib.yaml_lines import yaml_load_lines

DATA_DIR = Path(__file__).resolve().parent / "data" / "scenarios"
LANGUAGES = ("ja", "en")
SCENARIO_KEYS = {
    "id",
    "version",
    "minutes",
    "controls",
    "title",
    "summary",
    "briefing",
    "objectives",
    "injects",
}
INJECT_KEYS = {"id", "minute", "title", "narrative", "handout", "questions", "discussion_points"}

# The players, by function (NCSC Exercise in a Box, IPA's SME exercise): every scenario asks each of them.
ROLES = ("owner", "it", "general_affairs", "staff", "vendor")
ROLE_LABELS = {
    "owner": _("Owner (executive)"),
    "it": _("IT lead"),
    "general_affairs": _("General affairs and PR"),
    "staff": _("Staff"),
    "vendor": _("Outsourced IT vendor"),
}


class ContentError(Exception):
    """Raised with every problem found, one ``path:LINE: message`` per line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("tabletop scenarios are invalid:\n" + "\n".join(problems))


def _lang() -> str:
    return "en" if (get_language() or "ja").startswith("en") else "ja"


@dataclass(frozen=True)
class Text:
    ja: str
    en: str

    def __str__(self) -> str:
        return getattr(self, _lang())


@dataclass(frozen=True)
class TextList:
    ja: tuple[str, ...]
    en: tuple[str, ...]

    def __iter__(self):
        return iter(getattr(self, _lang()))

    def __len__(self) -> int:
        return len(self.ja)


@dataclass(frozen=True)
class RoleQuestions:
    role: str
    questions: TextList

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self.role])


@dataclass(frozen=True)
class Inject:
    id: str
    number: int
    minute: int
    title: Text
    narrative: Text
    handout: Text | None
    questions: tuple[RoleQuestions, ...]
    discussion_points: TextList


@dataclass(frozen=True)
class Scenario:
    id: str
    version: int
    minutes: int
    controls: tuple[str, ...]
    title: Text
    summary: Text
    briefing: TextList
    objectives: TextList
    injects: tuple[Inject, ...]

    def inject(self, inject_id: str) -> Inject | None:
        return next((i for i in self.injects if i.id == inject_id), None)

    def roles(self) -> tuple[str, ...]:
        """The roles asked at least one question, in the standard order."""
        asked = {q.role for i in self.injects for q in i.questions}
        return tuple(r for r in ROLES if r in asked)


# --- Validation -------------------------------------------------------------------------------------------


class _Check:
    def __init__(self, rel: str, problems: list[str]):
        self.rel = rel
        self.problems = problems

    def error(self, node: Any, where: str, message: str) -> None:
        line = getattr(node, "line", 0)
        prefix = f"{self.rel}:{line}" if line else self.rel
        self.problems.append(f"{prefix}: {where}: {message}")

    def keys(self, node: dict, allowed: set[str], where: str) -> None:
        extra = set(node) - allowed
        if extra:
            self.error(node, where, f"unknown keys {sorted(extra)}")

    def text(self, parent: Any, key: str, where: str, *, required: bool = True) -> Text | None:
        value = parent.get(key) if isinstance(parent, dict) else None
        if value is None and not required:
            return None
        if not isinstance(value, dict):
            self.error(parent, where, f"{key!r} must be a mapping with 'ja' and 'en'")
            return None
        ok = True
        for lang in LANGUAGES:
            v = value.get(lang)
            if not isinstance(v, str) or not v.strip():
                self.error(value, where, f"{key}.{lang} is missing or empty")
                ok = False
        self.keys(value, set(LANGUAGES), f"{where} {key}")
        return Text(value["ja"].strip(), value["en"].strip()) if ok else None

    def text_list(self, parent: Any, key: str, where: str) -> TextList | None:
        value = parent.get(key) if isinstance(parent, dict) else None
        if not isinstance(value, dict):
            self.error(parent, where, f"{key!r} must be a mapping with 'ja' and 'en' lists")
            return None
        self.keys(value, set(LANGUAGES), f"{where} {key}")
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


def _load_inject(raw: Any, number: int, c: _Check, where: str, minutes: int | None) -> Inject | None:
    before = len(c.problems)
    if not isinstance(raw, dict):
        c.error(raw, where, "an inject must be a mapping")
        return None
    iid = raw.get("id")
    iw = f"{where} inject {iid!r}"
    if not isinstance(iid, str) or not iid.strip():
        c.error(raw, iw, "inject id is missing")
    c.keys(raw, INJECT_KEYS, iw)
    minute = c.integer(raw, "minute", iw, 0, (minutes or 240) - 1)
    title = c.text(raw, "title", iw)
    narrative = c.text(raw, "narrative", iw)
    handout = c.text(raw, "handout", iw, required=False)
    points = c.text_list(raw, "discussion_points", iw)
    raw_q = raw.get("questions")
    questions: list[RoleQuestions] = []
    if not isinstance(raw_q, dict) or not raw_q:
        c.error(raw, iw, f"questions must be a mapping of role to questions (roles: {', '.join(ROLES)})")
    else:
        for role in raw_q:
            if role not in ROLES:
                c.error(raw_q, iw, f"unknown role {role!r} (roles: {', '.join(ROLES)})")
                continue
            tl = c.text_list(raw_q, role, f"{iw} questions")
            if tl:
                questions.append(RoleQuestions(role, tl))
        questions.sort(key=lambda q: ROLES.index(q.role))
    if len(c.problems) > before:
        return None
    return Inject(iid, number, minute, title, narrative, handout, tuple(questions), points)


def _load_scenario(data: Any, rel: str, problems: list[str], control_ids: set[str] | None) -> Scenario | None:
    c = _Check(rel, problems)
    before = len(problems)
    if not isinstance(data, dict):
        c.error(data, "scenario", "the file must be a mapping")
        return None
    sid = data.get("id")
    where = f"scenario {sid!r}"
    if not isinstance(sid, str) or not sid:
        c.error(data, where, "id is missing")
    elif Path(rel).stem != sid:
        c.error(data, where, f"id must match the file name {Path(rel).stem!r}")
    c.keys(data, SCENARIO_KEYS, where)
    version = c.integer(data, "version", where, 1, 10_000)
    minutes = c.integer(data, "minutes", where, 30, 240)
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
    briefing = c.text_list(data, "briefing", where)
    objectives = c.text_list(data, "objectives", where)

    raw_injects = data.get("injects")
    if not isinstance(raw_injects, list) or not 3 <= len(raw_injects) <= 12:
        c.error(data, where, "injects must be a list of 3 to 12 injects")
        raw_injects = raw_injects if isinstance(raw_injects, list) else []
    injects: list[Inject] = []
    seen: set[str] = set()
    last_minute = -1
    for n, raw in enumerate(raw_injects, 1):
        inject = _load_inject(raw, n, c, where, minutes)
        if inject is None:
            continue
        if inject.id in seen:
            c.error(raw, where, f"duplicate inject id {inject.id!r}")
        seen.add(inject.id)
        if inject.minute <= last_minute:
            c.error(raw, f"{where} inject {inject.id!r}", "injects must be in time order (minute goes up)")
        last_minute = inject.minute
        injects.append(inject)
    if injects and len(problems) == before:
        asked = {q.role for i in injects for q in i.questions}
        missing = [r for r in ROLES if r not in asked]
        if missing:
            c.error(raw_injects, where, f"no questions for role(s) {missing}: every role needs at least one")
    if len(problems) > before:
        return None
    return Scenario(
        id=sid,
        version=version,
        minutes=minutes,
        controls=tuple(controls),
        title=title,
        summary=summary,
        briefing=briefing,
        objectives=objectives,
        injects=tuple(injects),
    )


def _catalog_control_ids() -> set[str]:
    from ippo.catalog.loader import catalog_get  # lazy: needs Django settings

    return {c.id for c in catalog_get().controls}


def scenarios_load(
    data_dir: Path | str | None = None, *, control_ids: set[str] | None = None
) -> list[Scenario]:
    """Load every scenario in ``data_dir`` (default: the shipped ones), sorted by file name.

    ``control_ids`` defaults to the ids in the catalog. Raises ContentError listing every problem.
    """
    base = Path(data_dir) if data_dir is not None else DATA_DIR
    if control_ids is None:
        control_ids = _catalog_control_ids()
    problems: list[str] = []
    scenarios: list[Scenario] = []
    files = sorted(base.glob("*.yaml"))
    if not files:
        problems.append(f"{base}: no scenario files (*.yaml)")
    for path in files:
        rel = path.name if data_dir is not None else f"ippo/tabletop/data/scenarios/{path.name}"
        try:
            data = yaml_load_lines(path)
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f":{mark.line + 1}" if mark else ""
            problems.append(f"{rel}{line}: cannot read: {getattr(exc, 'problem', None) or exc}")
            continue
        scenario = _load_scenario(data, rel, problems, control_ids)
        if scenario is not None:
            scenarios.append(scenario)
    if problems:
        raise ContentError(problems)
    return scenarios


@functools.cache
def scenarios_get() -> dict[str, Scenario]:
    """The shipped scenarios by id, loaded once per process."""
    return {s.id: s for s in scenarios_load()}


def scenario_get(scenario_id: str) -> Scenario | None:
    return scenarios_get().get(scenario_id)
