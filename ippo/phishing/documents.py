"""The drill documents (訓練実施規程 and the staff notices before and after a drill): bilingual Markdown kept
in `data/documents/*.yaml`, shown in the app with copy and download. `{company}` is filled in on display."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data" / "documents"
LANGUAGES = ("ja", "en")
KEYS = {"id", "order", "title", "summary", "body"}


@dataclass(frozen=True)
class Document:
    id: str
    order: int
    title: dict
    summary: dict
    body: dict

    def text(self, field: str, language: str, *, company: str) -> str:
        language = language if language in LANGUAGES else "ja"
        return getattr(self, field)[language].replace("{company}", company).strip() + (
            "\n" if field == "body" else ""
        )


@lru_cache(maxsize=1)
def documents_load() -> tuple[Document, ...]:
    docs = []
    for path in sorted(DATA_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if set(data) != KEYS or data["id"] != path.stem:
            raise ValueError(f"{path.name}: expected keys {sorted(KEYS)} and id = file name")
        for key in ("title", "summary", "body"):
            if set(data[key]) != set(LANGUAGES) or not all(
                str(data[key][lang]).strip() for lang in LANGUAGES
            ):
                raise ValueError(f"{path.name}: {key} needs non-empty 'ja' and 'en'")
        docs.append(Document(data["id"], int(data["order"]), data["title"], data["summary"], data["body"]))
    return tuple(sorted(docs, key=lambda d: d.order))


def document_get(doc_id: str) -> Document | None:
    return next((d for d in documents_load() if d.id == doc_id), None)
