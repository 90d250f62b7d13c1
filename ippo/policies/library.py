"""The policy and rule templates: ippo's own text in Japanese and English, read once per process from
`ippo/program/data/policies.yaml` (see the README beside it for the format).

A template is rendered in one language with the organisation's values filled in (`template_render`).
`{effective_date}` is deliberately left in the text as a token: it becomes the approval date when the
document is shown or printed (`effective_date_fill`), so a draft never claims a date nobody approved.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from ippo.catalog.loader import Localized, LocalizedList

DATA_FILE = Path(__file__).resolve().parent.parent / "program" / "data" / "policies.yaml"

PLACEHOLDERS = ("org_name", "owner_name", "manager_name", "report_contact", "effective_date")
EFFECTIVE_DATE = "{effective_date}"
BASIC_POLICY = "basic-policy"
KINDS = ("policy", "rule")


@dataclass(frozen=True)
class TemplateSection:
    heading: Localized
    body: LocalizedList


@dataclass(frozen=True)
class PolicyTemplate:
    id: str
    kind: str  # "policy" (the basic policy, signed by the owner) | "rule" (an internal rule)
    title: Localized
    summary: Localized
    controls: tuple[str, ...]
    review: str
    sections: tuple[TemplateSection, ...]


def _localized(value: dict) -> Localized:
    return Localized(ja=str(value["ja"]), en=str(value["en"]))


def _parse(rows: list[dict]) -> tuple[PolicyTemplate, ...]:
    templates = []
    for row in rows:
        sections = tuple(
            TemplateSection(
                heading=_localized(s["heading"]),
                body=LocalizedList(
                    ja=tuple(str(p) for p in s["body"]["ja"]), en=tuple(str(p) for p in s["body"]["en"])
                ),
            )
            for s in row["sections"]
        )
        if row["kind"] not in KINDS:
            raise ValueError(f"{DATA_FILE.name}: {row['id']}: unknown kind {row['kind']!r}")
        templates.append(
            PolicyTemplate(
                id=row["id"],
                kind=row["kind"],
                title=_localized(row["title"]),
                summary=_localized(row["summary"]),
                controls=tuple(row.get("controls") or ()),
                review=row.get("review", "yearly"),
                sections=sections,
            )
        )
    return tuple(templates)


@functools.lru_cache(maxsize=1)
def templates_get() -> tuple[PolicyTemplate, ...]:
    """Every template, in file order (the basic policy first)."""
    with DATA_FILE.open(encoding="utf-8") as fh:
        return _parse(yaml.safe_load(fh))


def template_get(template_id: str) -> PolicyTemplate:
    """The template with this id (KeyError when there is none)."""
    for template in templates_get():
        if template.id == template_id:
            return template
    raise KeyError(template_id)


def template_render(template: PolicyTemplate, *, language: str, values: dict[str, str]) -> list[dict]:
    """The template's sections in one language, as stored in a PolicyVersion:
    `[{"heading": str, "paragraphs": [str, ...]}, ...]`, with every placeholder but {effective_date} filled.
    The values are substituted, never parsed, so braces in an organisation's name are harmless."""
    filled = {name: values.get(name, "") for name in PLACEHOLDERS}
    filled["effective_date"] = EFFECTIVE_DATE
    return [
        {
            "heading": section.heading.get(language),
            "paragraphs": [paragraph.format(**filled) for paragraph in section.body.get(language)],
        }
        for section in template.sections
    ]


def date_text(value: date, language: str) -> str:
    """A date as written in a Japanese or British document: 2026年5月1日 / 1 May 2026."""
    if language.startswith("ja"):
        return f"{value.year}年{value.month}月{value.day}日"
    months = ("January February March April May June July August September October November December").split()
    return f"{value.day} {months[value.month - 1]} {value.year}"


def effective_date_fill(sections: list[dict], replacement: str) -> list[dict]:
    """The sections with every {effective_date} token replaced (plain replace: other braces stay)."""
    return [
        {
            "heading": s["heading"].replace(EFFECTIVE_DATE, replacement),
            "paragraphs": [p.replace(EFFECTIVE_DATE, replacement) for p in s["paragraphs"]],
        }
        for s in sections
    ]
