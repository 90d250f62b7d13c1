"""Bulk actions provided by other modules: action → (permission, handler(org=, actor=, options=))."""

from __future__ import annotations

HANDLERS: dict = {}
