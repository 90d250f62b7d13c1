"""Policy pages: the list, drafting from templates, reading, editing, approving, PDFs, the employees' page
("our rules"), and the SECURITY ACTION helper."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ippo.assessments.models import Assessment
from ippo.assessments.results import applicable_controls
from ippo.assessments.services import profile_get
from ippo.catalog.loader import catalog_get
from ippo.core.roles import role_has_permission
from ippo.core.tenancy import org_view
from ippo.lib.pdf import render_pdf
from ippo.policies import library, security_action, selectors, services
from ippo.policies.forms import CreateForm, GenerateForm, VersionForm, section_formset
from ippo.policies.models import Policy, PolicyVersion
from ippo.program.models import ControlStatus
from ippo.program.selectors import control_statuses


def _can(request, permission: str) -> bool:
    return role_has_permission(request.role, permission)


def _get_policy(request, pk: int) -> Policy:
    return get_object_or_404(Policy.objects.filter(organization=request.org), pk=pk)


def _get_version(request, pk: int) -> PolicyVersion:
    return get_object_or_404(
        PolicyVersion.objects.filter(organization=request.org).select_related("policy"), pk=pk
    )


def _control_titles(control_ids) -> list[str]:
    catalog = catalog_get()
    titles = []
    for cid in control_ids:
        try:
            titles.append(catalog.control(cid).title.get())
        except KeyError:
            continue
    return titles


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- The list and drafting from templates ------------------------------------------------------------------------


@org_view("program.view")
def policy_list(request):
    rows = selectors.policy_rows(request.org)
    return render(
        request,
        "policies/policy_list.html",
        {
            "rows": rows,
            "missing_templates": [r for r in rows if r.template and r.policy is None],
            "waiting": [r for r in rows if r.draft],
        },
    )


@org_view("program.change")
def policy_generate(request):
    current = services.settings_get(org=request.org)
    existing = set(
        Policy.objects.filter(organization=request.org)
        .exclude(template_id="")
        .values_list("template_id", flat=True)
    )
    initial = {
        "language": settings.LANGUAGE_CODE,
        "report_contact": current.report_contact if current else "",
        "templates": [t.id for t in library.templates_get() if t.id not in existing]
        or [t.id for t in library.templates_get()],
    }
    if request.GET.get("template"):
        initial["templates"] = [request.GET["template"]]
    form = GenerateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            versions = services.policies_generate(
                org=request.org,
                actor=request.user,
                template_ids=form.cleaned_data["templates"],
                language=form.cleaned_data["language"],
                report_contact=form.cleaned_data["report_contact"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, services.generated_message(versions))
            if len(versions) == 1:
                return redirect("org:policy_detail", request.org.slug, versions[0].policy_id)
            return redirect("org:policy_list", request.org.slug)
    templates = [{"template": t, "exists": t.id in existing} for t in library.templates_get()]
    return render(
        request, "policies/policy_generate.html", {"form": form, "templates": templates, "existing": existing}
    )


@org_view("program.change")
def policy_create(request):
    form = CreateForm(request.POST or None, initial={"language": settings.LANGUAGE_CODE})
    add_one = "add_section" in request.POST
    formset = (
        section_formset(request.POST, add_one=add_one)
        if request.method == "POST"
        else section_formset(sections=[{"heading": "", "paragraphs": []}])
    )
    if request.method == "POST" and not add_one:
        form_ok, sections_ok = form.is_valid(), formset.is_valid()
        if form_ok and sections_ok:
            try:
                version = services.policy_create(
                    org=request.org,
                    actor=request.user,
                    title=form.cleaned_data["title"],
                    kind=form.cleaned_data["kind"],
                    language=form.cleaned_data["language"],
                    sections=formset.sections(),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The document is saved as a draft."))
                return redirect("org:policy_detail", request.org.slug, version.policy_id)
        messages.error(request, _("Nothing was saved. Please correct the fields marked below."))
    return render(request, "policies/policy_create.html", {"form": form, "formset": formset})


# --- One document ---------------------------------------------------------------------------------------------


@org_view("program.view")
def policy_detail(request, pk: int):
    policy = _get_policy(request, pk)
    versions = selectors.versions_of(policy)
    draft = next((v for v in versions if v.is_draft), None)
    approved = next((v for v in versions if v.is_approved), None)
    # Editors see the draft they are working on; the history lists every version.
    current = draft or approved or (versions[0] if versions else None)
    shown = PolicyVersion.objects.get(pk=current.pk) if current else None
    template = None
    if policy.template_id:
        try:
            template = library.template_get(policy.template_id)
        except KeyError:
            template = None
    context = {
        "policy": policy,
        "versions": versions,
        "draft": draft,
        "approved": approved,
        "shown": shown,
        "sections": selectors.document_sections(shown, policy.language) if shown else [],
        "template": template,
        "control_titles": _control_titles(template.controls) if template else [],
    }
    return render(request, "policies/policy_detail.html", context)


@org_view("program.change")
def policy_edit(request, pk: int):
    policy = _get_policy(request, pk)
    draft = PolicyVersion.objects.filter(policy=policy, status=PolicyVersion.Status.DRAFT).first()
    base = draft or PolicyVersion.objects.filter(policy=policy).order_by("-number").first()
    if base is None:
        raise Http404("The document has no text")
    add_one = "add_section" in request.POST
    if request.method == "POST":
        form = VersionForm(request.POST)
        formset = section_formset(request.POST, add_one=add_one)
    else:
        form = VersionForm(initial={"title": base.title, "note": draft.note if draft else ""})
        formset = section_formset(sections=base.sections)
    if request.method == "POST" and not add_one:
        form_ok, sections_ok = form.is_valid(), formset.is_valid()
        if form_ok and sections_ok:
            try:
                version = services.policy_draft_save(
                    policy=policy,
                    actor=request.user,
                    title=form.cleaned_data["title"],
                    sections=formset.sections(),
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("Saved as draft version %(number)s. The owner approves it to bring it into force.")
                    % {"number": version.number},
                )
                return redirect("org:policy_detail", request.org.slug, policy.pk)
        messages.error(request, _("Nothing was saved. Please correct the fields marked below."))
    return render(
        request,
        "policies/policy_edit.html",
        {"policy": policy, "draft": draft, "base": base, "form": form, "formset": formset},
    )


@org_view("program.view")
def policyversion_detail(request, pk: int):
    version = _get_version(request, pk)
    return render(
        request,
        "policies/policyversion_detail.html",
        {
            "version": version,
            "policy": version.policy,
            "sections": selectors.document_sections(version, version.policy.language),
        },
    )


@require_POST
@org_view("policies.approve")
def policyversion_approve(request, pk: int):
    version = _get_version(request, pk)
    try:
        services.policy_version_approve(version=version, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(
            request,
            _(
                "Version %(number)s is approved and in force. Share it with everyone who works for the company."
            )
            % {"number": version.number},
        )
    return redirect("org:policy_detail", request.org.slug, version.policy_id)


@require_POST
@org_view("program.change")
def policyversion_discard(request, pk: int):
    version = _get_version(request, pk)
    try:
        document_deleted = services.policy_draft_discard(version=version, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("org:policy_detail", request.org.slug, version.policy_id)
    messages.success(request, _("The draft was deleted."))
    if document_deleted:
        return redirect("org:policy_list", request.org.slug)
    return redirect("org:policy_detail", request.org.slug, version.policy_id)


@org_view("org.view")
def policyversion_pdf(request, pk: int):
    """The document as a PDF. Everyone may print the version in force; drafts and old versions are for
    the people who run the programme."""
    version = _get_version(request, pk)
    if not version.is_approved and not _can(request, "program.view"):
        raise Http404("Not in force")
    policy = version.policy
    with translation.override(policy.language):
        html = render_to_string(
            "policies/policy_pdf.html",
            {
                "org": request.org,
                "policy": policy,
                "version": version,
                "sections": selectors.document_sections(version, policy.language),
                "effective_date": library.date_text(version.effective_date, policy.language)
                if version.effective_date
                else "",
                "approved_date": library.date_text(timezone.localdate(version.approved_at), policy.language)
                if version.approved_at
                else "",
            },
        )
    pdf = render_pdf(html)
    name = f"ippo-{request.org.slug}-{policy.template_id or f'policy-{policy.pk}'}-v{version.number}.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, name)
    return response


# --- What employees read ----------------------------------------------------------------------------------------


@org_view("org.view")
def policy_rules(request):
    """The policy and rules in force, for everyone who works for the company."""
    versions = selectors.approved_versions(request.org)
    documents = [
        {"version": v, "sections": selectors.document_sections(v, v.policy.language)} for v in versions
    ]
    return render(request, "policies/policy_rules.html", {"documents": documents})


# --- SECURITY ACTION --------------------------------------------------------------------------------------------


def _item_label(framework, item_id: str) -> str:
    try:
        return framework.item(item_id).label.get()
    except KeyError:
        return item_id


@org_view("program.view")
def security_action_view(request):
    catalog = catalog_get()
    profile = profile_get(org=request.org)
    applicable = [c.id for c in applicable_controls(catalog, profile.it_uses if profile else [])]
    statuses = control_statuses(request.org)
    latest_check = (
        Assessment.objects.filter(organization=request.org, status=Assessment.Status.COMPLETED)
        .order_by("-completed_at")
        .only("pk", "kind", "completed_at")
        .first()
    )
    basic_policy = selectors.basic_policy_in_force(request.org)
    basic_draft = (
        PolicyVersion.objects.filter(
            organization=request.org, status=PolicyVersion.Status.DRAFT, policy__kind=Policy.Kind.POLICY
        )
        .defer("sections")
        .first()
    )
    result = security_action.security_action_evaluate(
        catalog=catalog,
        statuses=statuses,
        applicable=applicable,
        self_check_done=latest_check is not None,
        basic_policy_approved=basic_policy is not None,
        basic_policy_drafted=basic_draft is not None,
    )
    framework = catalog.framework(security_action.FRAMEWORK_ID)
    status_labels = dict(ControlStatus.Status.choices)
    one_star = [
        {
            "result": item,
            "label": _item_label(framework, item.item_id),
            "gaps": [
                {
                    "control_id": gap.control_id,
                    "title": catalog.control(gap.control_id).title.get(),
                    "status": gap.status,
                    "status_label": status_labels.get(gap.status, gap.status),
                }
                for gap in item.gaps
            ],
        }
        for item in result.one_star
    ]
    two_star = {item.item_id: item for item in result.two_star}
    context = {
        "result": result,
        "verdict": result.verdict,
        "one_star": one_star,
        "self_check": two_star[security_action.SELF_CHECK],
        "self_check_label": _item_label(framework, security_action.SELF_CHECK),
        "basic": two_star[security_action.BASIC_POLICY],
        "basic_label": _item_label(framework, security_action.BASIC_POLICY),
        "latest_check": latest_check,
        "basic_policy": basic_policy,
        "basic_draft": basic_draft,
        "ipa_url": framework.url,
        "has_profile": profile is not None and profile.completed_at is not None,
        "gap_total": sum(len(item.gaps) for item in result.one_star),
    }
    return render(request, "policies/security_action.html", context)
