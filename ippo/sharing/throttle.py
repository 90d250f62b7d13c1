"""A fixed-window request counter in Django's cache, for the public pages (share links, verification).

`over_limit("share", key, limit=60)` counts one request for `key` in the current minute and says whether
it went past `limit`. Two counters guard each public page: one per token or code (a leaked link being
hammered), and one per client (someone trying many codes). The client counter is keyed by a keyed hash of
the address, kept in the cache for a minute and never written anywhere else: the audit log records no
address at all.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 60
PER_KEY_LIMIT = 60  # requests per token or per code per minute
PER_CLIENT_LIMIT = 120  # requests per client per minute, over all share and verification pages


def over_limit(scope: str, key: str, *, limit: int, window: int = WINDOW_SECONDS) -> bool:
    bucket = f"ippo:throttle:{scope}:{key}:{int(time.time() // window)}"
    if cache.add(bucket, 1, timeout=window + 5):
        return limit < 1
    try:
        count = cache.incr(bucket)
    except ValueError:  # expired between add() and incr()
        cache.set(bucket, 1, timeout=window + 5)
        count = 1
    return count > limit


def client_key(request) -> str:
    address = request.META.get("REMOTE_ADDR", "")
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()[:32]


def request_over_limit(request, scope: str, key: str) -> bool:
    """Count this request against both the per-key and the per-client counter."""
    per_key = over_limit(scope, key, limit=PER_KEY_LIMIT)
    per_client = over_limit("client", client_key(request), limit=PER_CLIENT_LIMIT)
    return per_key or per_client
