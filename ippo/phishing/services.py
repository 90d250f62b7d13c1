"""Writes for drill sending: sending profiles, the drill wizard, scheduling, recurring drills, finish/cancel.

Each takes the organisation (or an object of it) and the actor, and records an audit event where it
matters for security (profiles, scheduling, cancelling, recurring drills). Views validate with forms first;
these functions check again what a form cannot (another organisation's department, a window too short).
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ippo.core.audit import audit_record
from ippo.core.models import Organization
from ippo.lib.crypto import encrypt
from ippo.people.models import Department, Employee
from ippo.phishing import schedule, sending, templates_content
from ippo.phishing.models import Drill, DrillProgramme, Recipient, SendingProfile

AUDIENCE_MODES = ("everyone", "departments", "people")
PROFILE_FIELDS = ("name", "host", "port", "security", "username", "from_address", "messages_per_minute")


def template_ids() -> list[str]:
    return list(sending.templates_content_by_id())


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, d))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


# --- Sending profiles -----------------------------------------------------------------------------------------


@transaction.atomic
def sendingprofile_save(
    *, org: Organization, actor, profile: SendingProfile | None = None, password: str = "", **fields
) -> SendingProfile:
    """Create (profile=None) or update a profile. An empty password keeps the stored one."""
    created = profile is None
    profile = profile or SendingProfile(organization=org)
    changed = []
    for name in PROFILE_FIELDS:
        if name in fields and getattr(profile, name) != fields[name]:
            setattr(profile, name, fields[name])
            changed.append(name)
    if password:
        profile.password_encrypted = encrypt(password)
        changed.append("password")
    if "from_address" in changed and not created:
        profile.domain_check = {}
    profile.full_clean()
    profile.save()
    audit_record(
        action="sendingprofile.created" if created else "sendingprofile.updated",
        actor=actor,
        org=org,
        target=profile,
        data={"fields": changed, "host": profile.host},
    )
    return profile


@transaction.atomic
def sendingprofile_delete(*, profile: SendingProfile, actor) -> None:
    if (
        Drill.objects.filter(profile=profile).exists()
        or DrillProgramme.objects.filter(profile=profile).exists()
    ):
        raise ValidationError(_("Drills use this sending profile, so it cannot be deleted."))
    audit_record(
        action="sendingprofile.deleted",
        actor=actor,
        org=profile.organization,
        target=profile,
        data={"name": profile.name},
    )
    profile.delete()


def sendingprofile_test(*, profile: SendingProfile, actor, to_address: str) -> str:
    """Send a plain test message; return "" when the server accepted it, else what went wrong."""
    try:
        sending.test_message_send(
            profile=profile,
            to_address=to_address,
            subject=_("ippo: test message from the sending profile “%(name)s”") % {"name": profile.name},
            body=_(
                "This is a test message from ippo. The sending profile “%(name)s” can reach its mail server "
                "and send mail."
            )
            % {"name": profile.name},
        )
        error = ""
    except sending.ProfileUnavailable as exc:
        error = str(exc)
    except (OSError, ValueError) as exc:  # smtplib errors are OSErrors
        error = sending._error_text(exc)
    audit_record(
        action="sendingprofile.tested",
        actor=actor,
        org=profile.organization,
        target=profile,
        data={"to": to_address, "ok": not error},
    )
    return error


def _sender_domain_check():
    """ippo.checks.mail.sender_domain_check, or None when this installation does not have it."""
    try:
        from ippo.checks.mail import sender_domain_check
    except ImportError:
        return None
    return sender_domain_check


def drill_sample_send(*, drill: Drill, actor, language: str) -> str:
    """Send the person preparing a drill one sample of each chosen template, through the drill's profile.
    Returns "" or what went wrong."""
    if drill.profile is None or not drill.template_ids:
        return _("Choose the mail and the sending profile first.")
    to_address = getattr(actor, "email", "")
    if not to_address:
        return _("Your account has no e-mail address to send the sample to.")
    by_id = sending.templates_content_by_id()
    error = ""
    for template_id in drill.template_ids:
        if template_id not in by_id:
            continue
        try:
            sending.sample_send(
                profile=drill.profile,
                template=by_id[template_id],
                language=language,
                to_name=getattr(actor, "name", "") or "",
                to_address=to_address,
                company=drill.organization.name,
            )
        except sending.ProfileUnavailable as exc:
            error = str(exc)
            break
        except (OSError, ValueError) as exc:  # smtplib errors are OSErrors
            error = sending._error_text(exc)
            break
    audit_record(
        action="sendingprofile.tested",
        actor=actor,
        org=drill.organization,
        target=drill.profile,
        data={"to": to_address, "ok": not error, "sample_of": list(drill.template_ids), "drill": drill.pk},
    )
    return error


def domain_check_available() -> bool:
    return _sender_domain_check() is not None


@transaction.atomic
def sendingprofile_domain_check(*, profile: SendingProfile, actor, now: datetime | None = None) -> dict:
    """Check the sender domain's SPF/DKIM/DMARC with ippo.checks.mail and store the result on the profile."""
    now = now or timezone.now()
    domain = sending.domain_of(profile.from_address)
    result = {"checked_at": now.isoformat(), "domain": domain, "available": True, "results": []}
    sender_domain_check = _sender_domain_check()
    if sender_domain_check is None:
        result["available"] = False
    else:
        if is_reserved_domain(domain):
            # Names reserved for examples and tests (RFC 2606, RFC 6761) have no real DNS: nothing to ask.
            message = _(
                "%(domain)s is reserved for examples and tests, so it has no SPF, DKIM or DMARC to check."
            )
            result["results"] = [{"check": "domain", "status": "na", "message": message % {"domain": domain}}]
        else:
            try:
                result["results"] = list(sender_domain_check(domain))
            except Exception as exc:  # a check that breaks must not break the page; show it as unknown
                result["results"] = [{"check": "dns", "status": "unknown", "message": str(exc)[:200]}]
    profile.domain_check = result
    profile.save(update_fields=["domain_check"])
    audit_record(
        action="sendingprofile.domain_checked",
        actor=actor,
        org=profile.organization,
        target=profile,
        data={"domain": domain, "statuses": [r.get("status") for r in result["results"]]},
    )
    return result


RESERVED_SUFFIXES = (".example", ".invalid", ".localhost", ".test", ".local")
RESERVED_DOMAINS = ("example.com", "example.net", "example.org")


def is_reserved_domain(domain: str) -> bool:
    domain = domain.lower().rstrip(".")
    dotted = "." + domain
    return dotted.endswith(RESERVED_SUFFIXES) or any(
        domain == d or domain.endswith("." + d) for d in RESERVED_DOMAINS
    )


# --- Audience -------------------------------------------------------------------------------------------------


def audience_employees(*, org: Organization, audience: dict):
    """The active employees with a mailbox that an audience selects."""
    people = Employee.objects.filter(organization=org, is_active=True).exclude(email="")
    mode = audience.get("mode")
    if mode == "departments":
        return people.filter(department_id__in=audience.get("departments") or [])
    if mode == "people":
        return people.filter(pk__in=audience.get("employees") or [])
    if mode == "everyone":
        return people
    return people.none()


def audience_describe(*, org: Organization, audience: dict) -> str:
    mode = audience.get("mode")
    if mode == "everyone":
        return _("Everyone with an e-mail address")
    if mode == "departments":
        names = list(
            Department.objects.filter(organization=org, pk__in=audience.get("departments") or []).values_list(
                "name", flat=True
            )
        )
        return _("Departments: %(names)s") % {"names": "、".join(names) or "—"}
    if mode == "people":
        count = len(audience.get("employees") or [])
        return ngettext("%(count)s selected person", "%(count)s selected people", count) % {"count": count}
    return _("Not chosen yet")


# --- The wizard -----------------------------------------------------------------------------------------------


def drill_draft_create(*, org: Organization, actor, name: str) -> Drill:
    return Drill.objects.create(organization=org, name=name, created_by=actor if actor else None)


def _draft(drill: Drill) -> None:
    if drill.status != Drill.Status.DRAFT:
        raise ValidationError(_("This drill has already been scheduled, so it can no longer be changed."))


def drill_audience_save(
    *, drill: Drill, actor, name: str, mode: str, departments: list[int], employees: list[int]
) -> Drill:
    _draft(drill)
    org = drill.organization
    if mode not in AUDIENCE_MODES:
        raise ValidationError({"mode": _("Choose who receives the drill.")})
    departments = sorted(
        Department.objects.filter(organization=org, pk__in=departments).values_list("pk", flat=True)
    )
    employees = sorted(
        Employee.objects.filter(organization=org, pk__in=employees, is_active=True)
        .exclude(email="")
        .values_list("pk", flat=True)
    )
    if mode == "departments" and not departments:
        raise ValidationError({"departments": _("Choose at least one department.")})
    if mode == "people" and not employees:
        raise ValidationError({"employees": _("Choose at least one person.")})
    audience = {"mode": mode, "departments": departments, "employees": employees}
    if not audience_employees(org=org, audience=audience).exists():
        raise ValidationError(
            _(
                "Nobody in this choice has an e-mail address in the employee directory. Add addresses first, or choose others."
            )
        )
    drill.name = name
    drill.audience = audience
    drill.save(update_fields=["name", "audience"])
    return drill


def drill_templates_save(*, drill: Drill, actor, template_ids: list[str], random_template: bool) -> Drill:
    _draft(drill)
    known = set(sending.templates_content_by_id())
    chosen = [t for t in dict.fromkeys(template_ids) if t in known]
    if not chosen:
        raise ValidationError({"template_ids": _("Choose a template.")})
    if random_template and len(chosen) < 2:
        raise ValidationError(
            {"template_ids": _("To pick a template at random for each person, choose at least two.")}
        )
    if not random_template and len(chosen) != 1:
        raise ValidationError(
            {"template_ids": _("Choose exactly one template, or tick “a random template for each person”.")}
        )
    drill.template_ids = chosen
    drill.random_template = random_template
    drill.save(update_fields=["template_ids", "random_template"])
    return drill


def drill_landing_save(*, drill: Drill, actor, landing: str) -> Drill:
    _draft(drill)
    if landing not in Drill.Landing.values:
        raise ValidationError({"landing": _("Choose what people see when they click the link.")})
    drill.landing = landing
    drill.save(update_fields=["landing"])
    return drill


def window_problem(
    *, count: int, profile: SendingProfile, start: datetime, end: datetime, business_hours_only: bool
) -> str:
    """ "" when `count` mails fit in the window at the profile's pace, else a sentence saying why not."""
    if end <= start:
        return _("“Send by” must be after “send from”.")
    try:
        schedule.send_times(
            count=count,
            start=start,
            end=end,
            per_minute=profile.messages_per_minute,
            business_hours_only=business_hours_only,
        )
    except schedule.WindowTooShort as exc:
        if business_hours_only and exc.available_minutes == 0:
            return _(
                "This window has no business hours in it (weekdays 9:00–18:00, not public holidays or the New "
                "Year break). Make it longer, or allow sending outside business hours."
            )
        return _(
            "The window is too short: %(count)s messages at %(per_minute)s per minute need about %(needed)s "
            "minutes of sending time, and the window has %(available)s. Make the window longer, or raise the "
            "profile's messages per minute."
        ) % {
            "count": exc.count,
            "per_minute": exc.per_minute,
            "needed": exc.needed_minutes,
            "available": exc.available_minutes,
        }
    return ""


def drill_window_save(
    *,
    drill: Drill,
    actor,
    profile: SendingProfile,
    window_start: datetime,
    window_end: datetime,
    business_hours_only: bool,
    now: datetime | None = None,
) -> Drill:
    _draft(drill)
    now = now or timezone.now()
    if profile.organization_id != drill.organization_id:
        raise ValidationError({"profile": _("Choose one of your sending profiles.")})
    if window_end <= now:
        raise ValidationError({"window_end": _("“Send by” is in the past.")})
    count = audience_employees(org=drill.organization, audience=drill.audience).count()
    problem = window_problem(
        count=max(count, 1),
        profile=profile,
        start=max(window_start, now),
        end=window_end,
        business_hours_only=business_hours_only,
    )
    if problem:
        raise ValidationError(problem)
    drill.profile = profile
    drill.window_start = window_start
    drill.window_end = window_end
    drill.business_hours_only = business_hours_only
    drill.save(update_fields=["profile", "window_start", "window_end", "business_hours_only"])
    return drill


def drill_missing_steps(drill: Drill) -> list[str]:
    """The wizard steps that still need an answer ("audience", "template", "window")."""
    missing = []
    if drill.audience.get("mode") not in AUDIENCE_MODES:
        missing.append("audience")
    if not drill.template_ids:
        missing.append("template")
    if drill.profile_id is None or drill.window_start is None or drill.window_end is None:
        missing.append("window")
    return missing


def _language_of(person: Employee) -> str:
    """The language of the person's ippo account when they have one, else Japanese."""
    language = getattr(person.user, "language", "") if person.user_id else ""
    return language if language in templates_content.LANGUAGES else "ja"


@transaction.atomic
def drill_schedule(
    *,
    drill: Drill,
    actor,
    now: datetime | None = None,
    rng: random.Random | None = None,
    repeat_every_months: int | None = None,
    via: str = "web",
) -> Drill:
    """Create the recipients with their send times and move the draft to "scheduled".

    With `repeat_every_months`, also set up a recurring drill (DrillProgramme) that creates the next one."""
    _draft(drill)
    if Drill.objects.filter(pk=drill.pk, status=Drill.Status.DRAFT).update(status=Drill.Status.DRAFT) != 1:
        raise ValidationError(_("This drill has already been scheduled, so it can no longer be changed."))
    now = now or timezone.now()
    rng = rng or random.SystemRandom()
    org = drill.organization
    missing = drill_missing_steps(drill)
    if missing:
        raise ValidationError(_("Some steps are not finished yet. Go back and complete them."))
    people = list(audience_employees(org=org, audience=drill.audience).select_related("department", "user"))
    if not people:
        raise ValidationError(_("Nobody in the audience has an e-mail address any more. Choose others."))
    start = max(drill.window_start, now)
    problem = window_problem(
        count=len(people),
        profile=drill.profile,
        start=start,
        end=drill.window_end,
        business_hours_only=drill.business_hours_only,
    )
    if problem:
        raise ValidationError(problem)
    rng.shuffle(people)  # colleagues sitting together do not receive it one after the other
    times = schedule.send_times(
        count=len(people),
        start=start,
        end=drill.window_end,
        per_minute=drill.profile.messages_per_minute,
        business_hours_only=drill.business_hours_only,
    )
    templates = list(drill.template_ids)
    Recipient.objects.bulk_create(
        [
            Recipient(
                organization=org,
                drill=drill,
                employee=person,
                department_name=person.department.name if person.department else "",
                email=person.email,
                template_id=rng.choice(templates) if drill.random_template else templates[0],
                language=_language_of(person),
                send_after=when,
            )
            for person, when in zip(people, times, strict=True)
        ]
    )
    if repeat_every_months:
        programme = drillprogramme_create_from(
            drill=drill, actor=actor, every_months=repeat_every_months, now=now
        )
        drill.programme = programme
    drill.status = Drill.Status.SCHEDULED
    drill.save(update_fields=["status", "programme"])
    audit_record(
        action="drill.scheduled",
        actor=actor,
        org=org,
        target=drill,
        via=via,
        data={
            "recipients": len(people),
            "templates": templates,
            "from": start.isoformat(),
            "by": drill.window_end.isoformat(),
        },
    )
    return drill


@transaction.atomic
def drill_cancel(*, drill: Drill, actor, now: datetime | None = None) -> Drill:
    """Stop a drill that has not finished sending: nobody not yet sent will receive it."""
    allowed = [Drill.Status.DRAFT, Drill.Status.SCHEDULED, Drill.Status.SENDING]
    if not Drill.objects.filter(pk=drill.pk, status__in=allowed).update(
        status=Drill.Status.CANCELLED, finished_at=now or timezone.now()
    ):
        raise ValidationError(_("Only a drill that is still waiting or sending can be cancelled."))
    drill.refresh_from_db()
    unsent = drill.recipients.filter(claimed_at__isnull=True).count()
    audit_record(
        action="drill.cancelled", actor=actor, org=drill.organization, target=drill, data={"not_sent": unsent}
    )
    return drill


def _summary(drill: Drill) -> dict:
    try:
        from ippo.phishing.results import drill_results_compute  # the results module's figures, when present
    except ImportError:
        drill_results_compute = None
    if drill_results_compute is not None:
        return drill_results_compute(drill, for_storage=True)
    recipients = drill.recipients.all()
    return {
        "recipients": recipients.count(),
        "sent": recipients.filter(sent_at__isnull=False).count(),
        "reported": recipients.filter(reported_at__isnull=False).count(),
        "verified_clicks": recipients.filter(verified_click_at__isnull=False).count(),
        "submitted": recipients.filter(submitted_at__isnull=False).count(),
    }


@transaction.atomic
def drill_finish(*, drill: Drill, actor, now: datetime | None = None) -> Drill:
    """Close a drill that has been sent: results stay as they are; later clicks are no longer expected."""
    if not Drill.objects.filter(pk=drill.pk, status=Drill.Status.RUNNING).update(
        status=Drill.Status.FINISHED, finished_at=now or timezone.now()
    ):
        raise ValidationError(_("Only a drill whose mail has all been sent can be finished."))
    drill.refresh_from_db()
    if not drill.summary:
        drill.summary = _summary(drill)
        drill.save(update_fields=["summary"])
    audit_record(action="drill.finished", actor=actor, org=drill.organization, target=drill)
    return drill


@transaction.atomic
def drill_delete(*, drill: Drill, actor) -> None:
    if (
        drill.status not in (Drill.Status.DRAFT, Drill.Status.CANCELLED)
        or drill.recipients.filter(sent_at__isnull=False).exists()
    ):
        raise ValidationError(_("Only a draft, or a cancelled drill that sent nothing, can be deleted."))
    audit_record(
        action="drill.deleted", actor=actor, org=drill.organization, target=drill, data={"name": drill.name}
    )
    drill.delete()


# --- Recurring drills -----------------------------------------------------------------------------------------


def drillprogramme_create_from(*, drill: Drill, actor, every_months: int, now: datetime) -> DrillProgramme:
    if not 1 <= every_months <= 24:
        raise ValidationError({"repeat_every_months": _("Choose every 1 to 24 months.")})
    if drill.audience.get("mode") == "people":
        raise ValidationError(
            _(
                "A recurring drill goes to everyone or to departments. Choose those in step 1 to repeat this drill."
            )
        )
    start_day = timezone.localdate(drill.window_start or now)
    programme = DrillProgramme.objects.create(
        organization=drill.organization,
        name=drill.name,
        every_months=every_months,
        template_ids=list(template_ids()) if len(drill.template_ids) < 2 else list(drill.template_ids),
        random_template=True,
        profile=drill.profile,
        next_run_on=_add_months(start_day, every_months),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if drill.audience.get("mode") == "departments":
        programme.departments.set(drill.audience.get("departments") or [])
    audit_record(
        action="drillprogramme.created",
        actor=actor,
        org=drill.organization,
        target=programme,
        data={"every_months": every_months, "next_run_on": programme.next_run_on.isoformat()},
    )
    return programme


@transaction.atomic
def drillprogramme_stop(*, programme: DrillProgramme, actor) -> DrillProgramme:
    DrillProgramme.objects.filter(pk=programme.pk).update(is_active=False)
    programme.is_active = False
    audit_record(action="drillprogramme.stopped", actor=actor, org=programme.organization, target=programme)
    return programme


def programme_drill_create(*, programme: DrillProgramme, today: date, now: datetime) -> Drill | None:
    """The clock's job when a programme's day comes: claim it (conditional UPDATE of next_run_on), create
    and schedule the next drill. Returns None when another worker claimed it first or nobody has mail."""
    following = _add_months(programme.next_run_on, programme.every_months)
    with transaction.atomic():
        if not DrillProgramme.objects.filter(
            pk=programme.pk, is_active=True, next_run_on=programme.next_run_on
        ).update(next_run_on=following):
            return None
        org = programme.organization
        department_ids = list(programme.departments.values_list("pk", flat=True))
        audience = (
            {"mode": "departments", "departments": department_ids, "employees": []}
            if department_ids
            else {"mode": "everyone", "departments": [], "employees": []}
        )
        count = audience_employees(org=org, audience=audience).count()
        if not count:
            return None
        start, end = schedule.default_window(
            count=count,
            per_minute=programme.profile.messages_per_minute,
            on=max(today, programme.next_run_on),
        )
        drill = Drill.objects.create(
            organization=org,
            name=_("%(name)s (%(date)s)") % {"name": programme.name, "date": f"{start.date():%Y-%m}"},
            programme=programme,
            audience=audience,
            template_ids=list(programme.template_ids) or template_ids(),
            random_template=programme.random_template and len(programme.template_ids) != 1,
            profile=programme.profile,
            window_start=start,
            window_end=end,
            business_hours_only=True,
            created_by=programme.created_by,
        )
        drill_schedule(drill=drill, actor="clock", now=now, via="clock")
        audit_record(
            action="drillprogramme.drill_created",
            actor="clock",
            org=org,
            target=drill,
            via="clock",
            data={"programme": programme.pk, "next_run_on": following.isoformat()},
        )
    return drill


def programmes_due(*, org: Organization, today: date):
    return DrillProgramme.objects.filter(
        organization=org, is_active=True, next_run_on__lte=today
    ).select_related("profile", "organization", "created_by")


def default_window_start(now: datetime) -> datetime:
    """Tomorrow (or the next business day) at 10:00 Japan time: a sensible first value for the wizard."""
    day = schedule.next_business_day(now.astimezone(schedule.JST).date() + timedelta(days=1))
    return datetime.combine(day, datetime.min.time().replace(hour=10), tzinfo=schedule.JST)
