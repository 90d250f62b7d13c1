"""The anonymous routes: paths where nothing about the visitor may be read, stored, logged or set."""

from __future__ import annotations

from contextvars import ContextVar

# The organisation's report link and everything under it (the form, the receipt code, the thread).
ANONYMOUS_PATH_PREFIXES: tuple[str, ...] = ("/report/",)

in_anonymous_route: ContextVar[bool] = ContextVar("ippo_in_anonymous_route", default=False)


def is_anonymous_path(path: str) -> bool:
    return (path or "").startswith(ANONYMOUS_PATH_PREFIXES)
