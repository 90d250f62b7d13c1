"""The pack's own wording in Japanese and English, from `data/pack_text.yaml` (see the comment there).

`text("scs_line", "ja", level="★3", met=19, …)` returns the sentence in the pack's language with its named
placeholders filled. The values are plain text; templates escape them as usual.
"""

from __future__ import annotations

import functools
import string
from pathlib import Path

import yaml

LANGUAGES = ("ja", "en")
PATH = Path(__file__).resolve().parent / "data" / "pack_text.yaml"


@functools.cache
def entries() -> dict[str, dict[str, str]]:
    data = yaml.safe_load(PATH.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{PATH.name} must be a mapping of key → {{ja, en}}")
    return data


def placeholders(sentence: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(sentence) if name}


def text(key: str, language: str, **values: object) -> str:
    entry = entries()[key]
    sentence = entry["ja" if language == "ja" else "en"]
    return sentence.format(**values) if values else sentence
