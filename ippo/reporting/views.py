"""Organisation pages of the reporting channel: the pillar page (how to report, my reports), reporting while
signed in, and the handlers' inbox, report page, escalation rules, designated handlers and contact tree."""

from __future__ import annotations

import base64
import io

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from ippo.core.audit import audit_record
from ippo.core.roles import role_has_permission
from ippo.core.tenancy import org_view
from ippo.reporting import escalation, selectors, services
from ippo.reporting.forms import (
    DesignateForm,
    EscalationRuleForm,
    MessageForm,
    ReplyForm,
    ReportForm,
    ReportUpdateForm,
    SettingsForm,
)
from ippo.reporting.models import (
    Acknowledgement,
    DesignatedHandler,
    EscalationContact,
    EscalationNotice,
    EscalationRule,
    Report,
    ReportAttachment,
)


def _report_link(request) -> str:
    row = services.reportsettings_get(org=request.org)
    return settings.BASE_URL + reverse("reporting:report_start", args=[row.token])


def _qr_data_uri(text: str) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _optional_url(name: str, slug: str) -> str:
    try:
        return reverse(name, args=[slug])
    except NoReverseMatch:
        return ""


def _designated(request) -> bool:
    return services.is_designated(org=request.org, user=request.user)


def _put_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _uploads(files, *, keep_metadata: bool) -> list[services.Upload]:
    return [services.Upload(data=f.read(), strip=not keep_metadata) for f in files]


# --- Everyone ----------------------------------------------------------------------------------------------


@require_safe
@org_view("org.view")
def pillar_incidents(request):
    """Pillar 5: how to report (the link, its QR code, reporting now), my reports; for handlers, the inbox."""
    org = request.org
    link = _report_link(request)
    handler = role_has_permission(request.role, "incidents.handle")
    mine = list(Report.objects.filter(organization=org, reporter=request.user).order_by("-created_at")[:10])
    context = {
        "report_link": link,
        "qr": _qr_data_uri(link),
        "mine": mine,
        "handler": handler,
    }
    if handler:
        designated = _designated(request)
        context.update(
            {
                "waiting": list(
                    selectors.reports_unacknowledged(org=org, designated=designated).order_by("-created_at")[
                        :10
                    ]
                ),
                "incident_list_url": _optional_url("org:incident_list", org.slug),
                "tabletop_url": _optional_url("org:exercise_list", org.slug)
                or _optional_url("org:tabletop_list", org.slug)
                or _optional_url("org:pillar_tabletop", org.slug),
                "rule_count": EscalationRule.objects.filter(organization=org, is_active=True).count(),
            }
        )
    return render(request, "reporting/pillar.html", context)


@require_safe
@org_view("org.view")
def report_poster(request):
    """A page to print and put up: the report link as a large QR code, with a few plain words."""
    link = _report_link(request)
    return render(request, "reporting/report_poster.html", {"report_link": link, "qr": _qr_data_uri(link)})


@org_view("org.view")
def report_create(request):
    """Report while signed in, with one's name. Anonymous reports go through the report link instead."""
    form = ReportForm(request.POST or None, request.FILES or None, public=False)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = services.report_submit(
                org=request.org,
                actor=request.user,
                kind=data["kind"],
                happened=data["happened"],
                description=data["description"],
                identity=data["identity"],
                severity_guess=data["severity_guess"],
                uploads=_uploads(data["screenshots"], keep_metadata=data["keep_metadata"]),
            )
        except ValidationError as exc:
            _put_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Thank you for reporting. The people who handle reports have been told, and their replies "
                    "will appear here. Reporting early is always the right thing to do."
                ),
            )
            return redirect(reverse("org:report_mine", args=[request.org.slug]) + f"?r={report.pk}")
    context = {"form": form, "report_link": _report_link(request)}
    with_names = escalation.concern_handlers(request.org)
    context["concern_recipients"] = [u.name or u.email for u in with_names]
    return render(request, "reporting/report_create.html", context)


@org_view("org.view")
def report_mine(request):
    """The reports I sent with my name, and the thread of one (`?r=<id>`), where I can add information."""
    org = request.org
    mine = Report.objects.filter(organization=org, reporter=request.user).order_by("-created_at")
    selected = None
    pk = request.POST.get("report") or request.GET.get("r")
    if pk and str(pk).isdigit():
        selected = get_object_or_404(mine, pk=int(pk))
    form = MessageForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if selected is None:
            messages.error(request, _("Please choose one of your reports."))
            return redirect("org:report_mine", org.slug)
        if form.is_valid():
            try:
                services.report_add_from_reporter(
                    report=selected,
                    body=form.cleaned_data["body"],
                    uploads=_uploads(form.cleaned_data["screenshots"], keep_metadata=False),
                    author=request.user,
                )
            except ValidationError as exc:
                _put_errors(form, exc)
            else:
                messages.success(request, _("Thank you. Your message has been added to the report."))
                return redirect(reverse("org:report_mine", args=[org.slug]) + f"?r={selected.pk}")
    context = {
        "reports": list(mine[:50]),
        "selected": selected,
        "thread": list(selected.messages.order_by("pk")) if selected else [],
        "form": form,
    }
    return render(request, "reporting/report_mine.html", context)


# --- Handlers ----------------------------------------------------------------------------------------------


@require_safe
@org_view("incidents.handle")
def report_list(request):
    designated = _designated(request)
    status = request.GET.get("status", "")
    reports = selectors.reports_for_handler(org=request.org, user=request.user, designated=designated)
    if status == "open":
        reports = reports.exclude(status="closed")
    rows = list(reports[:200])
    context = {
        # Concerns about misconduct are kept apart from security reports (designated handlers only).
        "reports": [r for r in rows if not r.is_concern],
        "concerns": [r for r in rows if r.is_concern],
        "designated": designated,
        "status": status,
    }
    return render(request, "reporting/report_list.html", context)


def _get_report(request, pk: int) -> Report:
    """The report, or 404: concerns about misconduct exist only for the designated handlers."""
    report = get_object_or_404(
        Report.objects.filter(organization=request.org).select_related("reporter"), pk=pk
    )
    if not services.can_see_report(report=report, user=request.user, org=request.org):
        raise Http404("No such report")
    return report


def _incident_for(report: Report):
    try:
        return report.incident
    except (ObjectDoesNotExist, AttributeError):
        return None


@require_safe
@org_view("incidents.handle")
def report_detail(request, pk: int):
    report = _get_report(request, pk)
    services.report_viewed(report=report, actor=request.user, org=request.org)
    notices = list(EscalationNotice.objects.filter(report=report))
    people = {u.pk: u for u in escalation.handlers(request.org)}
    for notice in notices:
        notice.people = [people[i] for i in notice.recipient_ids if i in people]
    incident = _incident_for(report)
    incident_url = ""
    if incident is not None:
        try:
            incident_url = reverse("org:incident_detail", args=[request.org.slug, incident.pk])
        except NoReverseMatch:
            incident_url = ""
    context = {
        "report": report,
        "show_name": services.can_see_name(report=report, user=request.user, org=request.org),
        "thread": list(report.messages.select_related("author").order_by("pk")),
        "attachments": list(report.attachments.filter(message__isnull=True)),
        "message_attachments": list(report.attachments.filter(message__isnull=False)),
        "acknowledgements": list(Acknowledgement.objects.filter(report=report).select_related("user")),
        "notices": notices,
        "reply_form": ReplyForm(),
        "update_form": ReportUpdateForm(initial={"status": report.status, "severity": report.severity}),
        "incident": incident,
        "incident_url": incident_url,
        "can_open_incident": _incidents_available(),
    }
    return render(request, "reporting/report_detail.html", context)


def _incidents_available() -> bool:
    try:
        from ippo.incidents.services import incident_create_from_report  # noqa: F401
    except ImportError:
        return False
    return True


@require_POST
@org_view("incidents.handle")
def report_reply(request, pk: int):
    report = _get_report(request, pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        services.report_reply(report=report, actor=request.user, body=form.cleaned_data["body"])
        messages.success(request, _("Your reply was sent. The reporter sees it when they come back."))
    else:
        messages.error(request, _("Please write a reply."))
    return redirect("org:report_detail", request.org.slug, report.pk)


@require_POST
@org_view("incidents.handle")
def report_acknowledge(request, pk: int):
    report = _get_report(request, pk)
    services.report_acknowledge(report=report, actor=request.user)
    messages.success(request, _("Acknowledged. The others can see that you have it in hand."))
    return redirect("org:report_detail", request.org.slug, report.pk)


@require_POST
@org_view("incidents.handle")
def report_update(request, pk: int):
    report = _get_report(request, pk)
    form = ReportUpdateForm(request.POST)
    if form.is_valid():
        services.report_update(
            report=report,
            actor=request.user,
            status=form.cleaned_data["status"],
            severity=form.cleaned_data["severity"],
        )
        messages.success(request, _("The report was updated."))
    else:
        messages.error(request, _("Please choose a status and a severity from the lists."))
    return redirect("org:report_detail", request.org.slug, report.pk)


@require_POST
@org_view("incidents.handle")
def report_incident(request, pk: int):
    """Open an incident from the report (ippo.incidents), or go to the one already open."""
    report = _get_report(request, pk)
    incident = _incident_for(report)
    if incident is None:
        try:
            from ippo.incidents.services import incident_create_from_report
        except ImportError:
            messages.error(request, _("Incidents are not available in this installation."))
            return redirect("org:report_detail", request.org.slug, report.pk)
        incident = incident_create_from_report(org=request.org, report=report, actor=request.user)
        audit_record(action="report.incident_opened", actor=request.user, org=request.org, target=report)
        messages.success(request, _("An incident was opened from this report."))
    try:
        return redirect(reverse("org:incident_detail", args=[request.org.slug, incident.pk]))
    except NoReverseMatch:
        return redirect("org:report_detail", request.org.slug, report.pk)


@require_safe
@org_view("incidents.handle")
def reportattachment_download(request, pk: int):
    attachment = get_object_or_404(
        ReportAttachment.objects.filter(organization=request.org).select_related("report"), pk=pk
    )
    if not services.can_see_report(report=attachment.report, user=request.user, org=request.org):
        raise Http404("No such attachment")
    services.report_attachment_downloaded(attachment=attachment, actor=request.user, org=request.org)
    extension = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}.get(
        attachment.content_type, "bin"
    )
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=True,
        filename=f"report-{attachment.report_id}-{attachment.pk}.{extension}",
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- Escalation, designated handlers, settings ---------------------------------------------------------------


def _handler_people(org):
    from ippo.accounts.models import User

    return User.objects.filter(pk__in=[u.pk for u in escalation.handlers(org)]).order_by("name", "email")


@require_safe
@org_view("incidents.handle")
def escalationrule_list(request):
    context = {
        "tree": selectors.contact_tree(org=request.org),
        "settings_row": services.reportsettings_get(org=request.org),
        "designated": list(DesignatedHandler.objects.filter(organization=request.org).select_related("user")),
        "can_designate": role_has_permission(request.role, "org.settings"),
        "report_link": _report_link(request),
    }
    return render(request, "reporting/escalationrule_list.html", context)


def _rule_form_page(request, rule: EscalationRule | None):
    people = _handler_people(request.org)
    contacts: dict = {}
    if rule is not None:
        for contact in EscalationContact.objects.filter(rule=rule).select_related("user"):
            contacts.setdefault((contact.step, contact.shift), []).append(contact.user)
    form = EscalationRuleForm(request.POST or None, instance=rule, people=people, contacts=contacts)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.RULE_FIELDS}
        try:
            services.escalationrule_save(
                org=request.org, actor=request.user, rule=rule, contacts=form.contacts(), **fields
            )
        except ValidationError as exc:
            _put_errors(form, exc)
        else:
            messages.success(request, _("The escalation rule was saved."))
            return redirect("org:escalationrule_list", request.org.slug)
    return render(request, "reporting/escalationrule_form.html", {"form": form, "rule": rule})


@org_view("incidents.handle")
def escalationrule_create(request):
    return _rule_form_page(request, None)


@org_view("incidents.handle")
def escalationrule_edit(request, pk: int):
    # A fresh copy for the form to fill in: the service reads the stored values.
    rule = get_object_or_404(EscalationRule.objects.filter(organization=request.org), pk=pk)
    return _rule_form_page(request, rule)


@require_POST
@org_view("incidents.handle")
def escalationrule_delete(request, pk: int):
    rule = get_object_or_404(EscalationRule.objects.filter(organization=request.org), pk=pk)
    services.escalationrule_delete(org=request.org, actor=request.user, rule=rule)
    messages.success(request, _("The escalation rule was deleted."))
    return redirect("org:escalationrule_list", request.org.slug)


@require_safe
@org_view("incidents.handle")
def contact_tree(request):
    """The printable contact tree: who is called, in which order, in and out of office hours."""
    context = {
        "tree": selectors.contact_tree(org=request.org),
        "settings_row": services.reportsettings_get(org=request.org),
        "concern_handlers": escalation.concern_handlers(request.org),
        "leaders": [
            m.user
            for m in request.org.membership_set.filter(role__in=["owner", "manager"]).select_related("user")
        ],
    }
    return render(request, "reporting/contact_tree.html", context)


@org_view("org.settings")
def designatedhandler_list(request):
    people = _handler_people(request.org)
    form = DesignateForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        try:
            services.designatedhandler_add(
                org=request.org, actor=request.user, user=form.cleaned_data["user"]
            )
        except ValidationError as exc:
            _put_errors(form, exc)
        else:
            messages.success(request, _("The person was designated to handle concerns about misconduct."))
            return redirect("org:designatedhandler_list", request.org.slug)
    context = {
        "form": form,
        "designated": list(DesignatedHandler.objects.filter(organization=request.org).select_related("user")),
    }
    return render(request, "reporting/designatedhandler_list.html", context)


@require_POST
@org_view("org.settings")
def designatedhandler_delete(request, pk: int):
    row = get_object_or_404(
        DesignatedHandler.objects.filter(organization=request.org).select_related("user"), pk=pk
    )
    services.designatedhandler_remove(org=request.org, actor=request.user, row=row)
    messages.success(request, _("The designation was removed."))
    return redirect("org:designatedhandler_list", request.org.slug)


@org_view("incidents.handle")
def reportsettings_edit(request):
    row = services.reportsettings_get(org=request.org)
    form = SettingsForm(
        request.POST or None,
        initial={
            "day_starts": row.day_starts,
            "day_ends": row.day_ends,
            "weekends_are_night": row.weekends_are_night,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.reportsettings_update(org=request.org, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Office hours saved."))
        return redirect("org:escalationrule_list", request.org.slug)
    return render(request, "reporting/reportsettings_edit.html", {"form": form, "settings_row": row})


@require_POST
@org_view("org.settings")
def reportsettings_rotate(request):
    services.reportsettings_rotate(org=request.org, actor=request.user)
    messages.success(
        request,
        _("The report link was replaced. The old link and its QR code no longer work; share the new one."),
    )
    return redirect("org:escalationrule_list", request.org.slug)
