"""A small but real OpenID Connect provider for tests, served over HTTP on loopback.

It runs the standard library's HTTP server in a background thread on 127.0.0.1 (port chosen by the OS)
and implements what an authorisation-code login needs:

    /.well-known/openid-configuration   discovery document
    /authorize                          approves at once: redirects to redirect_uri with code + state
    /token                              code -> access_token + RS256-signed id_token (PKCE checked)
    /jwks                               the public signing key
    /userinfo                           the identity, for a Bearer access token

Use it as a context manager (or from a pytest fixture)::

    with LocalOIDCProvider(client_id="ippo", client_secret="s3cret") as idp:
        idp.set_identity(sub="abc", email="a@example.com", name="Ayumi")
        ... idp.url is the issuer / server_url ...

It never talks to anything but the client that calls it. `idp.requests` lists every request it served
(method, path) and `idp.authorizations` / `idp.token_requests` keep what the client sent, for assertions.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit, urlunsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

TOKEN_AUTH_METHODS = ("client_secret_post", "client_secret_basic")


def _b64url_sha256(value: str) -> str:
    digest = hashlib.sha256(value.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class LocalOIDCProvider:
    """An OpenID Connect provider on http://127.0.0.1:<port>, for one registered client."""

    def __init__(
        self,
        *,
        client_id: str = "ippo-test-client",
        client_secret: str = "ippo-test-secret",  # noqa: S107 — test-only secret
        identity: dict[str, Any] | None = None,
        token_auth_methods: tuple[str, ...] = TOKEN_AUTH_METHODS,
        id_token_lifetime: int = 300,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_auth_methods = tuple(token_auth_methods)
        self.id_token_lifetime = id_token_lifetime
        self.identity: dict[str, Any] = {
            "sub": "local-user-1",
            "email": "sso.user@example.com",
            "email_verified": True,
            "name": "SSO User",
        }
        if identity:
            self.identity.update(identity)
        # Extra claims merged into the next id_tokens (e.g. {"aud": "someone-else"} to test refusal).
        self.id_token_overrides: dict[str, Any] = {}

        self._private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_hex(8)
        self._lock = threading.Lock()
        self._codes: dict[str, dict[str, Any]] = {}
        self._access_tokens: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str]] = []
        self.authorizations: list[dict[str, str]] = []
        self.token_requests: list[dict[str, Any]] = []
        self.issued_id_tokens: list[str] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> LocalOIDCProvider:
        if self._server is not None:
            return self
        provider = self

        class Handler(_Handler):
            idp = provider

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="local-oidc", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> LocalOIDCProvider:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # --- what tests use ----------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("The provider is not running; call start() or use it as a context manager.")
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        """The issuer, which is also the `server_url` to configure (discovery is below it)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def issuer(self) -> str:
        return self.url

    def set_identity(self, **claims: Any) -> None:
        """Who the next person to "approve" at /authorize is: sub, email, email_verified, name, ...

        A claim set to None is omitted from the id_token and /userinfo."""
        with self._lock:
            self.identity.update(claims)

    def public_jwk(self) -> dict[str, Any]:
        jwk = RSAAlgorithm.to_jwk(self._private_key.public_key(), as_dict=True)
        jwk.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        return jwk

    def id_token_for(self, identity: dict[str, Any] | None = None, *, nonce: str | None = None) -> str:
        """An RS256 id_token for `identity` (default: the current one), as /token would issue it."""
        identity = dict(self.identity if identity is None else identity)
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": identity["sub"],
            "email": identity.get("email"),
            "email_verified": identity.get("email_verified", False),
            "name": identity.get("name"),
            "iat": now,
            "exp": now + self.id_token_lifetime,
            "jti": secrets.token_hex(12),
        }
        claims.update({k: v for k, v in identity.items() if k not in claims})
        if nonce:
            claims["nonce"] = nonce
        claims.update(self.id_token_overrides)
        # A claim set to None is left out, as real providers do (Entra ID sends no email_verified).
        claims = {k: v for k, v in claims.items() if v is not None}
        token = jwt.encode(claims, self._private_key, algorithm="RS256", headers={"kid": self.kid})
        with self._lock:
            self.issued_id_tokens.append(token)
        return token

    def paths_served(self) -> list[str]:
        with self._lock:
            return [path for _method, path in self.requests]

    def discovery(self) -> dict[str, Any]:
        base = self.url
        return {
            "issuer": base,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "userinfo_endpoint": f"{base}/userinfo",
            "jwks_uri": f"{base}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile", "email"],
            "token_endpoint_auth_methods_supported": list(self.token_auth_methods),
            "code_challenge_methods_supported": ["S256", "plain"],
            "grant_types_supported": ["authorization_code"],
            "claims_supported": [
                "sub",
                "iss",
                "aud",
                "exp",
                "iat",
                "nonce",
                "email",
                "email_verified",
                "name",
            ],
        }

    # --- protocol ----------------------------------------------------------------------------------

    def _authorize(self, params: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        with self._lock:
            self.authorizations.append(dict(params))
        redirect_uri = params.get("redirect_uri", "")
        if params.get("client_id") != self.client_id or not redirect_uri.startswith(("http://", "https://")):
            # Per RFC 6749 §4.1.2.1 an unknown client or bad redirect_uri must not be redirected to.
            return (
                400,
                {},
                {"error": "invalid_request", "error_description": "unknown client or redirect_uri"},
            )
        state = params.get("state")
        if params.get("response_type") != "code":
            return _redirect(redirect_uri, {"error": "unsupported_response_type", "state": state})
        if "openid" not in params.get("scope", "").split():
            return _redirect(redirect_uri, {"error": "invalid_scope", "state": state})
        method = params.get("code_challenge_method", "plain") if params.get("code_challenge") else None
        if method not in (None, "S256", "plain"):
            return _redirect(redirect_uri, {"error": "invalid_request", "state": state})
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = {
                "client_id": self.client_id,
                "redirect_uri": redirect_uri,
                "code_challenge": params.get("code_challenge"),
                "code_challenge_method": method,
                "nonce": params.get("nonce"),
                "scope": params.get("scope", ""),
                "identity": dict(self.identity),
                "expires": time.time() + 60,
            }
        return _redirect(redirect_uri, {"code": code, "state": state})

    def _authenticate_client(self, headers, form: dict[str, str]) -> tuple[str | None, str | None]:
        """Returns (auth method used, error). Exactly one of the two supported methods must be used."""
        header = headers.get("Authorization", "")
        if header.startswith("Basic "):
            if "client_secret" in form:
                return None, "more than one client authentication method"
            try:
                decoded = base64.b64decode(header[6:], validate=True).decode("utf-8")
                raw_id, _, raw_secret = decoded.partition(":")
            except (ValueError, UnicodeDecodeError):
                return None, "malformed Basic credentials"
            client_id, client_secret, method = unquote(raw_id), unquote(raw_secret), "client_secret_basic"
        elif "client_secret" in form:
            client_id, client_secret, method = (
                form.get("client_id", ""),
                form["client_secret"],
                "client_secret_post",
            )
        else:
            return None, "no client authentication"
        if method not in self.token_auth_methods:
            return None, f"{method} is not enabled"
        if not (
            hmac.compare_digest(client_id, self.client_id)
            and hmac.compare_digest(client_secret, self.client_secret)
        ):
            return None, "wrong client credentials"
        return method, None

    def _token(self, headers, form: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        method, error = self._authenticate_client(headers, form)
        record = {"form": dict(form), "auth_method": method}
        with self._lock:
            self.token_requests.append(record)
        if error:
            return (
                401,
                {"WWW-Authenticate": 'Basic realm="token"'},
                {"error": "invalid_client", "error_description": error},
            )
        if form.get("grant_type") != "authorization_code":
            return 400, {}, {"error": "unsupported_grant_type"}
        with self._lock:
            grant = self._codes.pop(form.get("code", ""), None)  # single use
        if grant is None or grant["expires"] < time.time():
            return 400, {}, {"error": "invalid_grant", "error_description": "unknown, used or expired code"}
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return 400, {}, {"error": "invalid_grant", "error_description": "redirect_uri mismatch"}
        if grant["code_challenge"]:
            verifier = form.get("code_verifier", "")
            expected = _b64url_sha256(verifier) if grant["code_challenge_method"] == "S256" else verifier
            if not verifier or not hmac.compare_digest(expected, grant["code_challenge"]):
                return 400, {}, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
        elif "code_verifier" in form:
            return (
                400,
                {},
                {"error": "invalid_grant", "error_description": "code_verifier without a challenge"},
            )

        identity = grant["identity"]
        now = int(time.time())
        id_token = self.id_token_for(identity, nonce=grant["nonce"])
        access_token = secrets.token_urlsafe(32)
        with self._lock:
            self._access_tokens[access_token] = {"identity": identity, "expires": now + 3600}
        body = {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 3600,
            "scope": grant["scope"],
            "id_token": id_token,
        }
        return 200, {"Cache-Control": "no-store", "Pragma": "no-cache"}, body

    def _userinfo(self, headers) -> tuple[int, dict[str, str], Any]:
        header = headers.get("Authorization", "")
        token = header[7:] if header.startswith("Bearer ") else ""
        with self._lock:
            entry = self._access_tokens.get(token)
        if entry is None or entry["expires"] < time.time():
            return 401, {"WWW-Authenticate": 'Bearer error="invalid_token"'}, {"error": "invalid_token"}
        identity = entry["identity"]
        body = {k: v for k, v in identity.items() if v is not None}
        return 200, {}, body


def _redirect(redirect_uri: str, params: dict[str, str | None]) -> tuple[int, dict[str, str], Any]:
    parts = urlsplit(redirect_uri)
    extra = urlencode({k: v for k, v in params.items() if v is not None})
    query = f"{parts.query}&{extra}" if parts.query else extra
    return 302, {"Location": urlunsplit(parts._replace(query=query))}, None


class _Handler(BaseHTTPRequestHandler):
    idp: LocalOIDCProvider
    server_version = "LocalOIDC/1.0"
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 — keep test output quiet
        pass

    def _record(self) -> tuple[str, dict[str, str]]:
        parts = urlsplit(self.path)
        with self.idp._lock:
            self.idp.requests.append((self.command, parts.path))
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        return parts.path, query

    def _read_form(self) -> dict[str, str]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8") if length else ""
        return {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}

    def _send(self, status: int, headers: dict[str, str], body: Any) -> None:
        payload = b"" if body is None else json.dumps(body).encode("utf-8")
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self):  # noqa: N802 — http.server's naming
        path, query = self._record()
        idp = self.idp
        if path == "/.well-known/openid-configuration":
            self._send(200, {}, idp.discovery())
        elif path == "/jwks":
            self._send(200, {}, {"keys": [idp.public_jwk()]})
        elif path == "/authorize":
            self._send(*idp._authorize(query))
        elif path == "/userinfo":
            self._send(*idp._userinfo(self.headers))
        else:
            self._send(404, {}, {"error": "not_found"})

    def do_POST(self):  # noqa: N802 — http.server's naming
        path, _query = self._record()
        form = self._read_form()
        idp = self.idp
        if path == "/token":
            self._send(*idp._token(self.headers, form))
        elif path == "/userinfo":
            self._send(*idp._userinfo(self.headers))
        elif path == "/authorize":
            self._send(*idp._authorize(form))
        else:
            self._send(404, {}, {"error": "not_found"})
