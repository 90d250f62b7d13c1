"""Load, validate and render ippo's bilingual phishing-drill templates (``data/templates/*.yaml``).

Links are never written in a template: the drill engine passes a per-recipient ``link`` when it renders.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ippo.lib import content

DATA_DIR = Path(__file__).resolve().parent / "data" / "templates"
LANGUAGES = content.LANGUAGES
DIFFICULTIES = ("easy", "medium", "hard")
CATEGORIES = ("credential", "attachment", "link", "payment")
PLACEHOLDERS = frozenset({"first_name", "last_name", "company", "link", "date"})
TEMPLATE_KEYS = {
    "id",
    "version",
    "difficulty",
    "category",
    "sender_name",
    "sender_local_part",
    "subject",
    "body",
    "link_text",
    "red_flags",
}
RED_FLAG_KEYS = {"id", "quote", "explanation"}
_LOCAL_PART = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_URLISH = re.compile(r"https?:|www\.", re.IGNORECASE)


class ContentError(content.ContentError):
    """Raised with every problem found, one ``path:LINE: message`` per line."""

    heading = "phishing drill templates are invalid"


@dataclass(frozen=True)
class Text:
    ja: str
    en: str

    def get(self, language: str) -> str:
        if language not in LANGUAGES:
            raise ValueError(f"unknown language {language!r}; expected one of {LANGUAGES}")
        return getattr(self, language)


@dataclass(frozen=True)
class RedFlag:
    id: str
    quote: Text
    explanation: Text


@dataclass(frozen=True)
class DrillTemplate:
    id: str
    version: int
    difficulty: str
    category: str
    sender_name: Text
    sender_local_part: str
    subject: Text
    body: Text
    link_text: Text
    red_flags: tuple[RedFlag, ...]


# --- Validation -------------------------------------------------------------------------------------------


def _fields(text: str) -> list[str]:
    """Placeholder names in ``text`` (str.format style). Raises ValueError on malformed or fancy fields."""
    names = []
    for _literal, name, spec, conversion in string.Formatter().parse(text):
        if name is None:
            continue
        if spec or conversion:
            raise ValueError(f"placeholder {{{name}}} must not have a format spec or conversion")
        names.append(name)
    return names


class _Check(content.Check):
    text_type = Text

    def text(self, parent: Any, key: str, where: str, *, strip: bool = True) -> Text | None:
        """As ``content.Check.text``; ``strip=False`` keeps inner spacing and ends the text with one newline."""
        text = super().text(parent, key, where)
        if text is None or strip:
            return text
        value = parent[key]
        return Text(value["ja"].strip("\n").rstrip() + "\n", value["en"].strip("\n").rstrip() + "\n")

    def placeholders(self, node: Any, where: str, key: str, text: Text, *, link: int | None) -> None:
        """Check placeholders in both languages; ``link`` is the exact count of {link} required, or 0."""
        for lang in LANGUAGES:
            value = text.get(lang)
            try:
                names = _fields(value)
            except ValueError as exc:
                self.error(node, where, f"{key}.{lang}: bad braces: {exc} (only {_allowed()} may use braces)")
                continue
            for name in sorted(set(names) - PLACEHOLDERS):
                self.error(
                    node, where, f"{key}.{lang}: unknown placeholder {{{name}}}; allowed: {_allowed()}"
                )
            count = names.count("link")
            if link is not None and count != link:
                self.error(
                    node, where, f"{key}.{lang}: {{link}} must appear exactly {link} time(s), found {count}"
                )
            if _URLISH.search(value):
                self.error(node, where, f"{key}.{lang}: contains a URL; links come only from {{link}}")


def _allowed() -> str:
    return ", ".join("{" + p + "}" for p in sorted(PLACEHOLDERS))


def _load_template(data: Any, rel: str, problems: list[str]) -> DrillTemplate | None:
    c = _Check(rel, problems)
    before = len(problems)
    tid = data.get("id")
    where = f"template {tid!r}"
    if not isinstance(tid, str) or not _SLUG.match(tid):
        c.error(data, where, "id is missing or not a lowercase slug")
    elif Path(rel).stem != tid:
        c.error(data, where, f"id must match the file name {Path(rel).stem!r}")
    c.keys(data, TEMPLATE_KEYS, where)
    missing = sorted(k for k in TEMPLATE_KEYS if k not in data)
    if missing:
        c.error(data, where, f"missing keys {missing}")
    version = c.integer(data, "version", where, 1, 10_000)
    difficulty = data.get("difficulty")
    if difficulty not in DIFFICULTIES:
        c.error(data, where, f"difficulty must be one of {list(DIFFICULTIES)}, got {difficulty!r}")
    category = data.get("category")
    if category not in CATEGORIES:
        c.error(data, where, f"category must be one of {list(CATEGORIES)}, got {category!r}")
    local = data.get("sender_local_part")
    if not isinstance(local, str) or not _LOCAL_PART.match(local):
        c.error(
            data, where, f"sender_local_part must be a lowercase mailbox name (a-z 0-9 . _ -), got {local!r}"
        )

    sender_name = c.text(data, "sender_name", where)
    subject = c.text(data, "subject", where)
    body = c.text(data, "body", where, strip=False)
    link_text = c.text(data, "link_text", where)
    if sender_name:
        c.placeholders(data, where, "sender_name", sender_name, link=0)
    if subject:
        c.placeholders(data, where, "subject", subject, link=0)
    if body:
        c.placeholders(data, where, "body", body, link=1)
    if link_text:
        c.placeholders(data, where, "link_text", link_text, link=0)

    flags: list[RedFlag] = []
    raw_flags = data.get("red_flags")
    if not isinstance(raw_flags, list) or not 3 <= len(raw_flags) <= 5:
        c.error(data, where, "red_flags must be a list of 3 to 5 flags")
        raw_flags = raw_flags if isinstance(raw_flags, list) else []
    seen: set[str] = set()
    for n, f in enumerate(raw_flags, 1):
        fw = f"{where} red flag {n}"
        if not isinstance(f, dict):
            c.error(raw_flags, fw, "a red flag must be a mapping")
            continue
        fid = f.get("id")
        fw = f"{where} red flag {fid!r}"
        if not isinstance(fid, str) or not _SLUG.match(fid):
            c.error(f, fw, "red flag id is missing or not a lowercase slug")
        elif fid in seen:
            c.error(f, fw, "duplicate red flag id")
        else:
            seen.add(fid)
        c.keys(f, RED_FLAG_KEYS, fw)
        quote = c.text(f, "quote", fw)
        explanation = c.text(f, "explanation", fw)
        if quote:
            for lang in LANGUAGES:
                q = quote.get(lang)
                if "{" in q or "}" in q:
                    c.error(f, fw, f"quote.{lang} must not contain placeholders or braces")
                    continue
                mail = [t.get(lang) for t in (subject, sender_name, body) if t]
                if not any(q in part for part in mail):
                    c.error(
                        f,
                        fw,
                        f"quote.{lang} {q!r} does not appear verbatim in the {lang} subject, sender or body",
                    )
        if isinstance(fid, str) and quote and explanation:
            flags.append(RedFlag(fid, quote, explanation))

    if len(problems) > before:
        return None
    return DrillTemplate(
        id=tid,
        version=version,
        difficulty=difficulty,
        category=category,
        sender_name=sender_name,
        sender_local_part=local,
        subject=subject,
        body=body,
        link_text=link_text,
        red_flags=tuple(flags),
    )


def templates_load(data_dir: Path | str | None = None) -> list[DrillTemplate]:
    """Load every drill template in ``data_dir`` (default: the shipped ones), sorted by id.

    Raises ContentError listing every problem as ``file:LINE: template …: message``.
    """
    templates = content.load_dir(
        data_dir,
        _load_template,
        ContentError,
        default_dir=DATA_DIR,
        default_rel="ippo/phishing/data/templates",
        noun="template",
    )
    return sorted(templates, key=lambda t: t.id)


def template_render(
    template: DrillTemplate,
    language: str,
    *,
    first_name: str,
    last_name: str,
    company: str,
    link: str,
    date: str,
) -> tuple[str, str]:
    """Return ``(subject, body)`` in ``language`` with every placeholder filled."""
    values = {
        "first_name": first_name,
        "last_name": last_name,
        "company": company,
        "link": link,
        "date": date,
    }
    subject = template.subject.get(language).format(**values)
    body = template.body.get(language).format(**values)
    return subject, body
