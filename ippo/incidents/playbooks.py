"""Load and validate the bilingual playbooks (``data/playbooks/*.yaml``), one per incident kind.

A playbook has: first-hour steps (each becomes a task on the incident's checklist), who to call, what to keep
as evidence, and what not to do. The file format is described in ``data/playbooks/README.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.utils.translation import get_language

from ippo.lib import content

DATA_DIR = Path(__file__).resolve().parent / "data" / "playbooks"
LANGUAGES = content.LANGUAGES
PLAYBOOK_KEYS = {"id", "version", "severity", "title", "summary", "first_hour", "call", "evidence", "dont"}
STEP_ID_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-")


class PlaybookError(content.ContentError):
    """Raised with every problem found, one ``path:LINE: message`` per line."""

    heading = "playbooks are invalid"


@dataclass(frozen=True)
class Text:
    ja: str
    en: str

    def __str__(self) -> str:
        return self.en if (get_language() or "ja").startswith("en") else self.ja


@dataclass(frozen=True)
class Step:
    id: str
    text: Text


@dataclass(frozen=True)
class Call:
    contact: str  # an ExternalContact kind, or "" for someone inside the company
    text: Text


@dataclass(frozen=True)
class Playbook:
    id: str
    version: int
    severity: int
    title: Text
    summary: Text
    first_hour: tuple[Step, ...]
    call: tuple[Call, ...]
    evidence: tuple[Text, ...]
    dont: tuple[Text, ...]

    def step_key(self, step: Step) -> str:
        return f"{self.id}/{step.id}"


class _Check(content.Check):
    def bilingual(self, value: Any, where: str, *, allowed: set[str] = frozenset()) -> Text | None:
        if not isinstance(value, dict):
            self.error(value, where, "must be a mapping with 'ja' and 'en'")
            return None
        ok = True
        for lang in LANGUAGES:
            v = value.get(lang)
            if not isinstance(v, str) or not v.strip():
                self.error(value, where, f"{lang} is missing or empty")
                ok = False
        extra = set(value) - set(LANGUAGES) - allowed
        if extra:
            self.error(value, where, f"unknown keys {sorted(extra)}")
            ok = False
        return Text(value["ja"].strip(), value["en"].strip()) if ok else None

    def items(self, data: dict, key: str, where: str, low: int, high: int) -> list:
        value = data.get(key)
        if not isinstance(value, list) or not low <= len(value) <= high:
            self.error(data, where, f"{key} must be a list of {low} to {high} items")
            return value if isinstance(value, list) else []
        return value


def _load_playbook(
    data: Any, rel: str, problems: list[str], kinds: set[str], contacts: set[str]
) -> Playbook | None:
    c = _Check(rel, problems)
    before = len(problems)
    pid = data.get("id")
    where = f"playbook {pid!r}"
    if c.file_id(data, where) and pid not in kinds:
        c.error(data, where, f"id must be an incident kind, one of {sorted(kinds)}")
    c.keys(data, PLAYBOOK_KEYS, where)
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        c.error(data, where, "version must be a whole number from 1")
    severity = data.get("severity")
    if not isinstance(severity, int) or isinstance(severity, bool) or not 1 <= severity <= 5:
        c.error(data, where, "severity must be a suggested SEV from 1 to 5")
    title = c.bilingual(data.get("title"), f"{where} title")
    summary = c.bilingual(data.get("summary"), f"{where} summary")

    steps: list[Step] = []
    seen: set[str] = set()
    for n, raw in enumerate(c.items(data, "first_hour", where, 4, 12), 1):
        sw = f"{where} first_hour {n}"
        sid = raw.get("id") if isinstance(raw, dict) else None
        if not isinstance(sid, str) or not sid or not set(sid) <= STEP_ID_CHARS:
            c.error(raw, sw, "id is missing or not lower-case letters, digits and hyphens")
            continue
        if sid in seen:
            c.error(raw, sw, f"duplicate step id {sid!r}")
            continue
        seen.add(sid)
        text = c.bilingual(raw, sw, allowed={"id"})
        if text:
            steps.append(Step(sid, text))

    calls: list[Call] = []
    for n, raw in enumerate(c.items(data, "call", where, 1, 8), 1):
        cw = f"{where} call {n}"
        contact = raw.get("contact", "") if isinstance(raw, dict) else ""
        if contact and contact not in contacts:
            c.error(raw, cw, f"contact {contact!r} is not one of {sorted(contacts)}")
        text = c.bilingual(raw, cw, allowed={"contact"})
        if text:
            calls.append(Call(contact or "", text))

    evidence = [
        c.bilingual(raw, f"{where} evidence {n}")
        for n, raw in enumerate(c.items(data, "evidence", where, 2, 10), 1)
    ]
    dont = [
        c.bilingual(raw, f"{where} dont {n}") for n, raw in enumerate(c.items(data, "dont", where, 2, 8), 1)
    ]

    if len(problems) > before:
        return None
    return Playbook(
        id=pid,
        version=version,
        severity=severity,
        title=title,
        summary=summary,
        first_hour=tuple(steps),
        call=tuple(calls),
        evidence=tuple(evidence),
        dont=tuple(dont),
    )


def _kinds() -> set[str]:
    from ippo.incidents.models import Kind

    return set(Kind.values) - {Kind.OTHER}


def _contact_kinds() -> set[str]:
    from ippo.incidents.models import ContactKind

    return set(ContactKind.values)


def playbooks_load(data_dir: Path | str | None = None) -> list[Playbook]:
    """Load every playbook in ``data_dir`` (default: the shipped ones), sorted by id. Raises PlaybookError
    listing every problem."""
    kinds, contacts = _kinds(), _contact_kinds()
    found = content.load_dir(
        data_dir,
        lambda data, rel, problems: _load_playbook(data, rel, problems, kinds, contacts),
        PlaybookError,
        default_dir=DATA_DIR,
        default_rel="ippo/incidents/data/playbooks",
        noun="playbook",
    )
    return sorted(found, key=lambda p: p.id)


@lru_cache(maxsize=1)
def _by_id() -> dict[str, Playbook]:
    return {p.id: p for p in playbooks_load()}


def playbooks() -> list[Playbook]:
    return list(_by_id().values())


def playbook_get(playbook_id: str) -> Playbook | None:
    return _by_id().get(playbook_id)


def step_text(step_key: str) -> str:
    """The text of a step (``<playbook>/<step>``) in the current language; the key itself if it is gone."""
    playbook_id, _sep, step_id = step_key.partition("/")
    playbook = playbook_get(playbook_id)
    if playbook:
        for step in playbook.first_hour:
            if step.id == step_id:
                return str(step.text)
    return step_key
