"""Cloud sign-in coverage collectors: Microsoft 365 (Graph) and Google Workspace (Directory API).

Collectors only fetch and count; the verdict comes from ippo.devices.evaluators. HTTP goes through
urllib with short timeouts. The API addresses come from the connector's `base_url` when set (tests point
it at a local server replaying recorded responses), else the real services. Nothing here writes.
"""

from __future__ import annotations

import base64
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from ippo.devices import evaluators
from ippo.devices.results import UNKNOWN, CheckResult

TIMEOUT = 20
MAX_BODY = 5 * 1024 * 1024
MAX_PAGES = 200
USER_AGENT = "ippo (https://github.com/ippo-project; read-only sign-in coverage check)"

M365_LOGIN = "https://login.microsoftonline.com"
M365_GRAPH = "https://graph.microsoft.com"
GOOGLE_DIRECTORY = "https://admin.googleapis.com"
GOOGLE_SCOPE = "https://www.googleapis.com/auth/admin.directory.user.readonly"
LICENCE_ERROR = "Authentication_RequestFromNonPremiumTenantOrB2CTenant"


@dataclass
class Outcome:
    result: CheckResult
    method: str
    users_total: int | None = None
    users_mfa: int | None = None
    admins_total: int | None = None
    admins_mfa: int | None = None
    security_defaults: bool | None = None
    notes: list = field(default_factory=list)


class ApiError(Exception):
    def __init__(self, status: int, body: dict | None = None, detail: str = ""):
        super().__init__(f"HTTP {status} {detail}")
        self.status, self.body, self.detail = status, body or {}, detail

    @property
    def code(self) -> str:
        error = self.body.get("error")
        return error.get("code", "") if isinstance(error, dict) else str(error or "")


def _request(url: str, *, data: bytes | None = None, headers: dict | None = None) -> dict:
    # Fixed https API addresses (or the test server's); paging links are checked by _same_origin.
    request = urllib.request.Request(url, data=data, headers={"User-Agent": USER_AGENT, **(headers or {})})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            return json.loads(response.read(MAX_BODY) or b"{}")
    except urllib.error.HTTPError as exc:
        try:
            body = json.loads(exc.read(64 * 1024) or b"{}")
        except ValueError:
            body = {}
        raise ApiError(exc.code, body, detail=str(exc.reason)) from None
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        raise ApiError(0, detail=type(exc).__name__) from None


def _same_origin(url: str, base: str) -> bool:
    a, b = urllib.parse.urlsplit(url), urllib.parse.urlsplit(base)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc)


# --- Microsoft 365 ------------------------------------------------------------------------------------------


def m365_token(credentials: dict, *, login_base: str) -> str:
    tenant = urllib.parse.quote(credentials["tenant_id"].strip(), safe="")
    body = urllib.parse.urlencode(
        {
            "client_id": credentials["client_id"],
            "client_secret": credentials["client_secret"],
            "scope": "https://graph.microsoft.com/.default",
            "grant_type": "client_credentials",
        }
    ).encode()
    answer = _request(
        f"{login_base}/{tenant}/oauth2/v2.0/token",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    return answer["access_token"]


def _graph_pages(url: str, *, token: str, graph_base: str):
    for _page in range(MAX_PAGES):
        answer = _request(url, headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})
        yield from answer.get("value", [])
        url = answer.get("@odata.nextLink")
        if not url or not _same_origin(url, graph_base):
            return


def m365_collect(credentials: dict, *, base_url: str = "") -> Outcome:
    login_base, graph_base = (base_url or M365_LOGIN), (base_url or M365_GRAPH)
    token = m365_token(credentials, login_base=login_base)
    try:
        users = [
            u
            for u in _graph_pages(
                f"{graph_base}/v1.0/reports/authenticationMethods/userRegistrationDetails",
                token=token,
                graph_base=graph_base,
            )
            if u.get("userType", "member") == "member"
        ]
    except ApiError as exc:
        if exc.status != 403 or exc.code != LICENCE_ERROR:
            raise
        # No Entra ID P1/P2: the per-person report is unavailable. Fall back to the tenant-wide switch.
        policy = _request(
            f"{graph_base}/v1.0/policies/identitySecurityDefaultsEnforcementPolicy",
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        )
        enabled = bool(policy.get("isEnabled"))
        return Outcome(evaluators.security_defaults(enabled), "security_defaults", security_defaults=enabled)
    admins = [u for u in users if u.get("isAdmin")]
    figures = {
        "users_total": len(users),
        "users_mfa": sum(1 for u in users if u.get("isMfaRegistered")),
        "admins_total": len(admins),
        "admins_mfa": sum(1 for u in admins if u.get("isMfaRegistered")),
    }
    return Outcome(evaluators.mfa_coverage(**figures), "registration_report", **figures)


# --- Google Workspace ---------------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def google_assertion(service_account: dict, *, subject: str, now: float | None = None) -> str:
    """A signed JWT (RS256) for the service account acting as the admin `subject` (domain-wide delegation)."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    now = int(now if now is not None else time.time())
    header = {"alg": "RS256", "typ": "JWT", "kid": service_account.get("private_key_id", "")}
    claims = {
        "iss": service_account["client_email"],
        "sub": subject,
        "scope": GOOGLE_SCOPE,
        "aud": service_account["token_uri"],
        "iat": now,
        "exp": now + 600,
    }
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    key = serialization.load_pem_private_key(service_account["private_key"].encode(), password=None)
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{_b64(signature)}"


def google_collect(credentials: dict, *, base_url: str = "") -> Outcome:
    account = credentials["service_account"]
    token_uri = account.get("token_uri") or "https://oauth2.googleapis.com/token"
    if not base_url and not token_uri.startswith("https://"):
        raise ApiError(0, detail="token_uri")
    assertion = google_assertion(account, subject=credentials["admin_email"])
    body = urllib.parse.urlencode(
        {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion}
    ).encode()
    token = _request(token_uri, data=body, headers={"Content-Type": "application/x-www-form-urlencoded"})[
        "access_token"
    ]
    directory = base_url or GOOGLE_DIRECTORY
    users, page_token = [], ""
    for _page in range(MAX_PAGES):
        query = {"customer": "my_customer", "maxResults": "500", "projection": "basic"}
        if page_token:
            query["pageToken"] = page_token
        answer = _request(
            f"{directory}/admin/directory/v1/users?{urllib.parse.urlencode(query)}",
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        )
        users.extend(u for u in answer.get("users", []) if not u.get("suspended") and not u.get("archived"))
        page_token = answer.get("nextPageToken", "")
        if not page_token:
            break
    admins = [u for u in users if u.get("isAdmin") or u.get("isDelegatedAdmin")]
    figures = {
        "users_total": len(users),
        "users_mfa": sum(1 for u in users if u.get("isEnrolledIn2Sv")),
        "admins_total": len(admins),
        "admins_mfa": sum(1 for u in admins if u.get("isEnrolledIn2Sv")),
    }
    outcome = Outcome(evaluators.mfa_coverage(**figures), "directory", **figures)
    outcome.notes.append({"enforced": sum(1 for u in users if u.get("isEnforcedIn2Sv"))})
    return outcome


def collect(connector) -> Outcome:
    """Run the connector; failures become an `unknown` outcome that says why (never a `fail`)."""
    from django.conf import settings

    # IPPO_CLOUD_BASE_URL (a setting, for tests and air-gapped trials) replaces every API address.
    base_url = connector.base_url or getattr(settings, "IPPO_CLOUD_BASE_URL", "")
    try:
        credentials = connector.get_credentials()
        if connector.kind == "m365":
            return m365_collect(credentials, base_url=base_url)
        return google_collect(credentials, base_url=base_url)
    except ApiError as exc:
        if exc.status in (400, 401, 403):
            return Outcome(
                CheckResult("cloud_mfa", UNKNOWN, "cloud_auth_failed", {"detail": exc.code or exc.status}),
                "error",
            )
        return Outcome(
            CheckResult(
                "cloud_mfa", UNKNOWN, "cloud_error", {"detail": exc.code or exc.status or exc.detail}
            ),
            "error",
        )
    except (KeyError, TypeError, ValueError) as exc:
        return Outcome(
            CheckResult("cloud_mfa", UNKNOWN, "cloud_error", {"detail": type(exc).__name__}), "error"
        )
