"""Read the catalog (frameworks, controls, questions) from the YAML files in `data/`.

The catalog is content, not tenant data: it is read once per process into frozen dataclasses
(`catalog_get()`), validated as a whole, and every problem is reported as `path:LINE: message` with the
path relative to the data folder. `catalog_load(data_dir=…)` reads any folder without caching (tests,
`ippo catalog validate --data-dir …`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Hashable
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from ippo.catalog.entities import (
    Catalog,
    CatalogError,
    Control,
    Framework,
    FrameworkGroup,
    FrameworkItem,
    Localized,
    LocalizedList,
    Question,
)

__all__ = [
    "Catalog",
    "CatalogError",
    "Control",
    "Framework",
    "FrameworkGroup",
    "FrameworkItem",
    "Localized",
    "LocalizedList",
    "Question",
    "catalog_get",
    "catalog_load",
    "catalog_reload",
]

DATA_DIR = Path(__file__).resolve().parent / "data"

FRAMEWORK_IDS = (
    "nist-csf-2.0",
    "cis-v8-ig1",
    "iso27001-2022-annex-a",
    "meti-csm-guidelines-3.0",
    "ipa-5-rules",
    "ipa-self-check-25",
    "security-action",
    "meti-scs",
    "enisa-sme-12",
    "cyber-essentials",
)
CSF = "nist-csf-2.0"
SCS = "meti-scs"

# The item id forms each framework uses (README.md, "Item id forms"); catches typos and unquoted numbers.
ITEM_ID_PATTERNS = {
    CSF: r"(GV|ID|PR|DE|RS|RC)\.[A-Z]{2}-\d{2}",
    "cis-v8-ig1": r"\d{1,2}\.\d{1,2}",
    "iso27001-2022-annex-a": r"A\.[5-8]\.\d{1,2}",
    "meti-csm-guidelines-3.0": r"[1-9]|10",
    "ipa-5-rules": r"[1-5]",
    "ipa-self-check-25": r"[1-9]|1\d|2[0-5]",
    "security-action": r"1star-[1-5]|2star-[12]",
    SCS: r"\d-\d-\d",
    "enisa-sme-12": r"[1-9]|1[0-2]",
    "cyber-essentials": r"D\.[1-5]",
}

FUNCTIONS = ("GV", "ID", "PR", "DE", "RS", "RC")
KINDS = ("people", "process", "technology")
COSTS = ("free", "low", "medium")
RECURRENCES = (None, "monthly", "quarterly", "half_yearly", "yearly")
APPLIES_TO = (
    "all",
    "m365",
    "google",
    "onprem_server",
    "website",
    "online_shop",
    "remote_work",
    "outsourced_it",
)
VARIANTS = ("m365", "google", "windows", "macos", "nas", "website", "cloud_accounting")
LEVELS = {"meti-scs": ("★3", "★4"), "security-action": ("★", "★★")}  # required there, not allowed elsewhere
LANGUAGES = ("ja", "en")
CONTROL_ID_RE = re.compile(r"^[a-z]{2}-[a-z0-9-]+$")

FRAMEWORK_KEYS = {"id", "name", "publisher", "version", "url", "licence_note", "groups", "items"}
GROUP_KEYS = {"id", "label", "parent"}
ITEM_KEYS = {"id", "group", "label", "text", "level", "out_of_scope"}
CONTROL_KEYS = {
    "id",
    "version",
    "function",
    "kind",
    "cost",
    "effort_hours",
    "recurrence",
    "applies_to",
    "risk_weight",
    "title",
    "question",
    "why",
    "steps",
    "variants",
    "evidence",
    "mappings",
}
QUESTION_KEYS = {"id", "order", "applies_to", "text", "help", "controls"}


# --- YAML with line numbers ---------------------------------------------------------------------------


class _Map(dict):
    """A YAML mapping that remembers its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[Any, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class _Seq(list):
    """A YAML sequence that remembers its own line and the line of each item (1-based)."""

    line: int = 0
    item_lines: list[int]

    def line_at(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


# libyaml's parser when present: the same line marks, several times faster.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_BaseLoader):
    """SafeLoader that records line numbers on mappings and sequences and reports duplicate keys."""

    def __init__(self, stream):
        super().__init__(stream)
        self.problems: list[tuple[int, str]] = []

    def construct_line_map(self, node):
        data = _Map()
        data.line = node.start_mark.line + 1
        data.key_lines = {}
        yield data
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if not isinstance(key, Hashable):
                self.problems.append((line, "a mapping key must be a plain value"))
                continue
            if key in data.key_lines:
                self.problems.append((line, f"duplicate key {key!r} (first at line {data.key_lines[key]})"))
            data.key_lines[key] = line
            data[key] = self.construct_object(value_node)

    def construct_line_seq(self, node):
        data = _Seq()
        data.line = node.start_mark.line + 1
        data.item_lines = [child.start_mark.line + 1 for child in node.value]
        yield data
        data.extend(self.construct_sequence(node))


_LineLoader.add_constructor("tag:yaml.org,2002:map", _LineLoader.construct_line_map)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _LineLoader.construct_line_seq)


# --- Validation helpers -----------------------------------------------------------------------------------


class _Checker:
    """Collects errors for one file; each check returns a clean value or None (and records why)."""

    def __init__(self, errors: list[tuple[str, int, str]], file: str):
        self.errors = errors
        self.file = file

    def error(self, line: int, message: str) -> None:
        self.errors.append((self.file, line, message))

    def keys(self, m: _Map, allowed: set[str], what: str) -> None:
        for key in m:
            if key not in allowed:
                self.error(m.line_of(key), f"unknown key {key!r} in {what}")

    def string(self, m: _Map, key: str, what: str, *, required: bool = True) -> str | None:
        if key not in m or m[key] is None:
            if required:
                self.error(m.line_of(key), f"{what}: {key!r} is required")
            return None
        value = m[key]
        if not isinstance(value, str):
            self.error(m.line_of(key), f"{what}: {key!r} must be text (quote it), not {value!r}")
            return None
        if not value.strip():
            self.error(m.line_of(key), f"{what}: {key!r} must not be empty")
            return None
        return value

    def choice(self, m: _Map, key: str, allowed: tuple, what: str) -> Any:
        if key not in m:
            self.error(m.line, f"{what}: {key!r} is required")
            return None
        if m[key] not in allowed:
            shown = " ".join("null" if a is None else a for a in allowed)
            self.error(m.line_of(key), f"{what}: {key!r} is {m[key]!r}, expected one of: {shown}")
            return None
        return m[key]

    def integer(self, m: _Map, key: str, what: str, low: int, high: int | None = None) -> int | None:
        value = m.get(key)
        if key not in m:
            self.error(m.line, f"{what}: {key!r} is required")
        elif isinstance(value, bool) or not isinstance(value, int) or value < low or (high and value > high):
            bounds = f"{low}–{high}" if high else f"≥ {low}"
            self.error(m.line_of(key), f"{what}: {key!r} must be a whole number {bounds}, not {value!r}")
        else:
            return value
        return None

    def localized(self, m: _Map, key: str, what: str, *, ja_required: bool = True) -> Localized | None:
        if key not in m:
            self.error(m.line, f"{what}: {key!r} is required (with ja and en)")
            return None
        value = m[key]
        if not isinstance(value, _Map):
            self.error(m.line_of(key), f"{what}: {key!r} must be a mapping with ja and en")
            return None
        self.keys(value, set(LANGUAGES), f"{what} {key}")
        ok = True
        for lang in LANGUAGES:
            text = value.get(lang)
            if lang == "ja" and not ja_required and text is None:
                continue
            if not isinstance(text, str) or not text.strip():
                line = value.line_of(lang) if lang in value else m.line_of(key)
                self.error(line, f"{what}: {key}.{lang} is missing or empty")
                ok = False
        return Localized(ja=value.get("ja") or "", en=value["en"]) if ok else None

    def localized_list(self, value: Any, line: int, what: str) -> LocalizedList | None:
        if not isinstance(value, _Map):
            self.error(line, f"{what} must be a mapping with ja and en lists")
            return None
        self.keys(value, set(LANGUAGES), what)
        lists = {}
        for lang in LANGUAGES:
            items = value.get(lang)
            if not isinstance(items, list) or not items:
                self.error(value.line_of(lang), f"{what}.{lang} must be a non-empty list")
                continue
            bad = [i for i, s in enumerate(items) if not isinstance(s, str) or not s.strip()]
            for i in bad:
                self.error(items.line_at(i), f"{what}.{lang}: item {i + 1} must be non-empty text")
            if not bad:
                lists[lang] = tuple(items)
        if len(lists) != 2:
            return None
        if len(lists["ja"]) != len(lists["en"]):
            self.error(value.line, f"{what}: ja has {len(lists['ja'])} entries but en has {len(lists['en'])}")
            return None
        return LocalizedList(ja=lists["ja"], en=lists["en"])

    def applies_to(self, m: _Map, what: str) -> tuple[str, ...] | None:
        value = m.get("applies_to")
        if not isinstance(value, list) or not value:
            self.error(m.line_of("applies_to"), f"{what}: 'applies_to' must be a non-empty list")
            return None
        unknown = [v for v in value if v not in APPLIES_TO]
        if unknown:
            self.error(
                m.line_of("applies_to"),
                f"{what}: unknown applies_to value(s) {', '.join(map(repr, unknown))}; expected {' '.join(APPLIES_TO)}",
            )
            return None
        if "all" in value and len(value) > 1:
            self.error(m.line_of("applies_to"), f"{what}: 'all' must stand alone in applies_to")
            return None
        if len(set(value)) != len(value):
            self.error(m.line_of("applies_to"), f"{what}: applies_to repeats a value")
            return None
        return tuple(value)


def _read_yaml(path: Path, rel: str, errors: list[tuple[str, int, str]]) -> tuple[Any, bool]:
    """Parse one file; returns (data, parsed_ok). Duplicate keys are errors but the data is still used."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        errors.append((rel, 1, f"cannot read file: {exc}"))
        return None, False
    loader = _LineLoader(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        errors.append((rel, line, f"YAML syntax error: {exc.problem or exc.context}"))
        return None, False
    except yaml.YAMLError as exc:
        errors.append((rel, 1, f"YAML error: {exc}"))
        return None, False
    finally:
        loader.dispose()
    for line, message in loader.problems:
        errors.append((rel, line, message))
    return data, True


def _yaml_files(data_dir: Path, folder: str, errors: list[tuple[str, int, str]]) -> list[Path]:
    directory = data_dir / folder
    if not directory.is_dir():
        errors.append((f"{folder}/", 0, "folder is missing"))
        return []
    return sorted(p for p in directory.iterdir() if p.suffix == ".yaml" and p.is_file())


# --- Frameworks -------------------------------------------------------------------------------------------


def _load_framework(data: Any, rel: str, c: _Checker) -> Framework | None:
    if not isinstance(data, _Map):
        c.error(getattr(data, "line", 1), "a framework file must be a mapping (id, name, …, items)")
        return None
    c.keys(data, FRAMEWORK_KEYS, "framework")
    fid = c.string(data, "id", "framework")
    if fid is not None and fid not in FRAMEWORK_IDS:
        c.error(
            data.line_of("id"), f"unknown framework id {fid!r}; expected one of: {' '.join(FRAMEWORK_IDS)}"
        )
        fid = None
    if fid is not None and Path(rel).stem != fid:
        c.error(data.line_of("id"), f"framework {fid!r} must live in frameworks/{fid}.yaml")
    what = f"framework {fid or '?'}"
    name = c.localized(data, "name", what)
    publisher = c.string(data, "publisher", what)
    version = c.string(data, "version", what)
    url = c.string(data, "url", what)
    licence_note = c.localized(data, "licence_note", what)

    groups: list[FrameworkGroup] = []
    raw_groups = data.get("groups", [])
    if raw_groups is None:
        raw_groups = []
    if not isinstance(raw_groups, list):
        c.error(data.line_of("groups"), f"{what}: 'groups' must be a list")
        raw_groups = []
    group_lines: dict[str, int] = {}
    parents: list[tuple[str, str, int]] = []
    for index, g in enumerate(raw_groups):
        if not isinstance(g, _Map):
            c.error(raw_groups.line_at(index), f"{what}: each group must be a mapping")
            continue
        c.keys(g, GROUP_KEYS, "group")
        gid = c.string(g, "id", f"{what} group")
        label = c.localized(g, "label", f"{what} group {gid}")
        parent = c.string(g, "parent", f"{what} group {gid}", required=False)
        if gid is None:
            continue
        if gid in group_lines:
            c.error(g.line_of("id"), f"{what}: duplicate group id {gid!r} (first at line {group_lines[gid]})")
            continue
        group_lines[gid] = g.line_of("id")
        if parent is not None:
            parents.append((gid, parent, g.line_of("parent")))
        if label is not None:
            groups.append(FrameworkGroup(id=gid, label=label, parent=parent))
    for gid, parent, line in parents:
        if parent not in group_lines:
            c.error(line, f"{what}: group {gid!r} has unknown parent {parent!r}")

    items: list[FrameworkItem] = []
    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        c.error(data.line_of("items"), f"{what}: 'items' must be a non-empty list")
        raw_items = []
    item_lines: dict[str, int] = {}
    pattern = re.compile(rf"^(?:{ITEM_ID_PATTERNS[fid]})$") if fid else None
    for index, it in enumerate(raw_items):
        if not isinstance(it, _Map):
            c.error(raw_items.line_at(index), f"{what}: each item must be a mapping")
            continue
        c.keys(it, ITEM_KEYS, "item")
        iid = c.string(it, "id", f"{what} item")
        iwhat = f"{what} item {iid or '?'}"
        if iid is not None and pattern and not pattern.match(iid):
            c.error(it.line_of("id"), f"{what}: item id {iid!r} does not have this framework's id form")
        if iid is not None and iid in item_lines:
            c.error(it.line_of("id"), f"{what}: duplicate item id {iid!r} (first at line {item_lines[iid]})")
            iid = None
        label = c.localized(it, "label", iwhat)
        group = c.string(it, "group", iwhat, required=False)
        if group is not None and group not in group_lines:
            c.error(it.line_of("group"), f"{iwhat}: unknown group {group!r}")
        text = out_of_scope = level = None
        if "text" in it:
            if fid != CSF:
                c.error(it.line_of("text"), f"{iwhat}: 'text' is only allowed in {CSF}")
            text = c.localized(it, "text", iwhat, ja_required=False)
        if "out_of_scope" in it:
            if fid != CSF:
                c.error(it.line_of("out_of_scope"), f"{iwhat}: 'out_of_scope' is only allowed in {CSF}")
            out_of_scope = c.localized(it, "out_of_scope", iwhat)
        if fid in LEVELS:
            level = c.choice(it, "level", LEVELS[fid], iwhat)
        elif "level" in it:
            c.error(it.line_of("level"), f"{iwhat}: 'level' is only allowed in {' and '.join(LEVELS)}")
        if iid is None:
            continue
        item_lines[iid] = it.line
        if label is not None:
            items.append(
                FrameworkItem(
                    id=iid,
                    group=group,
                    label=label,
                    text=text,
                    level=level,
                    out_of_scope=out_of_scope,
                    file=rel,
                    line=it.line,
                )
            )
    if None in (fid, name, publisher, version, url, licence_note):
        return None
    return Framework(
        id=fid,
        name=name,
        publisher=publisher,
        version=version,
        url=url,
        licence_note=licence_note,
        groups=tuple(groups),
        items=tuple(items),
        file=rel,
        line=data.line,
    )


# --- Controls ---------------------------------------------------------------------------------------------


def _load_control(m: _Map, rel: str, c: _Checker, frameworks: dict[str, Framework], broken: set[str]):
    c.keys(m, CONTROL_KEYS, "control")
    cid = c.string(m, "id", "control")
    if cid is not None and not CONTROL_ID_RE.match(cid):
        c.error(m.line_of("id"), f"control id {cid!r} must match {CONTROL_ID_RE.pattern}")
        cid = None
    what = f"control {cid or '?'}"
    version = c.integer(m, "version", what, 1)
    function = c.choice(m, "function", FUNCTIONS, what)
    kind = c.choice(m, "kind", KINDS, what)
    cost = c.choice(m, "cost", COSTS, what)
    effort = m.get("effort_hours")
    if isinstance(effort, bool) or not isinstance(effort, int | float) or effort <= 0:
        c.error(m.line_of("effort_hours"), f"{what}: 'effort_hours' must be a number > 0, not {effort!r}")
        effort = None
    recurrence_ok = "recurrence" in m and m["recurrence"] in RECURRENCES
    recurrence = c.choice(m, "recurrence", RECURRENCES, what)
    applies_to = c.applies_to(m, what)
    risk_weight = c.integer(m, "risk_weight", what, 1, 3)
    title = c.localized(m, "title", what)
    question = c.localized(m, "question", what)
    why = c.localized(m, "why", what)
    evidence = c.localized(m, "evidence", what)
    steps = c.localized_list(m["steps"], m.line_of("steps"), f"{what}: steps") if "steps" in m else None
    if "steps" not in m:
        c.error(m.line, f"{what}: 'steps' is required (with ja and en lists)")

    variants: dict[str, LocalizedList] = {}
    raw_variants = m.get("variants")
    if raw_variants is None:
        raw_variants = _Map()
    elif not isinstance(raw_variants, _Map):
        c.error(m.line_of("variants"), f"{what}: 'variants' must be a mapping")
        raw_variants = _Map()
    for name, value in raw_variants.items():
        if name not in VARIANTS:
            c.error(
                raw_variants.line_of(name),
                f"{what}: unknown variant {name!r}; expected one of: {' '.join(VARIANTS)}",
            )
            continue
        parsed = c.localized_list(value, raw_variants.line_of(name), f"{what}: variants.{name}")
        if parsed is not None:
            variants[name] = parsed

    mappings: dict[str, tuple[str, ...]] = {}
    raw_mappings = m.get("mappings")
    if not isinstance(raw_mappings, _Map):
        c.error(m.line_of("mappings"), f"{what}: 'mappings' must be a mapping of framework id to item ids")
        raw_mappings = _Map()
    for fid, ids in raw_mappings.items():
        line = raw_mappings.line_of(fid)
        if fid not in FRAMEWORK_IDS:
            c.error(line, f"{what}: unknown framework {fid!r} in mappings")
            continue
        if ids is None:
            ids = []
        if not isinstance(ids, list) or any(not isinstance(i, str) for i in ids):
            c.error(line, f"{what}: mappings.{fid} must be a list of quoted item ids, not {ids!r}")
            continue
        if len(set(ids)) != len(ids):
            c.error(line, f"{what}: mappings.{fid} lists an item twice")
        framework = frameworks.get(fid)
        if framework is not None:
            for index, iid in enumerate(ids):
                if iid not in framework.item_ids:
                    c.error(ids.line_at(index), f"{what}: {fid} has no item {iid!r}")
        elif fid not in broken:
            c.error(line, f"{what}: framework {fid!r} is not loaded")
        mappings[fid] = tuple(dict.fromkeys(ids))

    values = (
        cid,
        version,
        function,
        kind,
        cost,
        effort,
        applies_to,
        risk_weight,
        title,
        question,
        why,
        steps,
        evidence,
    )
    if any(v is None for v in values) or not recurrence_ok:
        return cid, None
    return cid, Control(
        id=cid,
        version=version,
        function=function,
        kind=kind,
        cost=cost,
        effort_hours=effort,
        recurrence=recurrence,
        applies_to=applies_to,
        risk_weight=risk_weight,
        title=title,
        question=question,
        why=why,
        steps=steps,
        variants=MappingProxyType(variants),
        evidence=evidence,
        mappings=MappingProxyType({f: mappings.get(f, ()) for f in sorted(FRAMEWORK_IDS)}),
        file=rel,
        line=m.line,
    )


# --- Questions --------------------------------------------------------------------------------------------


def _load_question(m: _Map, rel: str, c: _Checker, control_ids: set[str] | None):
    c.keys(m, QUESTION_KEYS, "question")
    qid = c.string(m, "id", "question")
    what = f"question {qid or '?'}"
    order = c.integer(m, "order", what, 1)
    applies_to = c.applies_to(m, what)
    text = c.localized(m, "text", what)
    help_text = c.localized(m, "help", what)
    controls = m.get("controls")
    if not isinstance(controls, list) or not controls or any(not isinstance(x, str) for x in controls):
        c.error(m.line_of("controls"), f"{what}: 'controls' must be a non-empty list of control ids")
        controls = None
    elif control_ids is not None:
        for index, cid in enumerate(controls):
            if cid not in control_ids:
                c.error(controls.line_at(index), f"{what}: unknown control {cid!r}")
    if None in (qid, order, applies_to, text, help_text, controls):
        return None
    return Question(
        id=qid,
        order=order,
        applies_to=applies_to,
        text=text,
        help=help_text,
        controls=tuple(controls),
        file=rel,
        line=m.line,
    )


# --- Loading ----------------------------------------------------------------------------------------------


def catalog_load(data_dir: Path | str | None = None) -> Catalog:
    """Read and validate every file under `data_dir` (default: the shipped data). Raises CatalogError
    listing every problem found, each as `path/relative/to/data:LINE: message`."""
    data_dir = Path(data_dir) if data_dir is not None else DATA_DIR
    errors: list[tuple[str, int, str]] = []

    # The release as a whole
    version = ""
    if not (data_dir / "catalog.yaml").is_file():
        errors.append(("catalog.yaml", 0, "file is missing"))
    else:
        data, ok = _read_yaml(data_dir / "catalog.yaml", "catalog.yaml", errors)
        if ok:
            value = data.get("version") if isinstance(data, dict) else None
            if not isinstance(value, str) or not re.fullmatch(r"\d{4}\.\d{1,2}(\.\d+)?", value):
                line = data.line_of("version") if isinstance(data, _Map) else 1
                errors.append(("catalog.yaml", line, "'version' must be a quoted string like \"2026.11\""))
            else:
                version = value

    # Frameworks
    frameworks: dict[str, Framework] = {}
    framework_files: dict[str, str] = {}
    broken: set[str] = set()  # framework ids (by file name) that could not be read: skip their cross-checks
    for path in _yaml_files(data_dir, "frameworks", errors):
        rel = f"frameworks/{path.name}"
        data, ok = _read_yaml(path, rel, errors)
        if not ok:
            broken.add(path.stem)
            continue
        c = _Checker(errors, rel)
        framework = _load_framework(data, rel, c)
        fid = data.get("id") if isinstance(data, dict) else None
        if isinstance(fid, str) and fid in framework_files:
            c.error(
                data.line_of("id"), f"framework {fid!r} is defined twice (also in {framework_files[fid]})"
            )
            continue
        if isinstance(fid, str):
            framework_files[fid] = rel
        if framework is not None:
            frameworks[framework.id] = framework
        elif isinstance(fid, str):
            broken.add(fid)
    for fid in FRAMEWORK_IDS:
        if fid not in framework_files and fid not in broken:
            errors.append((f"frameworks/{fid}.yaml", 0, f"framework {fid!r} is missing"))

    # Controls
    controls: list[Control] = []
    control_lines: dict[str, str] = {}
    controls_complete = True
    for path in _yaml_files(data_dir, "controls", errors):
        rel = f"controls/{path.name}"
        data, ok = _read_yaml(path, rel, errors)
        c = _Checker(errors, rel)
        if not ok:
            controls_complete = False
            continue
        if not isinstance(data, list):
            c.error(getattr(data, "line", 1), "a controls file must be a list of controls")
            controls_complete = False
            continue
        for index, m in enumerate(data):
            if not isinstance(m, _Map):
                c.error(data.line_at(index), "each control must be a mapping")
                continue
            cid, control = _load_control(m, rel, c, frameworks, broken)
            if cid is not None and cid in control_lines:
                c.error(m.line_of("id"), f"duplicate control id {cid!r} (first at {control_lines[cid]})")
                continue
            if cid is not None:
                control_lines[cid] = f"{rel}:{m.line_of('id')}"
            if control is not None:
                controls.append(control)

    # Questions
    questions: list[Question] = []
    question_lines: dict[str, str] = {}
    order_lines: dict[int, str] = {}
    known_controls = set(control_lines) if controls_complete else None
    for path in _yaml_files(data_dir, "questions", errors):
        rel = f"questions/{path.name}"
        data, ok = _read_yaml(path, rel, errors)
        c = _Checker(errors, rel)
        if not ok:
            continue
        if not isinstance(data, list):
            c.error(getattr(data, "line", 1), "a questions file must be a list of questions")
            continue
        for index, m in enumerate(data):
            if not isinstance(m, _Map):
                c.error(data.line_at(index), "each question must be a mapping")
                continue
            question = _load_question(m, rel, c, known_controls)
            qid, order = m.get("id"), m.get("order")
            if isinstance(qid, str):
                if qid in question_lines:
                    c.error(
                        m.line_of("id"), f"duplicate question id {qid!r} (first at {question_lines[qid]})"
                    )
                    continue
                question_lines[qid] = f"{rel}:{m.line_of('id')}"
            if isinstance(order, int):
                if order in order_lines:
                    c.error(
                        m.line_of("order"),
                        f"duplicate question order {order} (first at {order_lines[order]})",
                    )
                order_lines.setdefault(order, f"{rel}:{m.line_of('order')}")
            if question is not None:
                questions.append(question)

    # Every CSF subcategory is either served by a control or explained as out of scope.
    csf = frameworks.get(CSF)
    if csf is not None and controls_complete:
        mapped = {iid for control in controls for iid in control.mappings[CSF]}
        for item in csf.items:
            if item.id not in mapped and item.out_of_scope is None:
                errors.append(
                    (
                        item.file,
                        item.line,
                        f"{CSF} {item.id} is mapped by no control and has no out_of_scope note",
                    )
                )

    if errors:
        errors.sort(key=lambda e: (e[0], e[1]))
        raise CatalogError([f"{file}:{line}: {message}" for file, line, message in errors])
    return Catalog(
        version=version,
        frameworks=tuple(sorted(frameworks.values(), key=lambda f: f.id)),
        controls=tuple(controls),
        questions=tuple(sorted(questions, key=lambda q: q.order)),
    )


@functools.lru_cache(maxsize=1)
def catalog_get() -> Catalog:
    """The shipped catalog, read and validated once per process."""
    return catalog_load()


def catalog_reload() -> Catalog:
    """Forget the cached catalog and read it again (tests, after editing data files)."""
    catalog_get.cache_clear()
    return catalog_get()
