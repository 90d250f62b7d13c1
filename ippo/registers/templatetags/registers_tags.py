"""Template filters for the registers: `{{ amount|yen }}` shows yen the way each language writes it."""

from __future__ import annotations

from django import template
from django.utils import translation

register = template.Library()


def format_yen(amount: int, language: str | None = None) -> str:
    """1500000 → "1,500,000円" in Japanese, "¥1,500,000" in English."""
    language = language or translation.get_language() or "ja"
    text = f"{amount:,}"
    if language.startswith("ja"):
        return f"{text}円"
    return f"-¥{text[1:]}" if amount < 0 else f"¥{text}"


@register.filter
def yen(value) -> str:
    try:
        amount = int(value)
    except (TypeError, ValueError):
        return ""
    return format_yen(amount)
