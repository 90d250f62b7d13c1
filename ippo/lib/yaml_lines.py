"""YAML for content files: a safe loader whose mappings and sequences remember their line (`.line`, 1-based)
and which refuses duplicate keys, so content validators can report `file:LINE: message`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class LineMap(dict):
    line: int = 0


class LineSeq(list):
    line: int = 0


class LineLoader(yaml.SafeLoader):
    pass


def _map(loader: LineLoader, node: yaml.MappingNode) -> LineMap:
    m = LineMap()
    m.line = node.start_mark.line + 1
    seen: set = set()
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
        m[key] = loader.construct_object(value_node, deep=True)
    return m


def _seq(loader: LineLoader, node: yaml.SequenceNode) -> LineSeq:
    s = LineSeq(loader.construct_object(child, deep=True) for child in node.value)
    s.line = node.start_mark.line + 1
    return s


LineLoader.add_constructor("tag:yaml.org,2002:map", _map)
LineLoader.add_constructor("tag:yaml.org,2002:seq", _seq)


def yaml_load_lines(path: Path) -> Any:
    """Parse one file; raises yaml.YAMLError (with a mark) on syntax errors and duplicate keys."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=LineLoader)  # noqa: S506 — SafeLoader subclass
