"""Writes for training: assignments, quiz results, group sessions, own lessons, rules and sign-in links.

Each is atomic, takes the organisation (or an object of it) and the actor, and records an audit event where
it matters. Nothing here completes a lesson except ``quiz_submit`` with a passing answer sheet and
``groupsession_save`` with an attendance list.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from ippo.accounts.models import hash_token
from ippo.core.audit import audit_record
from ippo.core.models import Membership, Organization
from ippo.core.roles import ROLES_REQUIRING_MFA, Role
from ippo.lib.crypto import decrypt, encrypt
from ippo.people.models import Employee
from ippo.training import lessons
from ippo.training.content import quiz_grade
from ippo.training.models import (
    CUSTOM_PREFIX,
    Assignment,
    AssignmentRule,
    CustomModule,
    GroupSession,
    QuizAttempt,
    Reason,
    SignInLink,
)

logger = logging.getLogger(__name__)

FOLLOWUP_DAYS = 14
LINK_VALID = timedelta(hours=24)
LINKS_PER_HOUR = 5  # per employee: a sign-in link request cannot be used to flood someone's mailbox
CERTIFICATE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to read out on the phone

def custom_module_get(org: Organization, module_id: str) -> CustomModule | None:
    if not module_id.startswith(CUSTOM_PREFIX):
        return None
    pk = module_id.removeprefix(CUSTOM_PREFIX)
    if not pk.isdigit():
        return None
    return CustomModule.objects.filter(organization=org, pk=int(pk)).first()


def module_check(org: Organization, module_id: str) -> CustomModule | None:
    """Raise ValidationError unless ``module_id`` names a lesson ``org`` can assign; return its CustomModule."""
    if lessons.is_builtin(module_id):
        return None
    custom = custom_module_get(org, module_id)
    if custom is None:
        raise ValidationError({"module_id": _("Choose one of the training modules.")})
    return custom


# --- Assignments ----------------------------------------------------------------------------------------------


@transaction.atomic
def assignment_create(
    *,
    org: Organization,
    actor,
    employees: Iterable[Employee],
    module_id: str,
    due_on: date,
    reason: str = Reason.MANUAL,
    now: datetime | None = None,
) -> list[Assignment]:
    """Assign a lesson to each active employee who does not already have it open. Returns the new rows."""
    custom = module_check(org, module_id)
    now = now or timezone.now()
    people = [e for e in employees if e.is_active and e.organization_id == org.pk]
    already = set(
        Assignment.objects.filter(
            organization=org,
            employee__in=people,
            module_id=module_id,
            completed_at__isnull=True,
            cancelled_at__isnull=True,
        ).values_list("employee_id", flat=True)
    )
    rows = [
        Assignment(
            organization=org,
            employee=e,
            module_id=module_id,
            custom_module=custom,
            reason=reason,
            due_on=due_on,
            assigned_at=now,
            assigned_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        for e in people
        if e.pk not in already
    ]
    created = Assignment.objects.bulk_create(rows)
    if created:
        audit_record(
            action="training.assigned",
            actor=actor,
            org=org,
            data={"module": module_id, "count": len(created), "reason": str(reason), "due_on": due_on.isoformat()},
        )
    return created


def assignment_followup(*, org: Organization, employee: Employee, reason: str, actor=None) -> Assignment | None:
    """After a drill: assign the phishing micro-lesson, due in 14 days, unless one is already open (or the
    organisation switched the drill rule off). Returns the new Assignment or None."""
    rule = AssignmentRule.objects.filter(organization=org, kind=AssignmentRule.Kind.DRILL).first()
    if rule is not None and not rule.is_active:
        return None
    module_id = rule.module_id if rule is not None else lessons.FOLLOWUP_MODULE
    days = rule.days if rule is not None else FOLLOWUP_DAYS
    if not employee.is_active:
        return None
    open_exists = Assignment.objects.filter(
        organization=org, employee=employee, module_id=module_id, completed_at__isnull=True, cancelled_at__isnull=True
    ).exists()
    if open_exists:
        return None
    created = assignment_create(
        org=org,
        actor=actor,
        employees=[employee],
        module_id=module_id,
        due_on=timezone.localdate() + timedelta(days=days),
        reason=Reason.DRILL,
    )
    if created and reason:
        logger.info("training follow-up for employee %s: %s", employee.pk, reason)
    return created[0] if created else None


@transaction.atomic
def assignment_cancel(*, assignment: Assignment, actor) -> None:
    if not assignment.is_open:
        raise ValidationError(_("Only open assignments can be cancelled."))
    assignment.cancelled_at = timezone.now()
    assignment.save(update_fields=["cancelled_at"])
    audit_record(
        action="training.assignment_cancelled",
        actor=actor,
        org=assignment.organization,
        target=assignment,
        data={"module": assignment.module_id, "employee": assignment.employee_id},
    )


def certificate_code_new() -> str:
    raw = "".join(secrets.choice(CERTIFICATE_ALPHABET) for _ in range(12))
    return f"TR-{raw[:4]}-{raw[4:8]}-{raw[8:]}"


@dataclass(frozen=True)
class QuizResult:
    score: int
    passed: bool
    correct: dict[str, bool]
    completed_now: bool


@transaction.atomic
def quiz_submit(
    *, assignment: Assignment, lesson: lessons.Lesson, answers: dict[str, str], actor, now: datetime | None = None
) -> QuizResult:
    """Grade an answer sheet on the server and record the attempt. A pass completes the assignment (once)."""
    now = now or timezone.now()
    # Lock the row: two quick submissions must not both "complete" it or lose an attempt.
    row = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if row.cancelled_at is not None:
        raise ValidationError(_("This assignment was cancelled."))
    known = {q.id: {c.id for c in q.choices} for q in lesson.module.questions}
    answers = {qid: a for qid, a in answers.items() if qid in known and a in known[qid]}
    score, passed, correct = quiz_grade(lesson.module, answers)
    QuizAttempt.objects.create(
        organization=row.organization, assignment=row, submitted_at=now, score=score, passed=passed, answers=answers
    )
    fields = {"attempts": F("attempts") + 1}
    completed_now = False
    if passed and row.completed_at is None:
        completed_now = True
        fields.update(
            completed_at=now,
            completed_via=Assignment.Via.QUIZ,
            score=score,
            certificate_code=certificate_code_new(),
        )
    elif row.score is None or score > row.score:
        fields["score"] = score
    Assignment.objects.filter(pk=row.pk).update(**fields)
    assignment.refresh_from_db()
    if completed_now:
        audit_record(
            action="training.completed",
            actor=actor,
            org=row.organization,
            target=row,
            data={"module": row.module_id, "employee": row.employee_id, "score": score, "via": "quiz"},
        )
    return QuizResult(score, passed, correct, completed_now)


# --- Group sessions ---------------------------------------------------------------------------------------------


def _session_time(held_on: date) -> datetime:
    return timezone.make_aware(datetime.combine(held_on, time(12, 0)))


@transaction.atomic
def groupsession_save(
    *,
    org: Organization,
    actor,
    held_on: date,
    module_id: str,
    facilitator: str,
    notes: str = "",
    attendees: Iterable[Employee] = (),
    session: GroupSession | None = None,
) -> GroupSession:
    """Record a group session and turn its attendance list into completions (the open assignment of the
    lesson if there is one, else a new completed one). People taken off the list lose that completion."""
    custom = module_check(org, module_id)
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": _("The date cannot be in the future.")})
    attendees = [e for e in attendees if e.organization_id == org.pk]
    if session is None:
        session = GroupSession(organization=org, created_by=actor)
    session.held_on, session.module_id, session.custom_module = held_on, module_id, custom
    session.facilitator, session.notes = facilitator.strip(), notes.strip()
    session.full_clean(exclude=["attendees"])
    session.save()
    session.attendees.set(attendees)
    attendee_ids = {e.pk for e in attendees}
    # Reopen what this session completed for people no longer on the list.
    Assignment.objects.filter(organization=org, group_session=session).exclude(employee_id__in=attendee_ids).update(
        completed_at=None, completed_via="", group_session=None
    )
    done_at = _session_time(held_on)
    Assignment.objects.filter(organization=org, group_session=session).update(
        completed_at=done_at, module_id=module_id, custom_module=custom
    )
    covered = set(
        Assignment.objects.filter(organization=org, group_session=session).values_list("employee_id", flat=True)
    )
    open_rows = {
        a.employee_id: a
        for a in Assignment.objects.filter(
            organization=org,
            employee_id__in=attendee_ids - covered,
            module_id=module_id,
            completed_at__isnull=True,
            cancelled_at__isnull=True,
        ).order_by("due_on")
    }
    for a in open_rows.values():
        Assignment.objects.filter(pk=a.pk).update(
            completed_at=done_at, completed_via=Assignment.Via.SESSION, group_session=session
        )
    new = [
        Assignment(
            organization=org,
            employee=e,
            module_id=module_id,
            custom_module=custom,
            reason=Reason.MANUAL,
            due_on=held_on,
            assigned_at=done_at,
            assigned_by=actor if getattr(actor, "is_authenticated", False) else None,
            completed_at=done_at,
            completed_via=Assignment.Via.SESSION,
            group_session=session,
        )
        for e in attendees
        if e.pk not in covered and e.pk not in open_rows
    ]
    Assignment.objects.bulk_create(new)
    audit_record(
        action="training.session_recorded",
        actor=actor,
        org=org,
        target=session,
        data={"module": module_id, "held_on": held_on.isoformat(), "attendees": len(attendee_ids)},
    )
    return session


# --- Own lessons and rules -----------------------------------------------------------------------------------------

CUSTOM_FIELDS = ("title", "summary", "body", "quiz", "minutes", "pass_mark", "is_active")


@transaction.atomic
def custommodule_save(*, org: Organization, actor, module: CustomModule | None = None, **fields) -> CustomModule:
    lessons.quiz_parse(fields.get("quiz", module.quiz if module else ""))  # raises ValidationError
    if module is None:
        module = CustomModule(organization=org, created_by=actor if getattr(actor, "is_authenticated", False) else None)
    for name in CUSTOM_FIELDS:
        if name in fields:
            setattr(module, name, fields[name])
    module.full_clean()
    module.save()
    audit_record(action="training.module_saved", actor=actor, org=org, target=module, data={"title": module.title})
    return module


@transaction.atomic
def rule_save(
    *, org: Organization, actor, kind: str, module_id: str, days: int, month: int | None = None,
    is_active: bool = True, rule: AssignmentRule | None = None,
) -> AssignmentRule:  # fmt: skip
    module_check(org, module_id)
    if kind == AssignmentRule.Kind.YEARLY and not month:
        raise ValidationError({"month": _("Choose the month for a yearly rule.")})
    if kind == AssignmentRule.Kind.DRILL:
        other = AssignmentRule.objects.filter(organization=org, kind=kind)
        if rule is not None:
            other = other.exclude(pk=rule.pk)
        if other.exists():
            raise ValidationError({"kind": _("There is already a rule for people who clicked in a drill.")})
    rule = rule or AssignmentRule(organization=org)
    rule.kind, rule.module_id, rule.days, rule.is_active = kind, module_id, days, is_active
    rule.month = month if kind == AssignmentRule.Kind.YEARLY else None
    rule.full_clean()
    rule.save()
    audit_record(
        action="training.rule_changed",
        actor=actor,
        org=org,
        target=rule,
        data={"kind": kind, "module": module_id, "days": days, "month": rule.month, "active": is_active},
    )
    return rule


@transaction.atomic
def rule_delete(*, rule: AssignmentRule, actor) -> None:
    audit_record(
        action="training.rule_changed",
        actor=actor,
        org=rule.organization,
        target=rule,
        data={"kind": rule.kind, "module": rule.module_id, "deleted": True},
    )
    rule.delete()


def training_exported(*, org: Organization, actor, fmt: str, count: int) -> None:
    audit_record(action="training.exported", actor=actor, org=org, data={"format": fmt, "rows": count})


# --- Sign-in links -------------------------------------------------------------------------------------------------


def signin_url(token: str) -> str:
    return settings.BASE_URL + reverse("learn:signin", args=[token])


@transaction.atomic
def signinlink_send(
    *, employee: Employee, assignment: Assignment | None = None, actor=None, now: datetime | None = None
) -> bool:
    """E-mail the employee a one-time sign-in link (valid LINK_VALID). False when they have no mailbox, have
    left, or already had LINKS_PER_HOUR links in the last hour."""
    now = now or timezone.now()
    if not employee.email or not employee.is_active:
        return False
    recent = SignInLink.objects.filter(
        organization_id=employee.organization_id, employee=employee, created_at__gte=now - timedelta(hours=1)
    ).count()
    if recent >= LINKS_PER_HOUR:
        return False
    token = secrets.token_urlsafe(32)
    link = SignInLink.objects.create(
        organization_id=employee.organization_id,
        employee=employee,
        assignment=assignment,
        token_hash=hash_token(token),
        created_at=now,
        expires_at=now + LINK_VALID,
    )
    audit_record(
        action="training.link_sent",
        actor=actor,
        org=employee.organization,
        target=employee,
        data={"employee": employee.pk},
    )
    language = getattr(employee.user, "language", "") or settings.LANGUAGE_CODE
    # The mail goes out from the task worker, so a slow mail server never holds up a page or the clock. The
    # token travels encrypted (ippo.lib.crypto): the task queue is a database table too.
    transaction.on_commit(partial(_enqueue_link_mail, link.pk, encrypt(token), language))
    return True


def _enqueue_link_mail(link_id: int, token_encrypted: str, language: str) -> None:
    from ippo.training.tasks import signin_link_mail

    try:
        signin_link_mail.enqueue(link_id, token_encrypted, language)
    except Exception:
        logger.exception("Could not enqueue the sign-in link mail for link %s; sending it now", link_id)
        signinlink_mail(link_id=link_id, token_encrypted=token_encrypted, language=language)


def signinlink_mail(*, link_id: int, token_encrypted: str, language: str) -> bool:
    """Send the mail for one sign-in link (from the task). A failure is logged; the person can ask for a new
    link. Returns whether it was sent."""
    with scopes_disabled():
        link = (
            SignInLink.objects.select_related("employee", "organization", "assignment", "assignment__custom_module")
            .filter(pk=link_id, used_at__isnull=True)
            .first()
        )
    if link is None or not link.employee.email:
        return False
    employee, assignment = link.employee, link.assignment
    try:
        with translation.override(language):
            org_name = link.organization.name
            custom = assignment.custom_module if assignment and assignment.custom_module_id else None
            context = {
                "employee": employee,
                "org_name": org_name,
                "url": signin_url(decrypt(token_encrypted)),
                "hours": int(LINK_VALID.total_seconds() // 3600),
                "lesson": lessons.module_title(assignment.module_id, {assignment.module_id: custom.title} if custom else None)
                if assignment
                else "",
                "due_on": assignment.due_on if assignment else None,
            }
            subject = _("Your security training at %(org)s") % {"org": org_name}
            body = render_to_string("training/email/signin_link.txt", context)
        send_mail(subject, body, None, [employee.email])
    except Exception:
        logger.exception("Could not send the training sign-in link to employee %s", employee.pk)
        return False
    return True


def signinlink_request(*, email: str, now: datetime | None = None) -> None:
    """"Send me a new link": a link to every active employee record with this address. Says nothing back."""
    email = (email or "").strip()
    if not email:
        return
    with scopes_disabled():
        employees = list(
            Employee.objects.filter(email__iexact=email, is_active=True).select_related("organization", "user")
        )
        for employee in employees:
            signinlink_send(employee=employee, now=now)


class SignInProblem(Exception):
    """The link cannot be used; the message is for the person."""


@dataclass(frozen=True)
class LinkCheck:
    link: SignInLink | None
    problem: str | None


def signinlink_check(token: str, *, now: datetime | None = None) -> LinkCheck:
    now = now or timezone.now()
    with scopes_disabled():
        link = (
            SignInLink.objects.select_related("employee", "organization", "employee__user")
            .filter(token_hash=hash_token(token))
            .first()
        )
    if link is None:
        return LinkCheck(None, _("This sign-in link is not valid. Please check that you opened the whole link."))
    if link.used_at is not None:
        return LinkCheck(link, _("This sign-in link has already been used. Each link works once."))
    if link.expires_at <= now or not link.employee.is_active:
        return LinkCheck(link, _("This sign-in link has expired."))
    return LinkCheck(link, None)


def _needs_strong_sign_in(user) -> bool:
    """People whose account is protected by two-step sign-in, or whose role requires it, must sign in the
    normal way: a link alone must never get round their second step."""
    from allauth.mfa.models import Authenticator

    with scopes_disabled():
        strong_role = Membership.objects.filter(user=user, role__in=list(ROLES_REQUIRING_MFA)).exists()
    return strong_role or Authenticator.objects.filter(user=user).exists()


@transaction.atomic
def signinlink_use(*, token: str, now: datetime | None = None) -> SignInLink:
    """Use a link once: claim it, find or create the person's ippo account (no password) and a member
    role in the organisation, and link the employee to it. Raises SignInProblem."""
    from allauth.account.models import EmailAddress

    from ippo.accounts.models import User

    now = now or timezone.now()
    check = signinlink_check(token, now=now)
    if check.problem:
        raise SignInProblem(check.problem)
    link = check.link
    with scopes_disabled():
        claimed = SignInLink.objects.filter(pk=link.pk, used_at__isnull=True, expires_at__gt=now).update(used_at=now)
        if not claimed:
            raise SignInProblem(_("This sign-in link has already been used. Each link works once."))
        employee = Employee.objects.select_for_update(of=("self",)).select_related("user", "organization").get(pk=link.employee_id)
        org = employee.organization
        user = employee.user
        if user is None and not employee.email:
            raise SignInProblem(_("This sign-in link has expired."))
        if user is None:
            user = User.objects.filter(email__iexact=employee.email).first()
        if user is None:
            user = User.objects.create_user(email=employee.email, password=None, name=employee.name)
            EmailAddress.objects.get_or_create(
                user=user, email=user.email, defaults={"verified": True, "primary": True}
            )
        if not user.is_active:
            raise SignInProblem(_("This account is switched off. Please ask the person who manages ippo."))
        if _needs_strong_sign_in(user):
            raise SignInProblem(
                _("Your account uses two-step sign-in, so please sign in the usual way instead of with a link.")
            )
        Membership.objects.get_or_create(organization=org, user=user, defaults={"role": Role.MEMBER})
        if employee.user_id != user.pk:
            if Employee.objects.filter(organization=org, user=user).exclude(pk=employee.pk).exists():
                raise SignInProblem(
                    _("Your account is already linked to another employee record. Please ask the person who manages ippo.")
                )
            employee.user = user
            employee.save(update_fields=["user", "updated_at"])
    audit_record(action="training.link_used", actor=user, org=org, target=employee, data={"employee": employee.pk})
    link.employee = employee
    return link
