"""gunicorn's access log without the anonymous routes and the drill links. `ippo serve` uses it as its logger class:
gunicorn_options["logger_class"] = "ippo.reporting.accesslog.AccessLogger"."""

from __future__ import annotations

from gunicorn.glogging import Logger

from ippo.reporting.routes import is_anonymous_path

# Not anonymous, but never logged either: phishing-drill links carry a recipient's token in the path.
UNLOGGED_PREFIXES = ("/drill/",)


class AccessLogger(Logger):
    def access(self, resp, req, environ, request_time):
        path = environ.get("PATH_INFO", "") or getattr(req, "path", "")
        if is_anonymous_path(path) or path.startswith(UNLOGGED_PREFIXES):
            return
        super().access(resp, req, environ, request_time)
