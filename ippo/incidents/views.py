"""Incident pages: the register, one incident (checklist, timeline, deadlines, personal data, review),
playbooks, the external contacts directory and the deadline settings. Everything needs `incidents.handle`."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_POST, require_safe

from ippo.core.audit import audit_record
from ippo.core.tenancy import org_view
from ippo.incidents import playbooks, selectors, services
from ippo.incidents.forms import (
    ClockForm,
    ContactForm,
    EntryForm,
    IncidentForm,
    PersonalDataForm,
    ReviewForm,
    SettingsForm,
    StatusForm,
    TaskAssignForm,
    TaskForm,
)
from ippo.incidents.models import (
    SEVERITY_HELP,
    SLA_HOURS,
    STATUS_HELP,
    ContactKind,
    EntryKind,
    ExternalContact,
    Incident,
    IncidentClock,
    IncidentTask,
    Severity,
    Status,
)
from ippo.lib import tabular
from ippo.lib.pdf import render_pdf

PERM = "incidents.handle"


def _incident(request, pk: int) -> Incident:
    return get_object_or_404(
        Incident.objects.filter(organization=request.org).select_related("owner", "report"), pk=pk
    )


def _show_errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _form_errors(request, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def _detail_url(request, incident):
    return redirect("org:incident_detail", request.org.slug, incident.pk)


# --- The register -----------------------------------------------------------------------------------------


@require_safe
@org_view(PERM)
def incident_list(request):
    state = request.GET.get("state", "open")
    state = state if state in ("open", "closed", "all") else "open"
    near_miss = request.GET.get("near_miss", "")
    near_miss = near_miss if near_miss in ("yes", "no") else ""
    context = {
        "incidents": list(selectors.incidents_for_list(request.org, state=state, near_miss=near_miss)),
        "state": state,
        "near_miss": near_miss,
        "summary": selectors.incident_summary(request.org, today=timezone.localdate()),
        "now": timezone.now(),
    }
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "incidents/_incident_table.html", context)
    return render(request, "incidents/incident_list.html", context)


@require_safe
@org_view(PERM)
def incident_export(request):
    fmt = tabular.export_format(request)
    incidents = list(selectors.incidents_for_list(request.org, state="all"))
    header = [
        _("Number"),
        _("Title"),
        _("What happened"),
        _("Severity"),
        pgettext("incident", "Status"),
        _("Near miss"),
        _("Company became aware"),
        _("Closed"),
        _("Person responsible"),
        _("Personal data"),
    ]
    rows = [
        [
            i.number,
            i.title,
            i.get_kind_display(),
            i.get_severity_display(),
            i.get_status_display(),
            _("Yes") if i.near_miss else _("No"),
            timezone.localtime(i.aware_at).strftime("%Y-%m-%d %H:%M"),
            timezone.localtime(i.closed_at).strftime("%Y-%m-%d %H:%M") if i.closed_at else "",
            i.owner.get_short_name() if i.owner else "",
            _("Yes") if i.personal_data else _("No"),
        ]
        for i in incidents
    ]
    services.incidents_exported(org=request.org, actor=request.user, fmt=fmt, count=len(rows))
    return tabular.table_response(
        fmt=fmt,
        filename=f"ippo-{request.org.slug}-incidents-{timezone.localdate():%Y%m%d}",
        title=_("Incidents"),
        header=header,
        rows=rows,
    )


@org_view(PERM)
def incident_create(request):
    users = selectors.handlers(request.org)
    form = IncidentForm(request.POST or None, users=users, org=request.org)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident = services.incident_create(
                org=request.org,
                actor=request.user,
                title=data["title"],
                kind=data["kind"],
                severity=data["severity"],
                description=data["description"],
                owner=data["owner"],
                near_miss=data["near_miss"],
                aware_at=data["aware_at"],
                occurred_at=data["occurred_at"],
                assets=data["assets"],
            )
        except ValidationError as exc:
            _show_errors(request, exc)
        else:
            messages.success(request, _("Incident #%(number)s was recorded.") % {"number": incident.number})
            return _detail_url(request, incident)
    return render(
        request, "incidents/incident_form.html", {"form": form, "incident": None, "sla": _sla_rows()}
    )


def _sla_rows():
    return [
        {
            "severity": label,
            "help": SEVERITY_HELP[value],
            "ack": SLA_HOURS[value][0],
            "contain": SLA_HOURS[value][1],
        }
        for value, label in Severity.choices
    ]


@org_view(PERM)
def incident_edit(request, pk: int):
    incident = _incident(request, pk)
    users = selectors.handlers(request.org)
    stored = copy.copy(incident)  # the form fills in its own copy; the service compares with the stored one
    form = IncidentForm(request.POST or None, instance=stored, users=users, org=request.org)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {name: data[name] for name in services.INCIDENT_FIELDS if name in data}
        try:
            services.incident_update(incident=incident, actor=request.user, assets=data["assets"], **fields)
        except ValidationError as exc:
            _show_errors(request, exc)
        else:
            messages.success(request, _("Saved."))
            return _detail_url(request, incident)
    return render(
        request, "incidents/incident_form.html", {"form": form, "incident": incident, "sla": _sla_rows()}
    )


@require_safe
@org_view(PERM)
def incident_detail(request, pk: int):
    incident = _incident(request, pk)
    users = selectors.handlers(request.org)
    tasks = list(incident.tasks.select_related("assignee", "done_by"))
    playbook = playbooks.playbook_get(incident.playbook_applied or incident.kind)
    context = {
        "incident": incident,
        "tasks": tasks,
        "tasks_done": sum(1 for t in tasks if t.is_done),
        "entries": list(incident.entries.select_related("author").order_by("-at", "-pk")),
        "clocks": list(incident.clocks.all()),
        "assets": list(incident.assets.all()),
        "review_actions": list(incident.review_actions.all()),
        "playbook": playbook,
        "can_apply_playbook": playbooks.playbook_get(incident.kind) is not None,
        "status_help": STATUS_HELP[incident.status],
        "status_form": StatusForm(initial={"status": (incident.next_statuses() or [("", "")])[0][0]}),
        "entry_form": EntryForm(initial={"kind": EntryKind.ACTION}),
        "task_form": TaskForm(users=users),
        "users": users,
        "clock_form": ClockForm(),
        "now": timezone.now(),
        "report": incident.report,
        "statuses": list(Status),
    }
    return render(request, "incidents/incident_detail.html", context)


@require_POST
@org_view(PERM)
def incident_status(request, pk: int):
    incident = _incident(request, pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.incident_status_change(
                incident=incident,
                actor=request.user,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            _show_errors(request, exc)
        else:
            messages.success(
                request, _("The status is now “%(status)s”.") % {"status": incident.get_status_display()}
            )
    else:
        _form_errors(request, form)
    return _detail_url(request, incident)


@require_POST
@org_view(PERM)
def incident_entry(request, pk: int):
    incident = _incident(request, pk)
    form = EntryForm(request.POST)
    if form.is_valid():
        services.entry_add(
            incident=incident,
            actor=request.user,
            kind=form.cleaned_data["kind"],
            text=form.cleaned_data["text"],
            at=form.cleaned_data["at"],
        )
        messages.success(request, _("Added to the timeline."))
    else:
        _form_errors(request, form)
    return redirect(f"{_detail_url(request, incident).url}#timeline")


@require_POST
@org_view(PERM)
def incident_playbook(request, pk: int):
    incident = _incident(request, pk)
    try:
        created = services.playbook_apply(incident=incident, actor=request.user)
    except ValidationError as exc:
        _show_errors(request, exc)
    else:
        messages.success(
            request,
            ngettext(
                "%(count)s step from the playbook was added to the checklist.",
                "%(count)s steps from the playbook were added to the checklist.",
                len(created),
            )
            % {"count": len(created)},
        )
    return redirect(f"{_detail_url(request, incident).url}#tasks")


@require_POST
@org_view(PERM)
def incident_task(request, pk: int):
    incident = _incident(request, pk)
    form = TaskForm(request.POST, users=selectors.handlers(request.org))
    if form.is_valid():
        try:
            services.task_add(
                incident=incident,
                actor=request.user,
                title=form.cleaned_data["title"],
                assignee=form.cleaned_data["assignee"],
            )
        except ValidationError as exc:
            _show_errors(request, exc)
    else:
        _form_errors(request, form)
    return redirect(f"{_detail_url(request, incident).url}#tasks")


@require_POST
@org_view(PERM)
def incidenttask_update(request, pk: int):
    """Tick or untick a task (`done` = 1 or 0) and/or set who does it. htmx gets the task's row back."""
    task = get_object_or_404(
        IncidentTask.objects.filter(organization=request.org).select_related("incident", "assignee"), pk=pk
    )
    users = selectors.handlers(request.org)
    done = {"1": True, "0": False}.get(request.POST.get("done", ""))
    assignee = ...
    if "assignee" in request.POST:
        form = TaskAssignForm(request.POST, users=users)
        if form.is_valid():
            assignee = form.cleaned_data["assignee"]
    services.task_update(task=task, actor=request.user, done=done, assignee=assignee)
    if request.htmx:
        return render(
            request, "incidents/_task.html", {"task": task, "incident": task.incident, "users": users}
        )
    return redirect(f"{_detail_url(request, task.incident).url}#tasks")


# --- Personal data, deadlines and the PPC draft ------------------------------------------------------------


@org_view(PERM)
def incident_personaldata(request, pk: int):
    incident = _incident(request, pk)
    stored = copy.copy(incident)
    form = PersonalDataForm(request.POST or None, instance=stored)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.APPI_FIELDS}
        services.incident_personal_data_save(incident=incident, actor=request.user, **fields)
        if incident.appi_reportable:
            messages.warning(
                request,
                _(
                    "A report to the Personal Information Protection Commission is needed. The deadlines are on the incident page."
                ),
            )
        else:
            messages.success(request, _("Saved."))
        return _detail_url(request, incident)
    settings = services.incident_settings_get(request.org)
    return render(
        request,
        "incidents/incident_personaldata.html",
        {"form": form, "incident": incident, "settings": settings},
    )


@require_POST
@org_view(PERM)
def incident_clock(request, pk: int):
    incident = _incident(request, pk)
    form = ClockForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.clock_add(
                incident=incident,
                actor=request.user,
                kind=data["kind"],
                label=data["label"],
                hours=data["hours"],
                due_at=data["due_at"],
            )
        except ValidationError as exc:
            _show_errors(request, exc)
        else:
            messages.success(request, _("The deadline was added."))
    else:
        _form_errors(request, form)
    return redirect(f"{_detail_url(request, incident).url}#clocks")


@require_POST
@org_view(PERM)
def incident_clocksusual(request, pk: int):
    incident = _incident(request, pk)
    added = services.clocks_usual_add(incident=incident, actor=request.user)
    if added:
        messages.success(
            request,
            ngettext(
                "%(count)s deadline from your settings was started.",
                "%(count)s deadlines from your settings were started.",
                len(added),
            )
            % {"count": len(added)},
        )
    else:
        messages.info(
            request,
            _(
                "No deadline was added: set your contract and insurer notice periods in the deadline settings first."
            ),
        )
    return redirect(f"{_detail_url(request, incident).url}#clocks")


@require_POST
@org_view(PERM)
def incidentclock_done(request, pk: int):
    clock = get_object_or_404(
        IncidentClock.objects.filter(organization=request.org).select_related("incident"), pk=pk
    )
    services.clock_done(clock=clock, actor=request.user)
    messages.success(request, _("Marked as met."))
    return redirect(f"{_detail_url(request, clock.incident).url}#clocks")


def _ppc_context(request, incident):
    settings = services.incident_settings_get(request.org)
    return {
        "org": request.org,
        "incident": incident,
        "clocks": [c for c in incident.clocks.all() if c.kind in ("appi_preliminary", "appi_final")],
        "due": services.appi_due(incident, settings) if incident.appi_reportable else {},
        "assets": list(incident.assets.all()),
        "generated": timezone.localtime(),
    }


@require_safe
@org_view(PERM)
def incident_ppcdraft(request, pk: int):
    """A draft of the fields of the report to the PPC, to print or to copy into the official form."""
    incident = _incident(request, pk)
    context = _ppc_context(request, incident)
    if request.GET.get("format") == "pdf":
        html = render_to_string("incidents/ppc_draft_pdf.html", context, request=None)
        audit_record(
            action="incident.ppc_draft_downloaded", actor=request.user, org=request.org, target=incident
        )
        response = HttpResponse(render_pdf(html), content_type="application/pdf")
        response["Content-Disposition"] = tabular.content_disposition(
            f"ippo-{request.org.slug}-incident-{incident.number}-ppc-draft.pdf"
        )
        return response
    return render(request, "incidents/incident_ppcdraft.html", context)


# --- Review -----------------------------------------------------------------------------------------------


@org_view(PERM)
def incident_review(request, pk: int):
    incident = _incident(request, pk)
    users = selectors.handlers(request.org)
    initial = {
        "what_happened": incident.review_what_happened or incident.description,
        "went_well": incident.review_went_well,
        "to_improve": incident.review_to_improve,
    }
    form = ReviewForm(request.POST or None, initial=initial, users=users)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        items = services.incident_review_save(
            incident=incident,
            actor=request.user,
            what_happened=data["what_happened"],
            went_well=data["went_well"],
            to_improve=data["to_improve"],
            lessons=data["lessons"],
            owner=data["owner"],
            due_date=data["due_date"],
        )
        messages.success(
            request,
            ngettext(
                "The review was saved and %(count)s action item was added to the security plan.",
                "The review was saved and %(count)s action items were added to the security plan.",
                len(items),
            )
            % {"count": len(items)},
        )
        return _detail_url(request, incident)
    return render(
        request,
        "incidents/incident_review.html",
        {"form": form, "incident": incident, "review_actions": list(incident.review_actions.all())},
    )


# --- Playbooks --------------------------------------------------------------------------------------------


@require_safe
@org_view(PERM)
def playbook_list(request):
    return render(request, "incidents/playbook_list.html", {"playbooks": playbooks.playbooks()})


@require_safe
@org_view(PERM)
def playbook_read(request):
    """One playbook (?id=…), as a page or, with ?format=pdf, a PDF to print and keep by the phone."""
    playbook = playbooks.playbook_get(request.GET.get("id", ""))
    if playbook is None:
        return redirect("org:playbook_list", request.org.slug)
    contacts = {
        c.kind: c for c in ExternalContact.objects.filter(organization=request.org).order_by("position", "pk")
    }
    calls = [{"call": call, "contact": contacts.get(call.contact)} for call in playbook.call]
    context = {"playbook": playbook, "calls": calls, "org": request.org}
    if request.GET.get("format") == "pdf":
        html = render_to_string("incidents/playbook_pdf.html", context)
        response = HttpResponse(render_pdf(html), content_type="application/pdf")
        response["Content-Disposition"] = tabular.content_disposition(f"ippo-playbook-{playbook.id}.pdf")
        return response
    return render(request, "incidents/playbook_read.html", context)


# --- Contacts ---------------------------------------------------------------------------------------------


@require_safe
@org_view(PERM)
def externalcontact_list(request):
    contacts = list(ExternalContact.objects.filter(organization=request.org).order_by("position", "pk"))
    seeded = {c.seed_key for c in contacts if c.seed_key}
    from ippo.incidents.contacts import SEEDS

    return render(
        request,
        "incidents/externalcontact_list.html",
        {
            "contacts": contacts,
            "missing_seeds": len([s for s in SEEDS if s.key not in seeded]),
            "print": request.GET.get("print") == "1",
        },
    )


@require_POST
@org_view(PERM)
def externalcontact_seed(request):
    added = services.contacts_seed(org=request.org, actor=request.user, force=True)
    messages.success(
        request,
        ngettext("%(count)s contact point was added.", "%(count)s contact points were added.", added)
        % {"count": added},
    )
    return redirect("org:externalcontact_list", request.org.slug)


def _contact_form_page(request, contact):
    stored = copy.copy(contact) if contact else None
    initial = {}
    if contact and not contact.name:
        initial = {"name": contact.display_name, "notes": contact.display_notes}
    form = ContactForm(request.POST or None, instance=stored, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.CONTACT_FIELDS}
        try:
            if contact is None:
                services.contact_create(org=request.org, actor=request.user, **fields)
            else:
                services.contact_update(contact=contact, actor=request.user, **fields)
        except ValidationError as exc:
            _show_errors(request, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("org:externalcontact_list", request.org.slug)
    return render(request, "incidents/externalcontact_form.html", {"form": form, "contact": contact})


@org_view(PERM)
def externalcontact_create(request):
    return _contact_form_page(request, None)


@org_view(PERM)
def externalcontact_edit(request, pk: int):
    return _contact_form_page(
        request, get_object_or_404(ExternalContact.objects.filter(organization=request.org), pk=pk)
    )


@require_POST
@org_view(PERM)
def externalcontact_delete(request, pk: int):
    contact = get_object_or_404(ExternalContact.objects.filter(organization=request.org), pk=pk)
    services.contact_delete(contact=contact, actor=request.user)
    messages.success(request, _("The contact was deleted."))
    return redirect("org:externalcontact_list", request.org.slug)


# --- Settings ---------------------------------------------------------------------------------------------


@org_view(PERM)
def incidentsettings_edit(request):
    settings = services.incident_settings_get(request.org)
    form = SettingsForm(request.POST or None, instance=copy.copy(settings))
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.SETTINGS_FIELDS}
        try:
            services.incident_settings_save(org=request.org, actor=request.user, **fields)
        except ValidationError as exc:
            _show_errors(request, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("org:incident_list", request.org.slug)
    return render(
        request, "incidents/incidentsettings_edit.html", {"form": form, "contact_kinds": ContactKind}
    )
