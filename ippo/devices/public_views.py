"""The agent's two endpoints: no sign-in, no cookies, JSON in and out.

- `POST /agent/enrol`  {"code", "hostname", "platform", "agent_version"} → {"device_id", "token"}.
  The one-time code is claimed atomically; an unknown, used or expired code is the same 404.
- `POST /agent/report` with `Authorization: Bearer <token>` and the raw evidence → {"status", "results"}.
  A missing or wrong token is 401. Bodies over MAX_REPORT_BYTES are refused with 413 before being read.
- Both are rate limited (per client address, kept only as a keyed hash for a minute; per device) → 429.
- CSRF: exempt on purpose. No cookie or session is read; the token in the header is the credential, which a
  third-party page cannot add to a cross-site request.
"""

from __future__ import annotations

import json

from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_scopes import scope

from ippo.devices import services
from ippo.sharing import throttle

MAX_ENROL_BYTES = 4 * 1024
ENROL_PER_CLIENT = 10  # per minute
REPORTS_PER_DEVICE = 30  # per hour
REQUESTS_PER_CLIENT = 120  # per minute, both endpoints


def _error(status: int, code: str) -> JsonResponse:
    response = JsonResponse({"error": code}, status=status)
    if status == 429:
        response["Retry-After"] = "60"
    if status == 401:
        response["WWW-Authenticate"] = "Bearer"
    return response


def _read_json(request, limit: int):
    """The body as a dict, or an error response (413 too large, 400 not JSON)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None, _error(400, "bad_length")
    if declared > limit:
        return None, _error(413, "too_large")
    body = request.read(limit + 1)
    if len(body) > limit:
        return None, _error(413, "too_large")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None, _error(400, "bad_json")
    if not isinstance(data, dict):
        return None, _error(400, "bad_json")
    return (data, len(body)), None


def _client_over_limit(request, scope_name: str, limit: int) -> bool:
    key = throttle.client_key(request)
    per_scope = throttle.over_limit(scope_name, key, limit=limit)
    overall = throttle.over_limit("agent-client", key, limit=REQUESTS_PER_CLIENT)
    return per_scope or overall


@csrf_exempt
@never_cache
@require_POST
def enrol(request):
    if _client_over_limit(request, "agent-enrol", ENROL_PER_CLIENT):
        return _error(429, "rate_limited")
    parsed, error = _read_json(request, MAX_ENROL_BYTES)
    if error:
        return error
    data, _size = parsed
    code, hostname, platform = data.get("code"), data.get("hostname", ""), data.get("platform", "")
    if not isinstance(code, str) or not isinstance(hostname, str) or not isinstance(platform, str):
        return _error(400, "bad_request")
    version = data.get("agent_version") if isinstance(data.get("agent_version"), str) else ""
    try:
        device, token = services.device_enrol(
            code=code, hostname=hostname, platform=platform, agent_version=version
        )
    except services.EnrolmentRefused:
        return _error(404, "unknown_code")
    return JsonResponse({"device_id": device.pk, "token": token}, status=201)


@csrf_exempt
@never_cache
@require_POST
def report(request):
    if _client_over_limit(request, "agent-report", REQUESTS_PER_CLIENT):
        return _error(429, "rate_limited")
    header = request.META.get("HTTP_AUTHORIZATION", "")
    token = header[7:].strip() if header[:7].lower() == "bearer " else ""
    device = services.device_for_token(token)
    if device is None:
        return _error(401, "bad_token")
    if throttle.over_limit("agent-device", str(device.pk), limit=REPORTS_PER_DEVICE, window=3600):
        return _error(429, "rate_limited")
    parsed, error = _read_json(request, services.MAX_REPORT_BYTES)
    if error:
        return error
    data, size = parsed
    with scope(organization=device.organization):
        try:
            saved = services.device_report_receive(device=device, payload=data, size=size, now=timezone.now())
        except services.ValidationError:
            return _error(400, "bad_evidence")
    summary = {row["key"]: row["status"] for row in saved.results}
    return JsonResponse({"status": "ok", "results": summary, "message": "report received"})
