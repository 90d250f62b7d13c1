"""Drill tracking: what the links in a drill mail record, and nothing more.

Every event is stored as its *kind* and its *time* (`DrillEvent(kind, at, likely_scanner)`), and the first
time each thing happened is copied onto the `Recipient` (`opened_at`, `clicked_at` …) with a conditional
UPDATE, so two workers answering the same person at once never overwrite each other. Nothing about the
request is stored or read: no IP address, user agent, referrer, location — and never a request body (the
practice sign-in form is recorded as "a submit happened", see `public_views.practice_submit`).

Link scanners (mail-security gateways, chat previews) open links before people do. A click is therefore
stored as *likely a scanner* until a human action on the page confirms it (`click_confirm`: the page's
"continue" button, or the small script in `ippo/static/js/phishing-landing.js` that posts once a person
moves, scrolls, taps or types). A confirmation that comes within `IPPO_DRILL_SCANNER_SECONDS` (default
60) of sending does not clear the flag of the clicks made in that first minute. Results count only
confirmed ("verified") clicks; the others are shown separately.

After `IPPO_DRILL_RETENTION_DAYS` (default 180) from a drill's end, `events_purge_due` keeps the drill's
aggregate figures in `Drill.summary` and deletes the per-person events and times.
"""

from __future__ import annotations

import hashlib
import threading
from contextlib import nullcontext
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django_scopes import scope, scopes_disabled

from ippo.phishing.models import Drill, DrillEvent, Recipient

Kind = DrillEvent.Kind

# The first-time field on Recipient for each kind of event.
FIRST_FIELD = {
    Kind.SENT: "sent_at",
    Kind.OPENED: "opened_at",
    Kind.CLICKED: "clicked_at",
    Kind.CLICK_CONFIRMED: "verified_click_at",
    Kind.SUBMITTED: "submitted_at",
    Kind.REPORTED: "reported_at",
}


def scanner_seconds() -> int:
    return int(getattr(settings, "IPPO_DRILL_SCANNER_SECONDS", 60))


def retention_days() -> int:
    return int(getattr(settings, "IPPO_DRILL_RETENTION_DAYS", 180))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def recipient_for_token(token: str) -> Recipient | None:
    """The recipient a mail token belongs to, or None (unknown, malformed, or personal results deleted).

    The lookup is by the token's SHA-256 and deliberately unscoped: the token alone says which organisation
    it belongs to. The caller activates that organisation's scope before touching anything else."""
    if not token or len(token) > 200:
        return None
    with scopes_disabled():
        # No ORDER BY (unlike .first()): the lookup must use the unique index on token_hash.
        found = list(
            Recipient.objects.select_related("drill", "drill__profile", "organization", "employee")
            .filter(token_hash=token_hash(token), drill__purged_at__isnull=True)
            .order_by()[:1]
        )
    return found[0] if found else None


# SQLite has one writer at a time, and a writer that finds the database busy sleeps in steps of up to 100 ms
# before trying again. Threads of one web worker therefore queue for the write on a lock of their own, which
# hands over at once; only the worker processes still meet in SQLite. PostgreSQL needs no such thing.
_SQLITE_WRITE_LOCK = threading.Lock()


def _write_lock():
    return _SQLITE_WRITE_LOCK if connection.vendor == "sqlite" else nullcontext()


def _record(recipient: Recipient, kind: str, *, now: datetime, likely_scanner: bool = False) -> bool:
    """Store one event and, if it is the first of its kind, its time on the recipient. True if first."""
    field = FIRST_FIELD[kind]
    with _write_lock(), scope(organization=recipient.organization_id), transaction.atomic():
        DrillEvent.objects.create(
            organization_id=recipient.organization_id,
            recipient=recipient,
            kind=kind,
            at=now,
            likely_scanner=likely_scanner,
        )
        # The recipient was just read: when the first time is already known, skip the (no-op) UPDATE.
        first = getattr(recipient, field) is None and (
            Recipient.objects.filter(pk=recipient.pk, **{f"{field}__isnull": True}).update(**{field: now}) == 1
        )
    if first:
        setattr(recipient, field, now)
    return first


def _within_scanner_window(recipient: Recipient, now: datetime) -> bool:
    return recipient.sent_at is not None and now < recipient.sent_at + timedelta(seconds=scanner_seconds())


def open_record(recipient: Recipient, *, now: datetime) -> bool:
    """The tracking image was loaded (mail clients and scanners both do this; it is only a hint)."""
    return _record(recipient, Kind.OPENED, now=now)


def click_record(recipient: Recipient, *, now: datetime) -> bool:
    """The link in the mail was fetched. Stored as likely a scanner until a person confirms it."""
    return _record(recipient, Kind.CLICKED, now=now, likely_scanner=True)


def click_confirm(recipient: Recipient, *, now: datetime) -> bool:
    """A human action on the landing page (a POST, never a GET). Marks the click as verified and clears
    the scanner flag of the clicks made after the first `scanner_seconds()` from sending."""
    first = _record(recipient, Kind.CLICK_CONFIRMED, now=now)
    window_end = (recipient.sent_at or now) + timedelta(seconds=scanner_seconds())
    with scope(organization=recipient.organization_id):
        DrillEvent.objects.filter(
            recipient=recipient, kind=Kind.CLICKED, likely_scanner=True, at__gte=window_end
        ).update(likely_scanner=False)
        if recipient.clicked_at is None:
            # Someone reached the page without the click being recorded (e.g. it was opened from a
            # forwarded copy of the page): the confirmation implies the click.
            _record(recipient, Kind.CLICKED, now=now, likely_scanner=_within_scanner_window(recipient, now))
    return first


def submit_record(recipient: Recipient, *, now: datetime) -> bool:
    """The practice form was submitted. Only that fact: the caller never reads the request body. A submit
    is a human action, so it also confirms the click."""
    click_confirm(recipient, now=now)
    return _record(recipient, Kind.SUBMITTED, now=now)


def report_record(recipient: Recipient, *, now: datetime) -> bool:
    """The person reported the mail (the report page's button, or a report matched by another channel)."""
    return _record(recipient, Kind.REPORTED, now=now)


# --- Retention ----------------------------------------------------------------------------------------------


def drills_purge_due_queryset(*, now: datetime):
    cutoff = now - timedelta(days=retention_days())
    return Drill.objects.filter(
        status=Drill.Status.FINISHED, finished_at__lt=cutoff, purged_at__isnull=True
    ).order_by("pk")


def events_purge_due(*, org, now: datetime) -> int:
    """For the organisation's drills that finished more than `IPPO_DRILL_RETENTION_DAYS` ago: keep the
    aggregate figures in `Drill.summary` (overall and per department of five or more people), then delete
    the per-person events and blank the per-person times, e-mail addresses, tokens and links to employees.

    Idempotent and safe for concurrent clocks: each drill is claimed with a conditional UPDATE on
    `purged_at`. Returns the number of drills purged. Call it from the phishing clock.
    """
    from ippo.phishing.results import drill_results_compute

    purged = 0
    with scope(organization=org):
        for drill in list(drills_purge_due_queryset(now=now)):
            with transaction.atomic():
                summary = drill_results_compute(drill, for_storage=True)
                summary["purged_at"] = now.isoformat()
                claimed = Drill.objects.filter(pk=drill.pk, purged_at__isnull=True).update(
                    purged_at=now, summary=summary
                )
                if not claimed:
                    continue
                DrillEvent.objects.filter(recipient__drill=drill).delete()
                Recipient.objects.filter(drill=drill).update(
                    email="",
                    employee=None,
                    token_hash=None,
                    opened_at=None,
                    clicked_at=None,
                    verified_click_at=None,
                    submitted_at=None,
                    reported_at=None,
                    send_after=None,
                    claimed_at=None,
                    sent_at=None,
                    send_error="",
                )
                _audit_purge(org=org, drill=drill)
            purged += 1
    return purged


def _audit_purge(*, org, drill: Drill) -> None:
    from ippo.core.audit import audit_record

    audit_record(action="drill.personal_results_deleted", org=org, target=drill, via="clock")

