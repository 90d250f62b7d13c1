"""Small language-aware text helpers: quoting and joining labels the way the active language does."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import pgettext


def quote(text: object) -> str:
    """“text” in English, 「text」 in Japanese."""
    return pgettext("quotation", "“%(text)s”") % {"text": text}


def join_list(items: Iterable[object]) -> str:
    """"a, b" in English, "a、b" in Japanese."""
    return pgettext("list separator", ", ").join(str(i) for i in items)
