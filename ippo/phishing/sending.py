"""Sending drill mail: build each message, claim recipients, send through the profile's SMTP server.

- **Never twice.** A recipient is claimed with a conditional UPDATE (`claimed_at IS NULL`) before anything
  is sent; a recipient whose claim another worker won is skipped. A send that fails is recorded on the
  recipient (`send_error`) and not retried: the server may have accepted it before the error.
- **Throttle across workers.** Claims for one sending profile are serialised by a write on the profile's
  row, and a claim takes at most `messages_per_minute` minus what was claimed for that profile in the last
  60 seconds. The sender then spaces the messages it claimed evenly over the minute.
- **Japanese mail done properly.** `email.message.EmailMessage` with `policy.SMTP` writes non-ASCII
  display names and subjects as RFC 2047 encoded words (and any filename as RFC 2231), CRLF line ends,
  a text part and an HTML part.
- **Nothing that gives the drill away.** No tracking or "X-" headers. The Message-ID is on the profile's
  domain. The click link sits exactly where the template's {link} is; a report link follows the body; the
  HTML part carries a 1×1 open-tracking image. Tokens are 128-bit, live only in the mail, and the database
  keeps their SHA-256.
"""

from __future__ import annotations

import hashlib
import html
import logging
import secrets
import smtplib
import ssl
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from ippo.phishing import templates_content
from ippo.phishing.models import Drill, DrillEvent, Recipient, SendingProfile
from ippo.phishing.schedule import JST

log = logging.getLogger(__name__)

SMTP_TIMEOUT = 20
THROTTLE_WINDOW = timedelta(seconds=60)
CLAIM_BATCH = 20  # recipients claimed at a time, so several workers share a big drill

# The line under every drill mail; worded like an ordinary company footer so it does not give the drill away.
REPORT_TEXT = {
    "ja": "不審なメールだと思ったら、こちらから報告してください：",
    "en": "If this message looks suspicious, please report it here:",
}
REPORT_LINK_TEXT = {"ja": "不審なメールを報告する", "en": "Report a suspicious message"}


class ProfileUnavailable(Exception):
    """The SMTP server could not be reached or refused the sign-in; nothing was sent."""


# --- Building a message ---------------------------------------------------------------------------------------


def base_url() -> str:
    return (getattr(settings, "IPPO_BASE_URL", None) or settings.BASE_URL).rstrip("/")


def public_url(name: str, token: str) -> str:
    """Absolute URL of one of the public drill endpoints (drill:open, drill:click, drill:report)."""
    return base_url() + reverse(f"drill:{name}", kwargs={"token": token})


def recipient_urls(token: str) -> dict[str, str]:
    return {name: public_url(name, token) for name in ("click", "report", "open")}


def token_new() -> tuple[str, str]:
    """A fresh 128-bit token for one mail, and the SHA-256 the database keeps."""
    token = secrets.token_urlsafe(16)
    return token, hashlib.sha256(token.encode()).hexdigest()


def domain_of(address: str) -> str:
    return address.rsplit("@", 1)[-1].strip().lower()


def name_parts(full_name: str) -> tuple[str, str]:
    """(family name, given name) from "山田 太郎" (Japanese order, ASCII or full-width space)."""
    parts = full_name.replace("\u3000", " ").split()
    if not parts:
        return "", ""
    return parts[0], " ".join(parts[1:])


def date_text(when: datetime, language: str) -> str:
    day = when.astimezone(JST).date()
    if language == "ja":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {day:%B} {day.year}"


def _language(value: str) -> str:
    return value if value in templates_content.LANGUAGES else "ja"


def message_build(
    *,
    template: templates_content.DrillTemplate,
    language: str,
    to_name: str,
    to_address: str,
    company: str,
    profile: SendingProfile,
    token: str,
    now: datetime,
) -> EmailMessage:
    """One drill mail for one person: text and HTML parts, per-recipient links, encoded headers."""
    language = _language(language)
    urls = recipient_urls(token)
    last, first = name_parts(to_name)
    values = {
        "first_name": first or last,
        "last_name": last,
        "company": company,
        "date": date_text(now, language),
    }
    subject, body = templates_content.template_render(template, language, link=urls["click"], **values)
    marker = "\x00ippo-link\x00"
    _subject, marked = templates_content.template_render(template, language, link=marker, **values)
    sender_name = template.sender_name.get(language).format(link="", **values)
    domain = domain_of(profile.from_address)

    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = Address(display_name=sender_name, addr_spec=f"{template.sender_local_part}@{domain}")
    msg["To"] = Address(display_name=to_name, addr_spec=to_address) if to_name else to_address
    msg["Subject"] = subject
    msg["Date"] = format_datetime(now.astimezone(JST))
    msg["Message-ID"] = make_msgid(domain=domain)

    text = f"{body.rstrip()}\n\n--\n{REPORT_TEXT[language]}\n{urls['report']}\n"
    msg.set_content(text, subtype="plain", charset="utf-8", cte="base64")

    link = '<a href="{href}">{text}</a>'.format(
        href=html.escape(urls["click"]), text=html.escape(template.link_text.get(language))
    )
    paragraphs = []
    for block in marked.strip().split("\n\n"):
        escaped = html.escape(block).replace(marker, link)
        paragraphs.append("<p>" + escaped.replace("\n", "<br>\n") + "</p>")
    report = '<a href="{href}">{text}</a>'.format(
        href=html.escape(urls["report"]), text=html.escape(REPORT_LINK_TEXT[language])
    )
    page = (
        f'<!DOCTYPE html>\n<html lang="{language}"><head><meta charset="utf-8">'
        f"<title>{html.escape(subject)}</title></head>\n<body>\n"
        + "\n".join(paragraphs)
        + f"\n<hr>\n<p>{html.escape(REPORT_TEXT[language])}<br>\n{report}</p>\n"
        + f'<img src="{html.escape(urls["open"])}" width="1" height="1" alt="">\n</body></html>\n'
    )
    msg.add_alternative(page, subtype="html", charset="utf-8", cte="base64")
    return msg


# --- SMTP -----------------------------------------------------------------------------------------------------


def smtp_connect(profile: SendingProfile, *, timeout: float = SMTP_TIMEOUT) -> smtplib.SMTP:
    """An open, signed-in connection to the profile's server. Raises ProfileUnavailable."""
    helo = domain_of(profile.from_address) or "localhost"
    context = ssl.create_default_context()
    try:
        if profile.security == SendingProfile.Security.TLS:
            conn = smtplib.SMTP_SSL(
                profile.host, profile.port, local_hostname=helo, timeout=timeout, context=context
            )
        else:
            conn = smtplib.SMTP(profile.host, profile.port, local_hostname=helo, timeout=timeout)
            if profile.security == SendingProfile.Security.STARTTLS:
                conn.starttls(context=context)
                conn.ehlo()
        if profile.username:
            conn.login(profile.username, profile.get_password())
    except (smtplib.SMTPException, OSError, ValueError) as exc:
        raise ProfileUnavailable(_error_text(exc)) from exc
    return conn


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        detail = (
            exc.smtp_error.decode("utf-8", "replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        return f"{exc.smtp_code} {detail}"[:300]
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [
            f"{code} {msg.decode('utf-8', 'replace') if isinstance(msg, bytes) else msg}"
            for code, msg in exc.recipients.values()
        ]
        return ("; ".join(codes) or "recipient refused")[:300]
    return (f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)[:300]


def _quit(conn: smtplib.SMTP | None) -> None:
    if conn is None:
        return
    try:
        conn.quit()
    except (smtplib.SMTPException, OSError):
        conn.close()


def test_message_send(*, profile: SendingProfile, to_address: str, subject: str, body: str) -> None:
    """A plain test message through the profile. Raises ProfileUnavailable or smtplib errors."""
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = profile.from_address
    msg["To"] = to_address
    msg["Subject"] = subject
    msg["Date"] = format_datetime(timezone.now().astimezone(JST))
    msg["Message-ID"] = make_msgid(domain=domain_of(profile.from_address))
    msg.set_content(body, charset="utf-8", cte="base64")
    conn = smtp_connect(profile)
    try:
        conn.send_message(msg, from_addr=profile.from_address, to_addrs=[to_address])
    finally:
        _quit(conn)


def sample_send(
    *,
    profile: SendingProfile,
    template: templates_content.DrillTemplate,
    language: str,
    to_name: str,
    to_address: str,
    company: str,
) -> None:
    """One drill mail exactly as staff would get it, to the person preparing the drill, so they can see it in
    their own mail program. Its token is random and stored nowhere, so its links record nothing."""
    token, _digest = token_new()
    now = timezone.now()
    msg = message_build(
        template=template,
        language=language,
        to_name=to_name,
        to_address=to_address,
        company=company,
        profile=profile,
        token=token,
        now=now,
    )
    conn = smtp_connect(profile)
    try:
        conn.send_message(msg, from_addr=profile.from_address, to_addrs=[to_address])
    finally:
        _quit(conn)


# --- Claiming -------------------------------------------------------------------------------------------------


def due_recipients(*, now: datetime):
    return Recipient.objects.filter(
        drill__status__in=[Drill.Status.SCHEDULED, Drill.Status.SENDING],
        claimed_at__isnull=True,
        send_after__lte=now,
    )


def recipients_claim(*, profile_id: int, now: datetime, limit: int | None = None) -> list[int]:
    """Claim the due recipients of one profile that the throttle allows now; return their ids.

    Safe to call from several workers at once: the first statement writes the profile's row, which takes
    its lock (PostgreSQL) or the database write lock (SQLite), so claims for one profile queue up and each
    sees what the previous one claimed."""
    with transaction.atomic():
        if not SendingProfile.objects.filter(pk=profile_id).update(
            messages_per_minute=F("messages_per_minute")
        ):
            return []
        per_minute = SendingProfile.objects.values_list("messages_per_minute", flat=True).get(pk=profile_id)
        used = Recipient.objects.filter(
            drill__profile_id=profile_id, claimed_at__gt=now - THROTTLE_WINDOW, claimed_at__lte=now
        ).count()
        budget = max(per_minute, 1) - used
        if limit is not None:
            budget = min(budget, limit)
        if budget <= 0:
            return []
        candidates = list(
            due_recipients(now=now)
            .filter(drill__profile_id=profile_id)
            .order_by("send_after", "pk")
            .values_list("pk", "drill_id")[:budget]
        )
        claimed = [
            pk
            for pk, _drill in candidates
            if Recipient.objects.filter(pk=pk, claimed_at__isnull=True).update(claimed_at=now)
        ]
        drill_ids = {drill for pk, drill in candidates if pk in set(claimed)}
        if drill_ids:
            Drill.objects.filter(pk__in=drill_ids, status=Drill.Status.SCHEDULED).update(
                status=Drill.Status.SENDING, started_at=now
            )
    return claimed


def drills_settle(*, now: datetime) -> int:
    """Drills still "sending" with nobody left to claim move on to "running" (collecting results)."""
    moved = 0
    for drill in Drill.objects.filter(status=Drill.Status.SENDING):
        if not drill.recipients.filter(claimed_at__isnull=True).exists():
            moved += Drill.objects.filter(pk=drill.pk, status=Drill.Status.SENDING).update(
                status=Drill.Status.RUNNING
            )
    return moved


# --- Sending --------------------------------------------------------------------------------------------------


def _send_one(conn: smtplib.SMTP, recipient: Recipient, *, profile: SendingProfile, now: datetime) -> str:
    """Send one claimed recipient's mail; return "" or the error text (recorded on the recipient)."""
    try:
        template = templates_content_by_id()[recipient.template_id]
    except KeyError:
        error = f"unknown template {recipient.template_id!r}"
        Recipient.objects.filter(pk=recipient.pk).update(send_error=error)
        return error
    token, digest = token_new()
    Recipient.objects.filter(pk=recipient.pk).update(token_hash=digest)
    msg = message_build(
        template=template,
        language=recipient.language,
        to_name=recipient.employee.name if recipient.employee else "",
        to_address=recipient.email,
        company=recipient.organization.name,
        profile=profile,
        token=token,
        now=now,
    )
    try:
        conn.send_message(msg, from_addr=profile.from_address, to_addrs=[recipient.email])
    except (smtplib.SMTPException, OSError, UnicodeError) as exc:
        error = _error_text(exc)
        Recipient.objects.filter(pk=recipient.pk).update(send_error=error)
        return error
    with transaction.atomic():
        Recipient.objects.filter(pk=recipient.pk).update(sent_at=now, send_error="")
        DrillEvent.objects.create(
            organization_id=recipient.organization_id,
            recipient_id=recipient.pk,
            kind=DrillEvent.Kind.SENT,
            at=now,
        )
    return ""


_TEMPLATES: dict[str, templates_content.DrillTemplate] | None = None


def templates_content_by_id() -> dict[str, templates_content.DrillTemplate]:
    global _TEMPLATES
    if _TEMPLATES is None:
        _TEMPLATES = {t.id: t for t in templates_content.templates_load()}
    return _TEMPLATES


def profile_send_due(
    *,
    profile: SendingProfile,
    clock: Callable[[], datetime] = timezone.now,
    sleep: Callable[[float], None] = time.sleep,
    max_seconds: float = 240,
    connect: Callable[[SendingProfile], smtplib.SMTP] = smtp_connect,
) -> dict[str, int]:
    """Send everything of one profile that is due, at its pace, for at most `max_seconds`.

    Claims what the throttle allows, sends it spaced over the minute, and claims again until nothing is
    due. A server that cannot be reached releases the claims of messages not yet tried and stops."""
    counts = {"sent": 0, "failed": 0}
    started = time.monotonic()
    gap = 60.0 / max(profile.messages_per_minute, 1)
    conn = None
    try:
        while time.monotonic() - started < max_seconds:
            now = clock()
            claimed = recipients_claim(profile_id=profile.pk, now=now, limit=CLAIM_BATCH)
            if not claimed:
                if not due_recipients(now=now).filter(drill__profile_id=profile.pk).exists():
                    break
                sleep(min(gap, max(0.0, max_seconds - (time.monotonic() - started))))
                continue
            recipients = list(
                Recipient.objects.filter(pk__in=claimed)
                .select_related("employee", "organization")
                .order_by("send_after", "pk")
            )
            for index, recipient in enumerate(recipients):
                if conn is None:
                    try:
                        conn = connect(profile)
                    except ProfileUnavailable as exc:
                        pending = [r.pk for r in recipients[index:]]
                        Recipient.objects.filter(pk__in=pending, sent_at__isnull=True).update(
                            claimed_at=None, send_error=str(exc)[:300]
                        )
                        log.warning("drill sending profile %s unavailable: %s", profile.pk, exc)
                        counts["unavailable"] = 1
                        return counts
                error = _send_one(conn, recipient, profile=profile, now=clock())
                if error:
                    counts["failed"] += 1
                    if not _connected(conn):
                        _quit(conn)
                        conn = None
                else:
                    counts["sent"] += 1
                if index < len(recipients) - 1:
                    sleep(gap)
    finally:
        _quit(conn)
        drills_settle(now=clock())
    return counts


def _connected(conn: smtplib.SMTP) -> bool:
    try:
        return conn.noop()[0] == 250
    except (smtplib.SMTPException, OSError):
        return False


def send_due(
    *, org, clock: Callable[[], datetime] = timezone.now, max_seconds: float = 240, **kwargs
) -> dict[str, int]:
    """Send every due drill mail of one organisation (inside its scope), profile by profile."""
    totals = {"sent": 0, "failed": 0}
    profile_ids = set(
        due_recipients(now=clock()).filter(organization=org).values_list("drill__profile_id", flat=True)
    )
    for profile in SendingProfile.objects.filter(organization=org, pk__in=profile_ids).order_by("pk"):
        for key, value in profile_send_due(
            profile=profile, clock=clock, max_seconds=max_seconds, **kwargs
        ).items():
            totals[key] = totals.get(key, 0) + value
    return totals
