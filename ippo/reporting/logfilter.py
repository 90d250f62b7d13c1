"""Withhold log lines about anonymous routes (routes.py), at every logger.

`install()` (called at start-up) adds the filter to every handler that exists then: the root logger's (ippo's
LOGGING) and Django's own (`django.server` for the development server). A record is withheld when it is
emitted while an anonymous request runs, or when its text mentions an anonymous path.
"""

from __future__ import annotations

import logging

from ippo.reporting.routes import ANONYMOUS_PATH_PREFIXES, in_anonymous_route


class AnonymousRouteFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if in_anonymous_route.get():
            return False
        try:
            text = record.getMessage()
        except Exception:  # noqa: BLE001 — a malformed record is not ours to judge
            return True
        return not any(prefix in text for prefix in ANONYMOUS_PATH_PREFIXES)


_FILTER = AnonymousRouteFilter()


def install() -> None:
    loggers = [logging.getLogger()] + [
        logging.getLogger(name)
        for name in list(logging.root.manager.loggerDict)
        if not name.startswith("gunicorn")
    ]
    for logger in loggers:
        for handler in getattr(logger, "handlers", []):
            if _FILTER not in handler.filters:
                handler.addFilter(_FILTER)
