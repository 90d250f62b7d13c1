"""Shared pieces of the bilingual YAML content loaders (training modules, drill templates, tabletop scenarios,
incident playbooks): the error that lists every problem, a checker that reports ``file:LINE: where: message``
(lines come from ``ippo.lib.yaml_lines``), the loop over a directory of ``*.yaml`` files, and the catalog's
control ids. What is specific to one kind of content stays in its module.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from ippo.lib.yaml_lines import yaml_load_lines

LANGUAGES = ("ja", "en")


class ContentError(Exception):
    """Raised with every problem found, one ``path:LINE: message`` per line."""

    heading = "content is invalid"

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{self.heading}:\n" + "\n".join(problems))


class Check:
    """Validates one file's parsed YAML, appending ``file:LINE: where: message`` to ``problems``.

    A module subclasses it and sets ``text_type`` / ``text_list_type`` to its own dataclasses
    (called as ``text_type(ja, en)``).
    """

    text_type: Callable[[Any, Any], Any]
    text_list_type: Callable[[Any, Any], Any]

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

    def file_id(self, data: dict, where: str) -> bool:
        """``id`` is a non-empty string equal to the file name without ``.yaml``."""
        fid = data.get("id")
        if not isinstance(fid, str) or not fid:
            self.error(data, where, "id is missing")
            return False
        if Path(self.rel).stem != fid:
            self.error(data, where, f"id must match the file name {Path(self.rel).stem!r}")
            return False
        return True

    def integer(self, parent: dict, key: str, where: str, low: int, high: int) -> int | None:
        v = parent.get(key)
        if not isinstance(v, int) or isinstance(v, bool) or not low <= v <= high:
            self.error(parent, where, f"{key} must be a whole number from {low} to {high}, got {v!r}")
            return None
        return v

    def controls(self, data: dict, where: str, control_ids: set[str] | None) -> list[str]:
        """``controls``: a non-empty list of distinct control ids, each in ``control_ids`` (unless None)."""
        controls = data.get("controls")
        if not isinstance(controls, list) or not controls or not all(isinstance(x, str) for x in controls):
            self.error(data, where, "controls must be a non-empty list of control ids")
            return []
        if len(set(controls)) != len(controls):
            self.error(controls, where, "duplicate control ids")
        if control_ids is not None:
            for cid in controls:
                if cid not in control_ids:
                    self.error(controls, where, f"unknown control id {cid!r} (not in the catalog)")
        return controls

    def text(self, parent: Any, key: str, where: str, *, required: bool = True) -> Any:
        """``parent[key]``: a mapping of non-empty ``ja`` and ``en`` strings, stripped into ``text_type``."""
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
        self.language_keys(value, key, where)
        return self.text_type(value["ja"].strip(), value["en"].strip()) if ok else None

    def language_keys(self, value: dict, key: str, where: str) -> None:
        """Keys beside ``ja`` and ``en`` in ``value`` (``parent[key]``)."""
        extra = set(value) - set(LANGUAGES)
        if extra:
            self.error(value, where, f"{key}: unknown keys {sorted(extra)}")

    def text_list(self, parent: Any, key: str, where: str, *, required: bool = True) -> Any:
        """``parent[key]``: ``ja`` and ``en`` lists of non-empty strings, as long as each other."""
        value = parent.get(key) if isinstance(parent, dict) else None
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
        return self.text_list_type(lists["ja"], lists["en"])


def load_dir(
    data_dir: Path | str | None,
    load_one: Callable[[dict, str, list[str]], Any],
    error_class: type[ContentError],
    *,
    default_dir: Path,
    default_rel: str,
    noun: str,
) -> list:
    """Load every ``*.yaml`` in ``data_dir`` (``default_dir`` when None), in file-name order.

    Each file must hold a mapping; ``load_one(data, rel, problems)`` validates that mapping, appending
    problems, and returns an item with an ``id`` or None. Messages name a file by its name alone in
    ``data_dir``, and as ``default_rel/name`` (its path in the repository) in ``default_dir``. Raises
    ``error_class(problems)`` when anything is wrong.
    """
    base = Path(data_dir) if data_dir is not None else default_dir
    problems: list[str] = []
    found: list = []
    files = sorted(base.glob("*.yaml"))
    if not files:
        problems.append(f"{base}: no {noun} files (*.yaml)")
    seen: dict[str, str] = {}
    for path in files:
        rel = path.name if data_dir is not None else f"{default_rel}/{path.name}"
        try:
            data = yaml_load_lines(path)
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f":{mark.line + 1}" if mark else ""
            problems.append(f"{rel}{line}: cannot read: {getattr(exc, 'problem', None) or exc}")
            continue
        if not isinstance(data, dict):
            Check(rel, problems).error(data, noun, "the file must be a mapping")
            continue
        item = load_one(data, rel, problems)
        if item is None:
            continue
        if item.id in seen:
            problems.append(f"{rel}: {noun} {item.id!r}: duplicate {noun} id (also in {seen[item.id]})")
            continue
        seen[item.id] = rel
        found.append(item)
    if problems:
        raise error_class(problems)
    return found


def catalog_control_ids() -> set[str]:
    """The ids of every control in the catalog."""
    from ippo.catalog.loader import catalog_get  # lazy: needs Django settings

    return {c.id for c in catalog_get().controls}
