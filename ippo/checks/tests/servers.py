"""Loopback servers for the checks' tests and benchmark: a test CA and certificates made at run time,
an HTTPS server that picks the certificate by SNI and the response by Host, a plain HTTP server, and
TCP listeners standing in for risky services. Nothing here listens beyond 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import http.server
import socket
import ssl
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

NOW = dt.datetime.now(dt.UTC)


@dataclass
class Pki:
    ca_key: object
    ca_cert: x509.Certificate
    dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="ippo-checks-pki-")))

    @classmethod
    def create(cls, name: str = "ippo test CA") -> Pki:
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW - dt.timedelta(days=3650))
            .not_valid_after(NOW + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
            )
            .sign(key, hashes.SHA256())
        )
        return cls(key, cert)

    @property
    def ca_pem(self) -> str:
        return self.ca_cert.public_bytes(serialization.Encoding.PEM).decode()

    def leaf(
        self, names: list[str], *, days_left: float = 90, age_days: float = 30, tag: str = ""
    ) -> tuple[str, str]:
        """Files (cert, key) of a leaf for `names`, valid until now + `days_left` (negative: expired)."""
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
            .issuer_name(self.ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW - dt.timedelta(days=age_days))
            .not_valid_after(NOW + dt.timedelta(days=days_left))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
            .sign(self.ca_key, hashes.SHA256())
        )
        stem = self.dir / f"{names[0].replace('*', '_')}{tag}"
        cert_path, key_path = Path(f"{stem}.crt"), Path(f"{stem}.key")
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        return str(cert_path), str(key_path)


@dataclass
class Site:
    """What one host name serves: certificate files, and per path (status, headers, body)."""

    cert: tuple[str, str] | None = None
    routes: dict = field(default_factory=dict)
    default: tuple = (200, {}, "<html><body>hello</body></html>")


class _Handler(http.server.BaseHTTPRequestHandler):
    server_version = "fixture"
    sys_version = ""

    def do_GET(self):  # noqa: N802 - http.server's naming
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        site = self.server.sites.get(host) or self.server.sites.get("*") or Site()
        self.server.user_agents.append(self.headers.get("User-Agent", ""))
        status, headers, body = site.routes.get(self.path, site.default)
        payload = body.encode()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


class WebServer:
    """HTTP or HTTPS on 127.0.0.1:0. With TLS, the certificate is chosen by SNI from `sites`."""

    def __init__(
        self, sites: dict[str, Site], *, tls: bool, only_version: ssl.TLSVersion | None = None
    ) -> None:
        self.sites = sites
        self.tls = tls
        self.only_version = only_version

    def _context(self, cert: tuple[str, str]) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*cert)
        if self.only_version is not None:
            import warnings

            context.set_ciphers("DEFAULT:@SECLEVEL=0")
            with warnings.catch_warnings():  # an old version on purpose: the server a check must flag
                warnings.simplefilter("ignore", DeprecationWarning)
                context.minimum_version = context.maximum_version = self.only_version
        else:
            context.minimum_version = ssl.TLSVersion.TLSv1_2
        return context

    def start(self) -> WebServer:
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        httpd.daemon_threads = True
        httpd.sites = self.sites
        httpd.user_agents = []
        if self.tls:
            contexts = {name: self._context(site.cert) for name, site in self.sites.items() if site.cert}
            default = contexts.get("*") or next(iter(contexts.values()))

            def pick(sock, name, _ctx):
                sock.context = contexts.get((name or "").lower(), default)

            default.sni_callback = pick
            httpd.socket = default.wrap_socket(httpd.socket, server_side=True, do_handshake_on_connect=False)
            original = httpd.get_request

            def get_request():
                conn, addr = original()
                conn.settimeout(5)
                try:
                    conn.do_handshake()
                except (ssl.SSLError, OSError):
                    conn.close()
                    raise OSError("handshake failed") from None
                return conn, addr

            httpd.get_request = get_request
            httpd.handle_error = lambda *a: None
        self.httpd = httpd
        self.port = httpd.server_address[1]
        threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    @property
    def user_agents(self) -> list[str]:
        return self.httpd.user_agents

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class Listener:
    """A TCP port that accepts connections (and closes them) — an "open" risky service."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.received = b""
        self._stop = False
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        self.sock.settimeout(0.1)
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.accepted += 1
            conn.settimeout(0.2)
            try:
                self.received += conn.recv(100)
            except OSError:
                pass
            conn.close()

    def close(self) -> None:
        self._stop = True
        self.sock.close()


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port
