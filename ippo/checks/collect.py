"""Network collectors: TCP connects, TLS handshakes and single HTTP(S) GETs. They return plain facts
(dataclasses) and never judge; the evaluators in ippo.checks.evaluate do that.

Politeness: every socket goes through a `Gate` (at most N open in total, at most 2 per target address),
timeouts are short, and every HTTP request names ippo in its User-Agent. Nothing here ever sends a
payload beyond one plain GET, or a password, or anything that tries to log in.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings

DEFAULT_PORTS = {
    "https": 443,
    "http": 80,
    "rdp": 3389,
    "smb": 445,
    "telnet": 23,
    "ftp": 21,
    "mssql": 1433,
    "mysql": 3306,
    "postgres": 5432,
    "mongodb": 27017,
    "redis": 6379,
    "vnc": 5900,
}
MAX_BODY = 64 * 1024


class Gate:
    """Bounds open sockets: `total` at once overall and `per_target` at once per address. Records the
    highest number open at the same time (the benchmark reports it)."""

    def __init__(self, total: int = 32, per_target: int = 2) -> None:
        self._total = threading.BoundedSemaphore(total)
        self._per_target_limit = per_target
        self._targets: dict[str, threading.BoundedSemaphore] = {}
        self._lock = threading.Lock()
        self.open = 0
        self.max_open = 0

    @contextmanager
    def socket(self, target: str | None):
        target_sem = None
        if target is not None:
            with self._lock:
                target_sem = self._targets.setdefault(
                    target, threading.BoundedSemaphore(self._per_target_limit)
                )
            target_sem.acquire()
        self._total.acquire()
        with self._lock:
            self.open += 1
            self.max_open = max(self.max_open, self.open)
        try:
            yield
        finally:
            with self._lock:
                self.open -= 1
            self._total.release()
            if target_sem is not None:
                target_sem.release()


@dataclass
class CheckConfig:
    resolver: str | None = None
    timeout: float = 4.0
    ports: dict = field(default_factory=lambda: dict(DEFAULT_PORTS))
    ca_pem: str | None = None  # trust anchors instead of the system store (tests only)
    user_agent: str = ""
    gate: Gate = field(default_factory=Gate)

    @classmethod
    def from_settings(cls, *, resolver: str | None = None, gate: Gate | None = None) -> CheckConfig:
        from ippo.checks.dnsclient import resolver_setting

        ports = dict(DEFAULT_PORTS)
        ports.update(getattr(settings, "IPPO_CHECKS_PORTS", None) or {})
        base = getattr(settings, "BASE_URL", "")
        return cls(
            resolver=resolver or resolver_setting(),
            timeout=float(getattr(settings, "IPPO_CHECKS_TIMEOUT", 4.0)),
            ports=ports,
            ca_pem=getattr(settings, "IPPO_CHECKS_CA_PEM", None),
            user_agent=getattr(settings, "IPPO_CHECKS_USER_AGENT", "")
            or f"ippo-checks/0.1 (automated check requested by the domain owner; +{base}/docs/checks)",
            gate=gate or Gate(),
        )


def _family(address: str) -> int:
    return socket.AF_INET6 if ":" in address else socket.AF_INET


def _connect(address: str, port: int, timeout: float) -> socket.socket:
    sock = socket.socket(_family(address), socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect((address, port))
    except BaseException:
        sock.close()
        raise
    return sock


def _outcome(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timeout"
    if isinstance(exc, ConnectionRefusedError):
        return "refused"
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return "tls_error"
    if isinstance(exc, http.client.HTTPException | ValueError):
        return "http_error"
    return "error"


# --- TCP ---------------------------------------------------------------------------------------------


def tcp_connect(address: str, port: int, cfg: CheckConfig) -> str:
    """ "open", "closed" (refused), "filtered" (no answer in time) or "error". Connects and closes at once:
    not a byte is sent."""
    with cfg.gate.socket(address):
        try:
            sock = _connect(address, port, cfg.timeout)
        except TimeoutError:
            return "filtered"
        except ConnectionRefusedError:
            return "closed"
        except OSError:
            return "error"
        sock.close()
        return "open"


# --- HTTP(S) -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HttpFacts:
    outcome: str  # "ok", "timeout", "refused", "tls_error", "http_error", "error"
    status_code: int = 0
    headers: dict = field(default_factory=dict)  # lower-case names; repeated headers joined with ", "
    body: str = ""
    tls_version: str = ""
    cert_der: bytes = b""
    error: str = ""


def _client_context(verify: bool, cfg: CheckConfig) -> ssl.SSLContext:
    if verify:
        context = (
            ssl.create_default_context(cadata=cfg.ca_pem) if cfg.ca_pem else ssl.create_default_context()
        )
        context.check_hostname = False  # host matching is judged by the evaluator, from the certificate
    else:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def http_get(host: str, address: str, *, tls: bool, cfg: CheckConfig, path: str = "/") -> HttpFacts:
    """One GET of `path` on `host` at `address` (no redirects followed, body cut at 64 KB)."""
    port = cfg.ports["https" if tls else "http"]
    with cfg.gate.socket(address):
        try:
            sock = _connect(address, port, cfg.timeout)
        except OSError as exc:
            return HttpFacts(_outcome(exc), error=str(exc)[:200])
        try:
            version, der = "", b""
            if tls:
                sock = _client_context(False, cfg).wrap_socket(sock, server_hostname=host)
                version = sock.version() or ""
                der = sock.getpeercert(binary_form=True) or b""
            request = (
                f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: {cfg.user_agent}\r\n"
                "Accept: text/html,*/*\r\nConnection: close\r\n\r\n"
            )
            sock.sendall(request.encode("ascii", "ignore"))
            response = http.client.HTTPResponse(sock)
            response.begin()
            headers: dict[str, str] = {}
            for name, value in response.getheaders():
                key = name.lower()
                headers[key] = f"{headers[key]}, {value}" if key in headers else value
            body = response.read(MAX_BODY).decode("utf-8", "replace")
            return HttpFacts("ok", response.status, headers, body, version, der)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            return HttpFacts(_outcome(exc), error=str(exc)[:200])
        finally:
            sock.close()


# --- TLS ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrustFacts:
    outcome: str  # "trusted", "untrusted", "timeout", "error"
    error: str = ""


def tls_trust(host: str, address: str, cfg: CheckConfig) -> TrustFacts:
    """Does the certificate chain lead to a trusted root? (Host matching is judged separately.)"""
    with cfg.gate.socket(address):
        try:
            sock = _connect(address, cfg.ports["https"], cfg.timeout)
        except OSError as exc:
            return TrustFacts("timeout" if _outcome(exc) == "timeout" else "error", str(exc)[:200])
        try:
            _client_context(True, cfg).wrap_socket(sock, server_hostname=host).close()
            return TrustFacts("trusted")
        except ssl.SSLCertVerificationError as exc:
            return TrustFacts("untrusted", exc.verify_message or str(exc)[:200])
        except TimeoutError as exc:
            return TrustFacts("timeout", str(exc)[:200])
        except OSError as exc:
            return TrustFacts("error", str(exc)[:200])
        finally:
            sock.close()


_OLD_VERSIONS = {"TLSv1": ssl.TLSVersion.TLSv1, "TLSv1.1": ssl.TLSVersion.TLSv1_1}


def tls_old_version(host: str, address: str, version: str, cfg: CheckConfig) -> str:
    """Does the server still accept `version` ("TLSv1" or "TLSv1.1")? "accepted", "refused", "untestable"
    (this machine's OpenSSL cannot offer it), "timeout" or "error"."""
    try:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
        with warnings.catch_warnings():  # deprecated on purpose: we test whether the server still accepts it
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = context.maximum_version = _OLD_VERSIONS[version]
    except (ssl.SSLError, ValueError):
        return "untestable"
    with cfg.gate.socket(address):
        try:
            sock = _connect(address, cfg.ports["https"], cfg.timeout)
        except OSError as exc:
            return "timeout" if _outcome(exc) == "timeout" else "error"
        try:
            tls = context.wrap_socket(sock, server_hostname=host)
            accepted = tls.version() == version
            tls.close()
            return "accepted" if accepted else "refused"
        except ssl.SSLError as exc:
            text = str(exc).lower()
            if "no protocols available" in text or "no ciphers available" in text:
                return "untestable"
            return "refused"
        except TimeoutError:
            return "timeout"
        except OSError:
            return "refused"
        finally:
            sock.close()


def tls_old_versions_supported() -> bool:
    """Can this machine's OpenSSL offer TLS 1.0 at all (with SECLEVEL=0)?"""
    try:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = context.maximum_version = ssl.TLSVersion.TLSv1
    except (ssl.SSLError, ValueError):
        return False
    return bool(getattr(ssl, "HAS_TLSv1", False))
