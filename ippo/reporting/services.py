"""Writes for the reporting channel. Keyword-only; every write that handlers make is audited.

Anonymous reports: nothing that identifies the reporter is passed in, so nothing can be stored. Their
times are rounded down to the hour, and receiving one writes no audit event (the audit log's exact time
would undo the rounding). See docs/reporting.md.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from ippo.core.audit import audit_record
from ippo.core.models import Membership, Organization
from ippo.core.roles import role_has_permission
from ippo.reporting import escalation, receipts
from ippo.reporting.attachments import MAX_FILES, image_prepare
from ippo.reporting.models import (
    Acknowledgement,
    Channel,
    DesignatedHandler,
    EscalationContact,
    EscalationRule,
    Identity,
    Kind,
    ReceiptCode,
    Report,
    ReportAttachment,
    ReportMessage,
    ReportSettings,
    Severity,
    Status,
    When,
)

MAX_TEXT = 10_000


def _in_org_scope(func):
    """Run a service inside its organisation's scope (taken from `org`, `report` or `rule`), so that tasks,
    commands and tests can call it directly."""
    import functools

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        org = kwargs.get("org") or getattr(kwargs.get("report"), "organization", None)
        with scope(organization=org):
            return func(*args, **kwargs)

    return wrapper


def _coarse(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


# --- Settings and the report link ----------------------------------------------------------------------


def reportsettings_get(*, org: Organization) -> ReportSettings:
    """The organisation's settings, created with a fresh report-link token the first time."""
    with scope(organization=org):
        found = ReportSettings.objects.filter(organization=org).first()
        if found:
            return found
        try:
            with transaction.atomic():
                return ReportSettings.objects.create(
                    organization=org, token=secrets.token_urlsafe(24), receipt_salt=receipts.salt_new()
                )
        except IntegrityError:  # another request created it first
            return ReportSettings.objects.get(organization=org)


def org_for_token(token: str) -> tuple[Organization, ReportSettings] | None:
    """The organisation behind a report link, or None (an unknown or replaced token)."""
    if not token or len(token) > 64:
        return None
    with scopes_disabled():
        found = ReportSettings.objects.select_related("organization").filter(token=token).first()
    return (found.organization, found) if found else None


@_in_org_scope
@transaction.atomic
def reportsettings_rotate(*, org: Organization, actor) -> ReportSettings:
    """Replace the report link (the old one stops working at once). Receipt codes keep working."""
    row = reportsettings_get(org=org)
    row.token = secrets.token_urlsafe(24)
    row.token_rotated_at = timezone.now()
    row.save(update_fields=["token", "token_rotated_at"])
    audit_record(action="reporting.link_rotated", actor=actor, org=org)
    return row


@_in_org_scope
@transaction.atomic
def reportsettings_update(
    *, org: Organization, actor, day_starts, day_ends, weekends_are_night: bool
) -> ReportSettings:
    row = reportsettings_get(org=org)
    row.day_starts, row.day_ends, row.weekends_are_night = day_starts, day_ends, weekends_are_night
    row.save(update_fields=["day_starts", "day_ends", "weekends_are_night"])
    audit_record(
        action="reporting.settings_changed",
        actor=actor,
        org=org,
        data={
            "day_starts": str(day_starts),
            "day_ends": str(day_ends),
            "weekends_are_night": weekends_are_night,
        },
    )
    return row


# --- Receiving reports -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    data: bytes
    strip: bool = True


def _check(kind: str, happened: str, identity: str, severity: int, description: str) -> None:
    errors = {}
    if kind not in Kind.values:
        errors["kind"] = _("Please choose what happened.")
    if happened not in When.values:
        errors["happened"] = _("Please choose when it happened.")
    if identity not in Identity.values:
        errors["identity"] = _("Please choose how you want to report.")
    if severity not in Severity.values:
        errors["severity_guess"] = _("Please choose how serious it seems.")
    if len(description) > MAX_TEXT:
        errors["description"] = _("Please keep the details under 10,000 characters.")
    if errors:
        raise ValidationError(errors)


def _attach(
    report: Report, uploads: Iterable[Upload], *, message: ReportMessage | None = None
) -> list[ReportAttachment]:
    uploads = list(uploads)
    if len(uploads) > MAX_FILES:
        raise ValidationError({"screenshots": _("Please send at most three pictures.")})
    saved = []
    for upload in uploads:
        try:
            prepared = image_prepare(upload.data, strip=upload.strip or report.is_anonymous)
        except ValidationError as exc:
            raise ValidationError({"screenshots": exc.messages}) from None
        attachment = ReportAttachment(
            organization=report.organization,
            report=report,
            message=message,
            content_type=prepared.content_type,
            size=len(prepared.data),
            metadata_removed=prepared.metadata_removed,
        )
        attachment.file.save("upload", ContentFile(prepared.data), save=False)
        attachment.save()
        saved.append(attachment)
    return saved


def _report_create(
    *,
    org: Organization,
    kind: str,
    happened: str,
    description: str,
    identity: str,
    severity_guess: int,
    channel: str,
    reporter=None,
    reporter_name: str = "",
    uploads: Iterable[Upload] = (),
    now: datetime | None = None,
) -> Report:
    description = (description or "").strip()
    _check(kind, happened, identity, severity_guess, description)
    now = now or timezone.now()
    anonymous = identity == Identity.ANONYMOUS
    with scope(organization=org):
        report = Report.objects.create(
            organization=org,
            kind=kind,
            happened=happened,
            description=description,
            identity=identity,
            reporter=None if anonymous else reporter,
            reporter_name="" if anonymous else (reporter_name or "").strip()[:100],
            severity_guess=severity_guess,
            severity=severity_guess,
            channel=channel,
            created_at=_coarse(now) if anonymous else now,
        )
        _attach(report, uploads)
        escalation.escalation_start(report=report, now=now)
    return report


@_in_org_scope
@transaction.atomic
def report_submit_public(
    *,
    org: Organization,
    kind: str,
    happened: str,
    description: str,
    identity: str,
    severity_guess: int = Severity.UNKNOWN,
    reporter_name: str = "",
    passphrase: str = "",
    uploads: Iterable[Upload] = (),
    now: datetime | None = None,
) -> tuple[Report, str]:
    """A report through the organisation's link (no account). Returns the report and its receipt code: show
    the code once; only its hash is kept."""
    if identity != Identity.ANONYMOUS and not (reporter_name or "").strip():
        raise ValidationError(
            {"reporter_name": _("Please write your name, or choose to report anonymously.")}
        )
    receipts.submission_count(org=org, now=now or timezone.now())  # raises TooManyReports during a flood
    report = _report_create(
        org=org,
        kind=kind,
        happened=happened,
        description=description,
        identity=identity,
        severity_guess=severity_guess,
        channel=Channel.LINK,
        reporter_name=reporter_name,
        uploads=uploads,
        now=now,
    )
    salt = reportsettings_get(org=org).receipt_salt
    with scope(organization=org):
        for _attempt in range(3):
            code = receipts.code_new()
            digest = receipts.code_hash(salt=salt, code=code, passphrase=passphrase)
            if not ReceiptCode.objects.filter(code_hash=digest).exists():
                break
        ReceiptCode.objects.create(
            organization=org, report=report, code_hash=digest, has_passphrase=bool((passphrase or "").strip())
        )
    if identity != Identity.ANONYMOUS:
        audit_record(action="report.received", org=org, target=report, data={"kind": kind, "channel": "link"})
    return report, code


@_in_org_scope
@transaction.atomic
def report_submit(
    *,
    org: Organization,
    actor,
    kind: str,
    happened: str,
    description: str,
    identity: str,
    severity_guess: int = Severity.UNKNOWN,
    uploads: Iterable[Upload] = (),
    now: datetime | None = None,
) -> Report:
    """A report by a signed-in member, with their name (visible to all handlers, or to the designated
    handlers only). Anonymous reports go through the report link, which never sees the account."""
    if identity == Identity.ANONYMOUS:
        raise ValidationError({"identity": _("To report anonymously, please use the report link.")})
    report = _report_create(
        org=org,
        kind=kind,
        happened=happened,
        description=description,
        identity=identity,
        severity_guess=severity_guess,
        channel=Channel.SIGNED_IN,
        reporter=actor,
        uploads=uploads,
        now=now,
    )
    audit_record(action="report.received", actor=actor, org=org, target=report, data={"kind": kind})
    return report


@_in_org_scope
@transaction.atomic
def report_create_from_mail(*, org: Organization, subject: str, received_at, reporter=None) -> Report:
    """A real suspicious e-mail that someone reported (ippo.phishing's report mailbox) becomes a report."""
    subject = " ".join((subject or "").split())[:300]
    description = _("A suspicious e-mail was reported. Subject: “%(subject)s”") % {"subject": subject or "—"}
    report = _report_create(
        org=org,
        kind=Kind.SUSPICIOUS_MAIL,
        happened=When.TODAY,
        description=description,
        identity=Identity.NAMED,
        severity_guess=Severity.UNKNOWN,
        channel=Channel.MAIL,
        reporter=reporter,
        now=received_at or timezone.now(),
    )
    audit_record(
        action="report.received",
        org=org,
        target=report,
        data={"kind": report.kind, "channel": "mail"},
        via="mail",
    )
    return report


# --- The reporter coming back ------------------------------------------------------------------------------


def receipt_open(
    *, org: Organization, code: str, passphrase: str = "", now: datetime | None = None
) -> Report | None:
    """The report for a typed receipt code and passphrase; None when they don't match. Raises
    receipts.TooManyAttempts when too many wrong codes were typed recently."""
    now = now or timezone.now()
    typed = receipts.code_normalise(code)
    if receipts.attempts_locked(org=org, typed=typed, now=now):
        raise receipts.TooManyAttempts
    found = None
    if len(typed) == receipts.CODE_DIGITS:
        salt = reportsettings_get(org=org).receipt_salt
        digest = receipts.code_hash(salt=salt, code=typed, passphrase=passphrase)
        with scope(organization=org):
            found = (
                ReceiptCode.objects.select_related("report")
                .filter(organization=org, code_hash=digest)
                .first()
            )
    if found is None:
        receipts.attempt_failed(org=org, typed=typed, now=now)
        return None
    return found.report


def receipt_matches(*, report: Report, code: str, passphrase: str = "") -> bool:
    """Whether `code` is this report's receipt code (the confirmation step: the reporter types it back)."""
    salt = reportsettings_get(org=report.organization).receipt_salt
    with scope(organization=report.organization):
        receipt = ReceiptCode.objects.filter(report=report).first()
    if receipt is None:
        return False
    digest = receipts.code_hash(salt=salt, code=code, passphrase=passphrase)
    if digest != receipt.code_hash:
        return False
    if not receipt.confirmed:
        ReceiptCode.objects.filter(pk=receipt.pk).update(confirmed=True)
    return True


def receipt_first_return(*, report: Report) -> bool:
    """Mark that the reporter came back; True the first time (the page then shows the code again)."""
    with scope(organization=report.organization):
        return bool(ReceiptCode.objects.filter(report=report, returned=False).update(returned=True))


@_in_org_scope
@transaction.atomic
def report_add_from_reporter(
    *, report: Report, body: str, uploads: Iterable[Upload] = (), author=None, now: datetime | None = None
) -> ReportMessage:
    """More information from the reporter (through the receipt code, or signed in for named reports)."""
    body = (body or "").strip()
    uploads = list(uploads)
    if not body and not uploads:
        raise ValidationError({"body": _("Please write a message.")})
    if len(body) > MAX_TEXT:
        raise ValidationError({"body": _("Please keep the message under 10,000 characters.")})
    now = now or timezone.now()
    org = report.organization
    with scope(organization=org):
        message = ReportMessage.objects.create(
            organization=org,
            report=report,
            author_kind=ReportMessage.Author.REPORTER,
            author=None if report.is_anonymous else author,
            body=body,
            created_at=_coarse(now) if report.is_anonymous else now,
        )
        _attach(report, uploads, message=message)
        Report.objects.filter(pk=report.pk).update(reporter_waiting=True)
    return message


# --- Handlers --------------------------------------------------------------------------------------------


def is_designated(*, org: Organization, user) -> bool:
    return any(u.pk == user.pk for u in escalation.concern_handlers(org))


def can_see_report(*, report: Report, user, org: Organization) -> bool:
    return not report.is_concern or is_designated(org=org, user=user)


def can_see_name(*, report: Report, user, org: Organization) -> bool:
    return not report.name_is_restricted or is_designated(org=org, user=user)


def report_viewed(*, report: Report, actor, org: Organization) -> None:
    """Every view of a concern, and of a name shown to designated handlers only, goes in the audit log."""
    if report.is_concern or report.identity == Identity.RESTRICTED:
        audit_record(action="report.viewed", actor=actor, org=org, target=report, data={"kind": report.kind})


@_in_org_scope
@transaction.atomic
def report_reply(*, report: Report, actor, body: str, now: datetime | None = None) -> ReportMessage:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Please write a reply.")})
    if len(body) > MAX_TEXT:
        raise ValidationError({"body": _("Please keep the reply under 10,000 characters.")})
    now = now or timezone.now()
    org = report.organization
    message = ReportMessage.objects.create(
        organization=org,
        report=report,
        author_kind=ReportMessage.Author.HANDLER,
        author=actor,
        body=body,
        created_at=now,
    )
    Report.objects.filter(pk=report.pk).update(reporter_waiting=False)
    if report.acknowledged_at is None:
        report_acknowledge(report=report, actor=actor, now=now)
    audit_record(action="report.replied", actor=actor, org=org, target=report)
    return message


@_in_org_scope
@transaction.atomic
def report_acknowledge(*, report: Report, actor, now: datetime | None = None) -> bool:
    """Record that `actor` has it in hand; stops the escalation. False when they had already acknowledged."""
    now = now or timezone.now()
    org = report.organization
    _ack, created = Acknowledgement.objects.get_or_create(
        organization=org, report=report, user=actor, defaults={"created_at": now}
    )
    first = Report.objects.filter(pk=report.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=now, next_escalation_at=None
    )
    if first:
        Report.objects.filter(pk=report.pk, status=Status.NEW).update(status=Status.ACKNOWLEDGED)
        report.refresh_from_db()
    if created:
        audit_record(action="report.acknowledged", actor=actor, org=org, target=report)
    return created


@_in_org_scope
@transaction.atomic
def report_update(*, report: Report, actor, status: str, severity: int) -> Report:
    if status not in Status.values or severity not in Severity.values:
        raise ValidationError(_("Please choose a status and a severity from the lists."))
    changes = {}
    if status != report.status:
        changes["status"] = [report.status, status]
    if severity != report.severity:
        changes["severity"] = [report.severity, severity]
    if not changes:
        return report
    report.status, report.severity = status, severity
    if report.acknowledged_at is None and status != Status.NEW:
        report_acknowledge(report=report, actor=actor)
    report.save(update_fields=["status", "severity"])
    audit_record(action="report.updated", actor=actor, org=report.organization, target=report, data=changes)
    return report


def report_attachment_downloaded(*, attachment: ReportAttachment, actor, org: Organization) -> None:
    audit_record(action="report.attachment_downloaded", actor=actor, org=org, target=attachment.report)


# --- Designated handlers and escalation rules ----------------------------------------------------------------


def _is_handler(org: Organization, user) -> bool:
    membership = Membership.objects.filter(organization=org, user=user).first()
    return membership is not None and role_has_permission(membership.role, "incidents.handle")


@_in_org_scope
@transaction.atomic
def designatedhandler_add(*, org: Organization, actor, user) -> DesignatedHandler:
    if not _is_handler(org, user):
        raise ValidationError(
            {
                "user": _(
                    "Only owners, managers and advisors can be designated: they need to open the reports."
                )
            }
        )
    row, created = DesignatedHandler.objects.get_or_create(
        organization=org, user=user, defaults={"designated_by": actor}
    )
    if created:
        audit_record(
            action="reporting.handler_designated", actor=actor, org=org, target=row, data={"user": user.email}
        )
    return row


@_in_org_scope
@transaction.atomic
def designatedhandler_remove(*, org: Organization, actor, row: DesignatedHandler) -> None:
    audit_record(
        action="reporting.handler_removed", actor=actor, org=org, target=row, data={"user": row.user.email}
    )
    row.delete()


RULE_FIELDS = ("name", "position", "kinds", "min_severity", "reescalate_minutes", "notify_chat", "is_active")


@_in_org_scope
@transaction.atomic
def escalationrule_save(
    *,
    org: Organization,
    actor,
    rule: EscalationRule | None,
    contacts: dict[tuple[int, str], Iterable],
    **fields,
) -> EscalationRule:
    """Create or change a rule and replace its contacts: {(step, "day"|"night"): users}."""
    people = {u.pk for users in contacts.values() for u in users}
    allowed = {u.pk for u in escalation.handlers(org)}
    if people - allowed:
        raise ValidationError(_("Contacts must be owners, managers or advisors of the organisation."))
    if fields.get("kinds") and set(fields["kinds"]) - set(Kind.values):
        raise ValidationError(_("Please choose kinds of report from the list."))
    created = rule is None
    rule = rule or EscalationRule(organization=org)
    for name in RULE_FIELDS:
        if name in fields:
            setattr(rule, name, fields[name])
    rule.save()
    EscalationContact.objects.filter(rule=rule).delete()
    EscalationContact.objects.bulk_create(
        [
            EscalationContact(organization=org, rule=rule, step=step, shift=shift, user=user)
            for (step, shift), users in sorted(contacts.items())
            for user in users
        ]
    )
    audit_record(
        action="reporting.rule_saved",
        actor=actor,
        org=org,
        target=rule,
        data={"name": rule.name, "created": created, "contacts": len(people)},
    )
    return rule


@_in_org_scope
@transaction.atomic
def escalationrule_delete(*, org: Organization, actor, rule: EscalationRule) -> None:
    audit_record(action="reporting.rule_deleted", actor=actor, org=org, target=rule, data={"name": rule.name})
    rule.delete()
