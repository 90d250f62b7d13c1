"""Notifications: e-mail to members and messages to chat webhooks (Slack, Microsoft Teams, Chatwork, or any
service that accepts signed JSON).

Features call one function and never talk to a mail server or a chat service themselves:

    notification_send(
        org=org, event="task.due", users=[assignee],
        subject=lambda: _("Due this week: %(title)s") % {"title": task.title},
        body=lambda: _("…"),
        url=reverse("org:…", args=[org.slug, task.pk]),
    )

That writes one `Delivery` row per recipient and per active chat webhook, and enqueues the
`ippo.core.tasks.deliver` task for each once the transaction commits. Pass *callables* for the subject and
body: each person's copy is rendered in their own language, chat messages in the installation's default
language (IPPO_LANGUAGE).

Sending is "at least once": a worker claims a row with a conditional UPDATE (`delivery_claim`) that also
leases it for CLAIM_LEASE, so several workers can run at once without sending a message twice; a worker
that dies mid-send leaves the row to be claimed again when the lease runs out. Failures are retried after
1 min, 5 min, 30 min, 2 h and 12 h; after MAX_ATTEMPTS the row is marked gave_up. Generic webhooks carry the
delivery ID so receivers can drop the rare duplicate.

Functions take `now` where time matters, so tests control the clock.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from ippo.core.audit import audit_record
from ippo.core.models import ChatWebhook, Delivery, Membership, NotificationPreference, Organization
from ippo.lib.crypto import encrypt

logger = logging.getLogger(__name__)

# Wait after the 1st, 2nd, … failed attempt. The attempt after the last one is final.
BACKOFF: tuple[timedelta, ...] = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
# A claimed row is not claimed again for this long: longer than any one attempt can take.
CLAIM_LEASE = timedelta(minutes=5)
WEBHOOK_TIMEOUT = 10  # seconds
ERROR_MAX = 500
TEST_EVENT = "notification.test"
CHATWORK_API_BASE = "https://api.chatwork.com/v2"  # settings.IPPO_CHATWORK_API_BASE overrides it (tests)
USER_AGENT = "ippo-notify/1"

Text = Callable[[], str] | str

_RETRYABLE = (Delivery.Status.PENDING, Delivery.Status.FAILED)


class DeliveryError(Exception):
    """One attempt failed. `permanent` failures are not retried (the webhook was removed, the address is
    not allowed, the person left the organisation)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


# --- Sending -------------------------------------------------------------------------------------------


@transaction.atomic
def notification_send(
    *,
    org: Organization,
    event: str,
    users: Iterable,
    subject: Text,
    body: Text,
    url: str = "",
    webhooks: bool = True,
) -> list[Delivery]:
    """Queue a notification about `org` and return the deliveries created.

    - `event`: a short dotted name of what happened (`task.due`, `incident.reported`), kept on each row.
    - `users`: who should get an e-mail. People who are not members of `org`, are deactivated or have
      switched e-mail off for `org` (NotificationPreference) are skipped silently.
    - `subject`, `body`: plain text, or callables returning it (rendered in each recipient's language).
    - `url`: a link into ippo; a path such as `/o/acme/…` is made absolute with IPPO_BASE_URL.
    - `webhooks`: also post to every active chat webhook of `org`.

    The `deliver` task is enqueued for each row after the surrounding transaction commits.
    """
    with scope(organization=org):
        deliveries = _deliveries_build(
            org=org, event=event, users=users, subject=subject, body=body, url=url, webhooks=webhooks
        )
    for delivery in deliveries:
        _enqueue(delivery.pk)
    return deliveries


def _deliveries_build(
    *,
    org: Organization,
    event: str,
    users: Iterable,
    subject: Text,
    body: Text,
    url: str,
    webhooks: bool,
    only_webhook: ChatWebhook | None = None,
) -> list[Delivery]:
    now = timezone.now()
    url = _absolute(url)
    rows: list[Delivery] = []
    user_ids = {user.pk for user in users if user is not None and user.pk is not None}
    if user_ids:
        muted = set(
            NotificationPreference.objects.filter(
                organization=org, user_id__in=user_ids, email_enabled=False
            ).values_list("user_id", flat=True)
        )
        members = (
            Membership.objects.filter(organization=org, user_id__in=user_ids - muted, user__is_active=True)
            .select_related("user")
            .order_by("user_id")
        )
        for membership in members:
            user = membership.user
            language = user.language or settings.LANGUAGE_CODE
            rows.append(
                Delivery(
                    organization=org,
                    channel=Delivery.Channel.EMAIL,
                    recipient=user,
                    to_address=user.email,
                    subject=_one_line(_render(subject, language)),
                    body=_render(body, language),
                    url=url,
                    event=event,
                    next_attempt_at=now,
                )
            )
    if webhooks or only_webhook is not None:
        hooks = (
            [only_webhook]
            if only_webhook
            else list(ChatWebhook.objects.filter(organization=org, is_active=True))
        )
        if hooks:
            language = settings.LANGUAGE_CODE
            hook_subject, hook_body = _one_line(_render(subject, language)), _render(body, language)
            rows.extend(
                Delivery(
                    organization=org,
                    channel=Delivery.Channel.WEBHOOK,
                    webhook=hook,
                    subject=hook_subject,
                    body=hook_body,
                    url=url,
                    event=event,
                    next_attempt_at=now,
                )
                for hook in hooks
            )
    return Delivery.objects.bulk_create(rows)


def _render(text: Text, language: str) -> str:
    if callable(text):
        with translation.override(language):
            return str(text())
    return str(text)


def _one_line(text: str) -> str:
    """Mail subjects must not contain line breaks (header injection); keep them short."""
    return " ".join(text.split())[:300]


def _absolute(url: str) -> str:
    return settings.BASE_URL + url if url.startswith("/") else url


def _enqueue(delivery_id: int, *, run_after: datetime | None = None) -> None:
    """Enqueue `deliver` once the current transaction commits (at once outside a transaction)."""
    from ippo.core.tasks import deliver

    task = deliver
    if run_after is not None:
        if not deliver.get_backend().supports_defer:
            return  # e.g. the immediate backend in tests: `deliveries_retry_due` picks the row up
        task = deliver.using(run_after=run_after)
    transaction.on_commit(partial(_enqueue_now, task, delivery_id))


def _enqueue_now(task, delivery_id: int) -> None:
    # Runs after commit: the row is saved, so a failure here must not turn the caller's page into an
    # error. `ippo notify retry` sends rows that were never enqueued.
    try:
        task.enqueue(delivery_id)
    except Exception:
        logger.exception("Could not enqueue delivery %s", delivery_id)


# --- Claiming and attempting ---------------------------------------------------------------------------


def delivery_claim(*, delivery_id: int, now: datetime | None = None) -> Delivery | None:
    """Claim one delivery that is due, for this worker only; None when it isn't due or another worker has it.

    The conditional UPDATE is the lock: of several workers racing for the row, exactly one changes it
    (status pending, next attempt pushed CLAIM_LEASE ahead); the others update nothing.
    """
    now = now or timezone.now()
    with scopes_disabled():
        claimed = Delivery.objects.filter(
            pk=delivery_id, status__in=_RETRYABLE, next_attempt_at__lte=now
        ).update(status=Delivery.Status.PENDING, next_attempt_at=now + CLAIM_LEASE)
        if not claimed:
            return None
        return Delivery.objects.select_related("organization", "recipient", "webhook").get(pk=delivery_id)


def deliveries_claim_due(*, now: datetime | None = None, limit: int = 100) -> list[Delivery]:
    """Claim up to `limit` deliveries that are due: failed ones whose next attempt has come, and pending
    ones never picked up (their task was lost) or whose worker died (lease over)."""
    now = now or timezone.now()
    with scopes_disabled():
        candidates = list(
            Delivery.objects.filter(status__in=_RETRYABLE, next_attempt_at__lte=now)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
    claimed = (delivery_claim(delivery_id=pk, now=now) for pk in candidates)
    return [delivery for delivery in claimed if delivery is not None]


def deliveries_retry_due(*, now: datetime | None = None, limit: int = 100) -> int:
    """Attempt every delivery that is due (see deliveries_claim_due); return how many were attempted."""
    now = now or timezone.now()
    deliveries = deliveries_claim_due(now=now, limit=limit)
    for delivery in deliveries:
        delivery_attempt(delivery, now=now)
    return len(deliveries)


def delivery_attempt(delivery: Delivery, *, now: datetime | None = None) -> Delivery:
    """Make one attempt to send a delivery the caller has claimed, and record the outcome on the row.

    Success: status sent. Failure: attempts + 1, the error (at most ERROR_MAX characters, secrets removed),
    status failed and the next attempt after BACKOFF; gave_up after MAX_ATTEMPTS, at once for permanent
    failures, and for test messages (they are not retried). Never raises for a failed send.
    """
    now = now or timezone.now()
    secret_values: list[str] = []
    # Error messages are read by the organisation's owner: the installation's language, like chat messages.
    with translation.override(settings.LANGUAGE_CODE):
        try:
            if delivery.channel == Delivery.Channel.EMAIL:
                _send_email(delivery)
            else:
                _send_webhook(delivery, now=now, secret_values=secret_values)
        except DeliveryError as exc:
            error, permanent = str(exc), exc.permanent
        except Exception as exc:
            logger.exception("Delivery %s failed unexpectedly", delivery.pk)
            error, permanent = f"{type(exc).__name__}: {exc}", False
        else:
            error, permanent = None, False

    delivery.attempts += 1
    if error is None:
        delivery.status = Delivery.Status.SENT
        delivery.sent_at = now
        delivery.last_error = ""
    else:
        delivery.last_error = _redact(error, secret_values)[:ERROR_MAX]
        if permanent or delivery.attempts >= MAX_ATTEMPTS or delivery.event == TEST_EVENT:
            delivery.status = Delivery.Status.GAVE_UP
        else:
            delivery.status = Delivery.Status.FAILED
            delivery.next_attempt_at = now + BACKOFF[delivery.attempts - 1]
        logger.warning(
            "Delivery %s attempt %s failed: %s", delivery.pk, delivery.attempts, delivery.last_error
        )
    delivery.save(update_fields=["attempts", "status", "sent_at", "last_error", "next_attempt_at"])
    if delivery.status == Delivery.Status.FAILED:
        _enqueue(delivery.pk, run_after=delivery.next_attempt_at)
    return delivery


def _redact(text: str, values: list[str]) -> str:
    for value in sorted(filter(None, values), key=len, reverse=True):
        text = text.replace(value, "…")
    return text


def _send_email(delivery: Delivery) -> None:
    recipient = delivery.recipient
    org = delivery.organization
    with scopes_disabled():
        is_member = (
            recipient is not None
            and recipient.is_active
            and Membership.objects.filter(organization=org, user=recipient).exists()
        )
    if not is_member:
        raise DeliveryError(_("The recipient no longer belongs to the organisation."), permanent=True)
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        context = {
            "org_name": org.name,
            "body": delivery.body,
            "url": delivery.url,
            "preferences_url": settings.BASE_URL
            + reverse("org:notificationpreference_edit", args=[org.slug]),
        }
        text = render_to_string("core/email/notification.txt", context)
    message = EmailMessage(
        subject=_one_line(f"[{org.name}] {delivery.subject}"),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.to_address],
        headers={"Auto-Submitted": "auto-generated"},
    )
    try:
        message.send()
    except (OSError, ValueError) as exc:  # smtplib errors are OSErrors
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc


def _send_webhook(delivery: Delivery, *, now: datetime, secret_values: list[str]) -> None:
    hook = delivery.webhook
    if hook is None:
        raise DeliveryError(_("The chat webhook was removed."), permanent=True)
    if not hook.is_active:
        raise DeliveryError(_("The chat webhook is switched off."), permanent=True)
    try:
        address = hook.get_url()
        token = hook.get_token()
        signing_secret = hook.get_secret()
    except ValueError as exc:  # wrong or missing IPPO_ENCRYPTION_KEY: may be fixed, so retry
        raise DeliveryError(str(exc)) from exc
    secret_values += [address, token, signing_secret, urllib.parse.quote(address, safe="")]
    subject, body, link = delivery.subject, delivery.body, delivery.url

    if hook.kind == ChatWebhook.Kind.SLACK:
        _post(
            address, _json({"text": _slack_text(subject, body, link)}), {"Content-Type": "application/json"}
        )
    elif hook.kind == ChatWebhook.Kind.TEAMS:
        _post(address, _json(_teams_card(subject, body, link)), {"Content-Type": "application/json"})
    elif hook.kind == ChatWebhook.Kind.CHATWORK:
        base = getattr(settings, "IPPO_CHATWORK_API_BASE", CHATWORK_API_BASE).rstrip("/")
        endpoint = f"{base}/rooms/{urllib.parse.quote(address, safe='')}/messages"
        form = urllib.parse.urlencode({"body": _chatwork_text(subject, body, link)}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", "X-ChatWorkToken": token}
        _post(endpoint, form, headers)
    elif hook.kind == ChatWebhook.Kind.GENERIC:
        payload = _json(
            {
                "event": delivery.event,
                "subject": subject,
                "body": body,
                "url": link,
                "organization": delivery.organization.slug,
                "delivery": delivery.pk,
                "timestamp": now.isoformat(),
            }
        )
        headers = {
            "Content-Type": "application/json",
            "X-Ippo-Event": delivery.event,
            "X-Ippo-Delivery": str(delivery.pk),
            "X-Ippo-Signature": "sha256=" + webhook_signature(secret=signing_secret, body=payload),
        }
        _post(address, payload, headers)
    else:
        raise DeliveryError(f"unknown webhook kind {hook.kind!r}", permanent=True)


def webhook_signature(*, secret: str, body: bytes) -> str:
    """The hex HMAC-SHA256 of a generic webhook's body; sent as `X-Ippo-Signature: sha256=<hex>`."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _json(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_text(subject: str, body: str, link: str) -> str:
    text = f"*{_slack_escape(subject)}*\n{_slack_escape(body)}"
    return f"{text}\n<{link}>" if link else text


def _teams_card(subject: str, body: str, link: str) -> dict:
    """An Adaptive Card in a message envelope: accepted by Teams Workflows webhooks (which take Adaptive
    Cards only) and by the older Office 365 connector webhooks alike."""
    card: dict = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {"type": "TextBlock", "text": subject, "weight": "Bolder", "size": "Medium", "wrap": True},
            {"type": "TextBlock", "text": body, "wrap": True},
        ],
    }
    if link:
        card["actions"] = [{"type": "Action.OpenUrl", "title": _("Open in ippo"), "url": link}]
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
        ],
    }


def _chatwork_text(subject: str, body: str, link: str) -> str:
    text = f"{body}\n{link}" if link else body
    return f"[info][title]{subject}[/title]{text}[/info]"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect could lead the POST to an address we never checked: treat it as a failure."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _post(url: str, data: bytes, headers: dict[str, str]) -> None:
    _check_destination(url)
    request = urllib.request.Request(  # noqa: S310 — scheme checked: http(s) only
        url, data=data, method="POST", headers={"User-Agent": USER_AGENT, **headers}
    )
    try:
        with _opener.open(request, timeout=WEBHOOK_TIMEOUT) as response:
            response.read(65536)
    except urllib.error.HTTPError as exc:
        detail = exc.read(300).decode("utf-8", "replace").strip() if exc.fp else ""
        raise DeliveryError(f"HTTP {exc.code} {exc.reason}" + (f": {detail}" if detail else "")) from exc
    except urllib.error.URLError as exc:
        raise DeliveryError(_error_text(exc.reason)) from exc
    except (OSError, ValueError) as exc:  # timeouts, resets, malformed responses
        raise DeliveryError(_error_text(exc)) from exc


def _error_text(reason) -> str:
    if isinstance(reason, BaseException):
        return f"{type(reason).__name__}: {reason}"
    return str(reason)


# --- Addresses -----------------------------------------------------------------------------------------


def webhook_url_problem(url: str) -> str | None:
    """Why a webhook address can't be used, for the person entering it; None when it is acceptable.

    Only http and https; plain http only to this machine (loopback) or with IPPO_DEBUG.
    """
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 — raises ValueError for a malformed port
    except ValueError:
        return _("This is not a valid web address.")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return _("Enter the full address, starting with https://.")
    if len(url) > 2000:
        return _("This address is too long.")
    if parts.scheme == "http" and not (settings.DEBUG or _is_loopback(parts.hostname)):
        return _("Use an address that starts with https://, so that messages are encrypted on the way.")
    return None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_destination(url: str) -> None:
    """Refuse addresses a webhook must never reach: non-http(s), plain http to another machine, and
    link-local, multicast or reserved addresses (such as a cloud provider's metadata service)."""
    problem = webhook_url_problem(url)
    if problem:
        raise DeliveryError(problem, permanent=True)
    parts = urllib.parse.urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:  # the name may resolve later: retry
        raise DeliveryError(f"cannot resolve {parts.hostname}: {exc}") from exc
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        if ip.is_link_local or ip.is_multicast or ip.is_unspecified or ip.is_reserved:
            raise DeliveryError(
                _("This address points to a reserved network address (%(ip)s), which is not allowed.")
                % {"ip": ip},
                permanent=True,
            )


def destination_hint(kind: str, destination: str) -> str:
    """What the pages show instead of a secret: the host and the last four characters."""
    if kind == ChatWebhook.Kind.CHATWORK:
        return f"chatwork.com/#!rid…{destination[-4:]}"
    host = urllib.parse.urlsplit(destination).hostname or ""
    return f"{host}/…{destination.rstrip('/')[-4:]}"


# --- Chat webhooks (owner pages, `ippo notify`) --------------------------------------------------------


@transaction.atomic
def chatwebhook_create(
    *,
    actor,
    org: Organization,
    kind: str,
    name: str,
    url: str = "",
    room_id: str = "",
    token: str = "",
    via: str = "web",
) -> tuple[ChatWebhook, str]:
    """Add a chat webhook. Returns it and, for a generic webhook, its new signing secret — to show once:
    it is stored encrypted and never displayed again. For other kinds the second value is "".

    Slack, Teams, generic: `url`. Chatwork: `room_id` and `token`. Raises ValidationError naming the field.
    """
    name, url, room_id, token = name.strip(), url.strip(), room_id.strip(), token.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Please give the webhook a name, such as the channel it posts to.")
    if kind not in ChatWebhook.Kind.values:
        errors["kind"] = _("Please choose a service from the list.")
    elif kind == ChatWebhook.Kind.CHATWORK:
        if not room_id.isdigit():
            errors["room_id"] = _("Enter the room ID: the digits after “rid” in the room's address.")
        if not token or any(ch.isspace() for ch in token):
            errors["token"] = _("Enter the API token from Chatwork's service settings.")
    else:
        problem = (
            webhook_url_problem(url) if url else _("Enter the webhook address that the service gave you.")
        )
        if problem:
            errors["url"] = problem
    if errors:
        raise ValidationError(errors)

    destination = room_id if kind == ChatWebhook.Kind.CHATWORK else url
    signing_secret = secrets.token_urlsafe(32) if kind == ChatWebhook.Kind.GENERIC else ""
    with scope(organization=org):
        webhook = ChatWebhook.objects.create(
            organization=org,
            kind=kind,
            name=name,
            url_encrypted=encrypt(destination),
            token_encrypted=encrypt(token) if kind == ChatWebhook.Kind.CHATWORK else "",
            secret_encrypted=encrypt(signing_secret) if signing_secret else "",
            hint=destination_hint(kind, destination),
        )
    audit_record(
        action="notification.webhook_added",
        actor=actor,
        org=org,
        target=webhook,
        data={"name": name, "kind": kind, "destination": webhook.hint},
        via=via,
    )
    return webhook, signing_secret


@transaction.atomic
def chatwebhook_delete(*, actor, org: Organization, webhook: ChatWebhook, via: str = "web") -> None:
    """Remove a chat webhook; its unsent messages are given up."""
    with scope(organization=org):
        Delivery.objects.filter(organization=org, webhook=webhook, status__in=_RETRYABLE).update(
            status=Delivery.Status.GAVE_UP, last_error=_("The chat webhook was removed.")
        )
    audit_record(
        action="notification.webhook_removed",
        actor=actor,
        org=org,
        target=webhook,
        data={"name": webhook.name, "kind": webhook.kind, "destination": webhook.hint},
        via=via,
    )
    webhook.delete()


def chatwebhook_send_test(
    *, org: Organization, webhook: ChatWebhook, now: datetime | None = None
) -> Delivery:
    """Send a test message to one webhook now, in this process, and return the delivery with its outcome
    (sent, or gave_up with the error: test messages are not retried). Don't call it inside a transaction:
    it waits for the chat service (at most WEBHOOK_TIMEOUT seconds)."""

    def subject() -> str:
        return _("Test message from ippo")

    def body() -> str:
        return _(
            "This is a test message from ippo for %(org)s. If you can read it, notifications to “%(name)s” work."
        ) % {"org": org.name, "name": webhook.name}

    with transaction.atomic(), scope(organization=org):
        (delivery,) = _deliveries_build(
            org=org,
            event=TEST_EVENT,
            users=[],
            subject=subject,
            body=body,
            url="",
            webhooks=False,
            only_webhook=webhook,
        )
    now = now or timezone.now()
    claimed = delivery_claim(delivery_id=delivery.pk, now=now)
    return delivery_attempt(claimed, now=now) if claimed else delivery


# --- Personal preferences ------------------------------------------------------------------------------


def notificationpreference_for(*, org: Organization, user) -> NotificationPreference:
    """The person's settings for `org`; an unsaved row with the defaults when they never changed them."""
    with scope(organization=org):
        found = NotificationPreference.objects.filter(organization=org, user=user).first()
    return found or NotificationPreference(organization=org, user=user)


@transaction.atomic
def notificationpreference_update(
    *, org: Organization, user, email_enabled: bool, digest_enabled: bool
) -> NotificationPreference:
    with scope(organization=org):
        preference, _created = NotificationPreference.objects.update_or_create(
            organization=org,
            user=user,
            defaults={"email_enabled": email_enabled, "digest_enabled": digest_enabled},
        )
    return preference


# --- Housekeeping --------------------------------------------------------------------------------------


def deliveries_prune(*, before: datetime) -> int:
    """Delete sent and given-up deliveries created before `before` (they hold e-mail addresses and message
    text); return how many were deleted."""
    with scopes_disabled():
        deleted, _per_model = Delivery.objects.filter(
            status__in=[Delivery.Status.SENT, Delivery.Status.GAVE_UP], created_at__lt=before
        ).delete()
    return deleted
