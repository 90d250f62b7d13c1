"""Manager pages for drills: sending profiles, the five-step wizard, the drill list and detail, documents."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Min, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from ippo.core.tenancy import org_view
from ippo.lib.forms import show_errors
from ippo.phishing import documents, sending, services
from ippo.phishing.forms import (
    AudienceForm,
    LandingForm,
    ProfileTestForm,
    ReviewForm,
    SendingProfileForm,
    TemplateForm,
    WindowForm,
)
from ippo.phishing.models import Drill, DrillProgramme, SendingProfile

STEPS = ("audience", "template", "landing", "window", "review")


def _lang() -> str:
    language = (get_language() or "ja")[:2]
    return language if language in ("ja", "en") else "ja"


def _data(request):
    """The POSTed data, even when empty (an empty POST must still validate and show its errors)."""
    return request.POST if request.method == "POST" else None




# --- Sending profiles ---------------------------------------------------------------------------------------


@require_safe
@org_view("drills.manage")
def sendingprofile_list(request):
    profiles = list(SendingProfile.objects.filter(organization=request.org).order_by("name"))
    return render(request, "phishing/sendingprofile_list.html", {"profiles": profiles})


def _profile_page(request, profile: SendingProfile | None):
    form = SendingProfileForm(_data(request), instance=profile)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.PROFILE_FIELDS}
        try:
            saved = services.sendingprofile_save(
                org=request.org,
                actor=request.user,
                profile=profile,
                password=form.cleaned_data.get("password") or "",
                **fields,
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("The sending profile “%(name)s” was saved.") % {"name": saved.name})
            return redirect("org:sendingprofile_edit", request.org.slug, saved.pk)
    context = {
        "form": form,
        "profile": profile,
        "test_form": ProfileTestForm(initial={"to_address": request.user.email}),
        "check": _check_context(profile) if profile else None,
    }
    return render(request, "phishing/sendingprofile_form.html", context)


def _check_context(profile: SendingProfile) -> dict:
    stored = profile.domain_check or {}
    results = stored.get("results") or []
    return {
        "stored": stored,
        "results": results,
        "available": stored.get("available", services.domain_check_available()),
        "problems": any(r.get("status") in ("fail", "warn") for r in results),
        "domain": sending.domain_of(profile.from_address),
    }


@org_view("drills.manage")
def sendingprofile_create(request):
    return _profile_page(request, None)


@org_view("drills.manage")
def sendingprofile_edit(request, pk: int):
    return _profile_page(
        request, get_object_or_404(SendingProfile.objects.filter(organization=request.org), pk=pk)
    )


@require_POST
@org_view("drills.manage")
def sendingprofile_test(request, pk: int):
    profile = get_object_or_404(SendingProfile.objects.filter(organization=request.org), pk=pk)
    form = ProfileTestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the e-mail address the test message should go to."))
    else:
        to = form.cleaned_data["to_address"]
        error = services.sendingprofile_test(profile=profile, actor=request.user, to_address=to)
        if error:
            messages.error(
                request,
                _(
                    "The test message could not be sent: %(error)s. Check the server, port, encryption, user name and password."
                )
                % {"error": error},
            )
        else:
            messages.success(
                request, _("A test message was sent to %(to)s. Check that it arrived.") % {"to": to}
            )
    return redirect("org:sendingprofile_edit", request.org.slug, profile.pk)


@require_POST
@org_view("drills.manage")
def sendingprofile_check(request, pk: int):
    profile = get_object_or_404(SendingProfile.objects.filter(organization=request.org), pk=pk)
    result = services.sendingprofile_domain_check(profile=profile, actor=request.user)
    if not result["available"]:
        messages.warning(request, _("The sender domain check is not available in this installation yet."))
    else:
        messages.success(
            request, _("The sender domain %(domain)s was checked.") % {"domain": result["domain"]}
        )
    return redirect(reverse("org:sendingprofile_edit", args=[request.org.slug, profile.pk]) + "#domain-check")


@require_POST
@org_view("drills.manage")
def sendingprofile_delete(request, pk: int):
    profile = get_object_or_404(SendingProfile.objects.filter(organization=request.org), pk=pk)
    try:
        services.sendingprofile_delete(profile=profile, actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("org:sendingprofile_edit", request.org.slug, profile.pk)
    messages.success(request, _("The sending profile “%(name)s” was deleted.") % {"name": profile.name})
    return redirect("org:sendingprofile_list", request.org.slug)


# --- Drill list and detail ----------------------------------------------------------------------------------


@require_safe
@org_view("drills.manage")
def drill_list(request):
    drills = list(
        Drill.objects.filter(organization=request.org)
        .annotate(
            recipient_count=Count("recipients"),
            sent_count=Count("recipients", filter=Q(recipients__sent_at__isnull=False)),
            reported_count=Count("recipients", filter=Q(recipients__reported_at__isnull=False)),
        )
        .order_by("-created_at", "-pk")
    )
    programmes = list(
        DrillProgramme.objects.filter(organization=request.org).select_related("profile").order_by("name")
    )
    context = {
        "drills": drills,
        "programmes": programmes,
        "has_profile": SendingProfile.objects.filter(organization=request.org).exists(),
    }
    return render(request, "phishing/drill_list.html", context)


def _get_drill(request, pk: int) -> Drill:
    return get_object_or_404(
        Drill.objects.filter(organization=request.org).select_related("profile", "programme"), pk=pk
    )


@require_safe
@org_view("drills.manage")
def drill_detail(request, pk: int):
    drill = _get_drill(request, pk)
    results = None
    try:
        from ippo.phishing.results import drill_results
    except ImportError:
        drill_results = None
    if drill_results is not None and drill.status not in (Drill.Status.DRAFT,):
        results = drill_results(drill)
    counts = drill.recipients.aggregate(
        first=Min("send_after"),
        last=Max("send_after"),
        total=Count("pk"),
        sent=Count("pk", filter=Q(sent_at__isnull=False)),
        errors=Count("pk", filter=~Q(send_error="")),
        waiting=Count("pk", filter=Q(claimed_at__isnull=True)),
    )
    errors = list(drill.recipients.exclude(send_error="").order_by("pk").values("email", "send_error")[:20])
    context = {
        "drill": drill,
        "results": results,
        "counts": counts,
        "errors": errors,
        "audience": services.audience_describe(org=request.org, audience=drill.audience),
        "templates": _templates_named(drill.template_ids, company=request.org.name),
        "resume_step": (services.drill_missing_steps(drill) or ["review"])[0],
        "can_cancel": drill.status in (Drill.Status.DRAFT, Drill.Status.SCHEDULED, Drill.Status.SENDING),
        "can_finish": drill.status == Drill.Status.RUNNING,
        "can_delete": drill.status in (Drill.Status.DRAFT, Drill.Status.CANCELLED) and not counts["sent"],
    }
    return render(request, "phishing/drill_detail.html", context)


def _templates_named(ids: list[str], *, company: str) -> list[str]:
    """The subjects of the chosen templates, in the reader's language, as a sample person would see them."""
    by_id = sending.templates_content_by_id()
    return [_preview(by_id[t], _lang(), company=company)["subject"] for t in ids if t in by_id]


def _state_change(request, pk: int, action, done: str):
    drill = _get_drill(request, pk)
    try:
        action(drill=drill, actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, done % {"name": drill.name})
    return redirect("org:drill_detail", request.org.slug, drill.pk)


@require_POST
@org_view("drills.manage")
def drill_finish(request, pk: int):
    return _state_change(request, pk, services.drill_finish, _("The drill “%(name)s” is finished."))


@require_POST
@org_view("drills.manage")
def drill_cancel(request, pk: int):
    return _state_change(
        request,
        pk,
        services.drill_cancel,
        _("The drill “%(name)s” was cancelled. Nobody else will receive it."),
    )


@require_POST
@org_view("drills.manage")
def drill_delete(request, pk: int):
    drill = _get_drill(request, pk)
    try:
        services.drill_delete(drill=drill, actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("org:drill_detail", request.org.slug, drill.pk)
    messages.success(request, _("The drill “%(name)s” was deleted.") % {"name": drill.name})
    return redirect("org:drill_list", request.org.slug)


@require_POST
@org_view("drills.manage")
def drillprogramme_stop(request, pk: int):
    programme = get_object_or_404(DrillProgramme.objects.filter(organization=request.org), pk=pk)
    services.drillprogramme_stop(programme=programme, actor=request.user)
    messages.success(
        request,
        _("The recurring drill “%(name)s” was stopped. Drills already sent keep their results.")
        % {"name": programme.name},
    )
    return redirect("org:drill_list", request.org.slug)


# --- The wizard ---------------------------------------------------------------------------------------------


def _wizard(request, drill: Drill | None, step: str, form, extra: dict | None = None):
    labels = {
        "audience": pgettext("drill wizard step", "Who"),
        "template": pgettext("drill wizard step", "Mail"),
        "landing": pgettext("drill wizard step", "After a click"),
        "window": pgettext("drill wizard step", "When"),
        "review": pgettext("drill wizard step", "Check and send"),
    }
    context = {
        "drill": drill,
        "step": step,
        "steps": [(n, s, labels[s]) for n, s in enumerate(STEPS, 1)],
        "step_number": STEPS.index(step) + 1,
        "form": form,
        **(extra or {}),
    }
    return render(request, f"phishing/drill_wizard_{step}.html", context)


def _draft_or_redirect(request, pk: int):
    drill = _get_drill(request, pk)
    if drill.status != Drill.Status.DRAFT:
        messages.info(
            request, _("This drill has already been scheduled, so its settings can no longer be changed.")
        )
        return drill, redirect("org:drill_detail", request.org.slug, drill.pk)
    return drill, None


def _next(request, drill: Drill, step: str):
    following = STEPS[STEPS.index(step) + 1]
    return redirect(f"org:drill_{following}", request.org.slug, drill.pk)


def _audience_page(request, drill: Drill | None):
    initial = {"mode": "everyone"}
    if drill is not None:
        initial = {
            "name": drill.name,
            "mode": drill.audience.get("mode") or "everyone",
            "departments": drill.audience.get("departments") or [],
            "employees": drill.audience.get("employees") or [],
        }
    form = AudienceForm(_data(request), org=request.org, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        target = drill or services.drill_draft_create(org=request.org, actor=request.user, name=data["name"])
        try:
            services.drill_audience_save(
                drill=target,
                actor=request.user,
                name=data["name"],
                mode=data["mode"],
                departments=[d.pk for d in data["departments"]],
                employees=[e.pk for e in data["employees"]],
            )
        except ValidationError as exc:
            if drill is None:
                target.delete()
            show_errors(form, exc)
        else:
            return _next(request, target, "audience")
    with_mail = services.audience_employees(org=request.org, audience={"mode": "everyone"}).count()
    return _wizard(request, drill, "audience", form, {"with_mail": with_mail})


@org_view("drills.manage")
def drill_create(request):
    return _audience_page(request, None)


@org_view("drills.manage")
def drill_audience(request, pk: int):
    drill, away = _draft_or_redirect(request, pk)
    return away or _audience_page(request, drill)


def _preview(template, language: str, *, company: str) -> dict:
    subject, body = sending.templates_content.template_render(
        template,
        language,
        first_name=_("Taro"),
        last_name=_("Yamada"),
        company=company,
        link="[" + template.link_text.get(language) + "]",
        date=sending.date_text(timezone.now(), language),
    )
    return {
        "template": template,
        "subject": subject,
        "sender": template.sender_name.get(language),
        "body": body,
        "flags": [(f.quote.get(language), f.explanation.get(language)) for f in template.red_flags],
    }


@org_view("drills.manage")
def drill_template(request, pk: int):
    drill, away = _draft_or_redirect(request, pk)
    if away:
        return away
    templates = list(sending.templates_content_by_id().values())
    form = TemplateForm(
        _data(request),
        templates=templates,
        initial={"template_ids": drill.template_ids, "random_template": drill.random_template},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.drill_templates_save(
                drill=drill,
                actor=request.user,
                template_ids=form.cleaned_data["template_ids"],
                random_template=form.cleaned_data["random_template"],
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            return _next(request, drill, "template")
    language = _lang()
    chosen = set(form["template_ids"].value() or [])
    previews = [_preview(t, language, company=request.org.name) for t in templates]
    return _wizard(request, drill, "template", form, {"previews": previews, "chosen": chosen})


@org_view("drills.manage")
def drill_landing(request, pk: int):
    drill, away = _draft_or_redirect(request, pk)
    if away:
        return away
    form = LandingForm(_data(request), initial={"landing": drill.landing})
    if request.method == "POST" and form.is_valid():
        try:
            services.drill_landing_save(drill=drill, actor=request.user, landing=form.cleaned_data["landing"])
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            return _next(request, drill, "landing")
    return _wizard(request, drill, "landing", form)


@org_view("drills.manage")
def drill_window(request, pk: int):
    drill, away = _draft_or_redirect(request, pk)
    if away:
        return away
    profiles = SendingProfile.objects.filter(organization=request.org)
    now = timezone.now()
    initial = {
        "profile": drill.profile_id or (profiles.order_by("name").values_list("pk", flat=True).first()),
        "window_start": timezone.localtime(drill.window_start)
        if drill.window_start
        else services.default_window_start(now),
        "window_end": timezone.localtime(drill.window_end)
        if drill.window_end
        else services.default_window_start(now) + timedelta(days=7),
        "business_hours_only": drill.business_hours_only,
    }
    form = WindowForm(_data(request), org=request.org, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.drill_window_save(
                drill=drill,
                actor=request.user,
                profile=data["profile"],
                window_start=data["window_start"],
                window_end=data["window_end"],
                business_hours_only=data["business_hours_only"],
                now=now,
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            return _next(request, drill, "window")
    count = services.audience_employees(org=request.org, audience=drill.audience).count()
    return _wizard(request, drill, "window", form, {"count": count, "has_profile": profiles.exists()})


@org_view("drills.manage")
def drill_review(request, pk: int):
    drill, away = _draft_or_redirect(request, pk)
    if away:
        return away
    form = ReviewForm(_data(request), initial={"repeat_every_months": 3})
    missing = services.drill_missing_steps(drill)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.drill_schedule(
                drill=drill,
                actor=request.user,
                repeat_every_months=data["repeat_every_months"] if data["repeat"] else None,
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(
                request,
                _("The drill “%(name)s” is scheduled. Mail goes out between the times you chose.")
                % {"name": drill.name},
            )
            return redirect("org:drill_detail", request.org.slug, drill.pk)
    context = {
        "missing": missing,
        "base_url": sending.base_url(),
        "base_url_is_local": _is_local(sending.base_url()),
        "audience": services.audience_describe(org=request.org, audience=drill.audience),
        "count": services.audience_employees(org=request.org, audience=drill.audience).count(),
        "templates": _templates_named(drill.template_ids, company=request.org.name),
    }
    return _wizard(request, drill, "review", form, context)


def _is_local(url: str) -> bool:
    """True when drill links would point at this machine only (IPPO_BASE_URL not set for staff to reach)."""
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "").lower()
    return host in ("localhost", "127.0.0.1", "::1", "0.0.0.0") or host.endswith((".localhost", ".local"))  # noqa: S104


@require_POST
@org_view("drills.manage")
def drill_sample(request, pk: int):
    drill = _get_drill(request, pk)
    error = services.drill_sample_send(drill=drill, actor=request.user, language=_lang())
    if error:
        messages.error(request, _("The sample could not be sent: %(error)s") % {"error": error})
    else:
        messages.success(
            request,
            _("A sample of the drill mail was sent to %(to)s. Its links record nothing.")
            % {"to": request.user.email},
        )
    return redirect("org:drill_review", request.org.slug, drill.pk)


# --- Documents ----------------------------------------------------------------------------------------------


@require_safe
@org_view("drills.manage")
def drill_documents(request):
    company = request.org.name
    download = request.GET.get("download")
    if download:
        doc = documents.document_get(download)
        language = request.GET.get("lang", "ja")
        if doc is None or language not in documents.LANGUAGES:
            raise Http404("No such document")
        response = HttpResponse(
            doc.text("body", language, company=company), content_type="text/markdown; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="ippo-{doc.id}-{language}.md"'
        return response
    language = _lang()
    docs = [
        {
            "id": d.id,
            "title": d.text("title", language, company=company),
            "summary": d.text("summary", language, company=company),
            "bodies": [(lang, d.text("body", lang, company=company)) for lang in documents.LANGUAGES],
        }
        for d in documents.documents_load()
    ]
    return render(request, "phishing/drill_documents.html", {"docs": docs})
