"""A loopback HTTP server that answers from recorded JSON files (fixtures/cloud), for the cloud connectors.

`routes` maps "METHOD /path?query" (query optional; the longest matching key wins) to (status, file name).
`{BASE}` inside a file is replaced by the server's own address (for @odata.nextLink). Requests are kept in
`server.requests` for assertions.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "cloud"


class ReplayServer:
    def __init__(self, routes: dict[str, tuple[int, str]]):
        self.routes = routes
        self.requests: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                outer.requests.append(
                    {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body}
                )
                status, name = outer.match(self.command, self.path)
                payload = (FIXTURES / name).read_text(encoding="utf-8").replace("{BASE}", outer.base_url)
                data = payload.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _answer

            def log_message(self, *args):  # keep test output quiet
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def match(self, method: str, path: str) -> tuple[int, str]:
        candidates = []
        for key, answer in self.routes.items():
            m, _sep, route = key.partition(" ")
            if m == method and (path == route or ("?" not in route and path.split("?")[0] == route)):
                candidates.append((len(route), answer))
        if not candidates:
            return 404, "m365_bad_client.json"
        return max(candidates)[1]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
