"""The catalog's content as frozen dataclasses, read from the data files by `loader.py`."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True)
class Localized:
    """A text in Japanese and English. `ja` may be empty only where the schema allows it (CSF `text`)."""

    ja: str
    en: str

    def get(self, language: str | None = None) -> str:
        if language is None:
            from django.utils import translation

            language = translation.get_language() or "ja"
        return self.ja if language.startswith("ja") and self.ja else self.en

    def __str__(self) -> str:
        return self.get()

    def as_dict(self) -> dict[str, str]:
        return {"ja": self.ja, "en": self.en}


@dataclass(frozen=True)
class LocalizedList:
    """The same list of sentences (steps) in Japanese and English."""

    ja: tuple[str, ...]
    en: tuple[str, ...]

    def get(self, language: str | None = None) -> tuple[str, ...]:
        if language is None:
            from django.utils import translation

            language = translation.get_language() or "ja"
        return self.ja if language.startswith("ja") else self.en

    def as_dict(self) -> dict[str, list[str]]:
        return {"ja": list(self.ja), "en": list(self.en)}


@dataclass(frozen=True)
class FrameworkGroup:
    id: str
    label: Localized
    parent: str | None = None


@dataclass(frozen=True)
class FrameworkItem:
    id: str
    group: str | None
    label: Localized
    text: Localized | None = None
    level: str | None = None
    out_of_scope: Localized | None = None
    file: str = ""
    line: int = 0


@dataclass(frozen=True)
class Framework:
    id: str
    name: Localized
    publisher: str
    version: str
    url: str
    licence_note: Localized
    groups: tuple[FrameworkGroup, ...]
    items: tuple[FrameworkItem, ...]
    file: str = ""
    line: int = 0

    def item(self, item_id: str) -> FrameworkItem:
        """The item with this id (KeyError when the framework has none)."""
        return self._items_by_id[item_id]

    @functools.cached_property
    def _items_by_id(self) -> dict[str, FrameworkItem]:
        return {i.id: i for i in self.items}

    @functools.cached_property
    def item_ids(self) -> frozenset[str]:
        return frozenset(self._items_by_id)


@dataclass(frozen=True)
class Control:
    id: str
    version: int
    function: str
    kind: str
    cost: str
    effort_hours: float
    recurrence: str | None
    applies_to: tuple[str, ...]
    risk_weight: int
    title: Localized
    question: Localized
    why: Localized
    steps: LocalizedList
    variants: MappingProxyType[str, LocalizedList]
    evidence: Localized
    mappings: MappingProxyType[str, tuple[str, ...]]  # every framework id, in id order; () where none fits
    file: str
    line: int


@dataclass(frozen=True)
class Question:
    id: str
    order: int
    applies_to: tuple[str, ...]
    text: Localized
    help: Localized
    controls: tuple[str, ...]
    file: str
    line: int


@dataclass(frozen=True)
class Catalog:
    version: str  # catalog.yaml; stored with every assessment
    frameworks: tuple[Framework, ...]  # by id
    controls: tuple[Control, ...]  # by file name, then position in the file
    questions: tuple[Question, ...]  # by order
    _index: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def framework(self, framework_id: str) -> Framework:
        return self._lookup("framework", self.frameworks)[framework_id]

    def control(self, control_id: str) -> Control:
        return self._lookup("control", self.controls)[control_id]

    def question(self, question_id: str) -> Question:
        return self._lookup("question", self.questions)[question_id]

    def _lookup(self, name: str, rows: Iterable[Any]) -> dict[str, Any]:
        if name not in self._index:
            self._index[name] = {row.id: row for row in rows}
        return self._index[name]


class CatalogError(Exception):
    """The catalog data is invalid. `errors` holds every problem as `path:LINE: message`."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        count = len(self.errors)
        super().__init__(f"{count} catalog error{'s' if count != 1 else ''}:\n" + "\n".join(self.errors))
