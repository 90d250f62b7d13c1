"""Anonymous routes (routes.ANONYMOUS_PATH_PREFIXES): put this middleware FIRST in settings.MIDDLEWARE.

On those paths, before any other middleware runs, it removes from the request everything that could tell
who the visitor is: every cookie (so the session, CSRF, messages and language middleware see a stranger and
never read a session, even of a signed-in person), the client address (REMOTE_ADDR becomes 0.0.0.0), the
user agent, forwarding headers and the referrer. The WSGI environ is the same dict, so the production
server's access logger sees the scrubbed values too. On the way out it removes any Set-Cookie and tells
browsers not to store the page or send a referrer. While the request runs, `routes.in_anonymous_route` is
set, so the logging filter (logfilter.py) withholds every log line.
"""

from __future__ import annotations

from http.cookies import SimpleCookie

from ippo.reporting.routes import in_anonymous_route, is_anonymous_path

SCRUBBED_HEADERS = (
    "HTTP_COOKIE",
    "HTTP_USER_AGENT",
    "HTTP_REFERER",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
    "HTTP_CLIENT_IP",
    "HTTP_TRUE_CLIENT_IP",
    "HTTP_CF_CONNECTING_IP",
    "HTTP_SEC_CH_UA",
    "HTTP_SEC_CH_UA_PLATFORM",
    "HTTP_SEC_CH_UA_MOBILE",
    "REMOTE_HOST",
    "REMOTE_USER",
)


class AnonymousRoutesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_anonymous_path(request.path_info):
            return self.get_response(request)
        for header in SCRUBBED_HEADERS:
            request.META.pop(header, None)
        for header in [h for h in request.META if h.startswith("HTTP_SEC_CH_UA")]:
            request.META.pop(header, None)
        request.META["REMOTE_ADDR"] = "0.0.0.0"  # noqa: S104 — a placeholder, not a bind address
        request.COOKIES = {}
        token = in_anonymous_route.set(True)
        try:
            response = self.get_response(request)
        finally:
            in_anonymous_route.reset(token)
        response.cookies = SimpleCookie()
        response.headers["Cache-Control"] = "no-store, max-age=0"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers.pop("Vary", None)
        return response
