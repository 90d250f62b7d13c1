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

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ippo.lib import content

DATA_DIR = Path(__file__).resolve().parent / "data" / "scenarios"
LANGUAGES = content.LANGUAGES
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


class ContentError(content.ContentError):
    """Raised with every problem found, one ``path:LINE: message`` per line."""

    heading = "tabletop scenarios are invalid"


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


class _Check(content.Check):
    text_type = Text
    text_list_type = TextList

    def language_keys(self, value: dict, key: str, where: str) -> None:
        # Scenarios name the field in ``where`` ("… title: unknown keys"), not in the message.
        self.keys(value, set(LANGUAGES), f"{where} {key}")

    def text_list(self, parent: Any, key: str, where: str) -> TextList | None:
        """As ``content.Check.text_list``, and keys beside ``ja`` and ``en`` are reported first."""
        value = parent.get(key) if isinstance(parent, dict) else None
        if isinstance(value, dict):
            self.language_keys(value, key, where)
        return super().text_list(parent, key, where)


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
    sid = data.get("id")
    where = f"scenario {sid!r}"
    c.file_id(data, where)
    c.keys(data, SCENARIO_KEYS, where)
    version = c.integer(data, "version", where, 1, 10_000)
    minutes = c.integer(data, "minutes", where, 30, 240)
    controls = c.controls(data, where, control_ids)
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


def scenarios_load(
    data_dir: Path | str | None = None, *, control_ids: set[str] | None = None
) -> list[Scenario]:
    """Load every scenario in ``data_dir`` (default: the shipped ones), sorted by file name.

    ``control_ids`` defaults to the ids in the catalog. Raises ContentError listing every problem.
    """
    if control_ids is None:
        control_ids = content.catalog_control_ids()
    return content.load_dir(
        data_dir,
        lambda data, rel, problems: _load_scenario(data, rel, problems, control_ids),
        ContentError,
        default_dir=DATA_DIR,
        default_rel="ippo/tabletop/data/scenarios",
        noun="scenario",
    )


@functools.cache
def scenarios_get() -> dict[str, Scenario]:
    """The shipped scenarios by id, loaded once per process."""
    return {s.id: s for s in scenarios_load()}


def scenario_get(scenario_id: str) -> Scenario | None:
    return scenarios_get().get(scenario_id)
