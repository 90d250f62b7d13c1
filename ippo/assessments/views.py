"""Self-assessment pages: overview and history, the first-run wizard, answering, results, comparison."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ippo.assessments import exchange, results, selectors, services
from ippo.assessments.forms import ImportForm, ProfileBasicsForm, ProfileITForm
from ippo.assessments.models import Answer, Assessment, ITUse, SectionAssignment
from ippo.assessments.scoring import FUNCTIONS
from ippo.catalog.loader import catalog_get
from ippo.core.roles import role_has_permission
from ippo.core.selectors import working_memberships
from ippo.core.tenancy import org_view
from ippo.lib import tabular
from ippo.lib.charts import line_chart, radar_chart

ANSWER_CHOICES = Answer.Value.choices


def _can_change(request) -> bool:
    return role_has_permission(request.role, "program.change")


def _get_assessment(request, pk: int) -> Assessment:
    return get_object_or_404(Assessment.objects.filter(organization=request.org), pk=pk)


def _radar(result: dict, previous: dict | None = None) -> str:
    axes = [(selectors.function_label(fn), result["by_function"].get(fn)) for fn in FUNCTIONS]
    compare = [previous["by_function"].get(fn) for fn in FUNCTIONS] if previous else None
    return radar_chart(axes=axes, compare=compare, label=_("Score per NIST CSF 2.0 function (0–100)"))


def result_context(result: dict, previous: dict | None = None) -> dict:
    """What the results template (`_result_body.html`) needs for one stored or computed result."""
    return {
        "result": result,
        "tier": selectors.TIERS.get(result["tier"]),
        "tier_number": result["tier"],
        "tiers": sorted(selectors.TIERS.items()),
        "radar_svg": _radar(result, previous),
        "functions": selectors.function_rows(result, previous),
        "coverage": selectors.coverage_rows(result),
        "gaps": selectors.gap_rows(result, catalog_get()),
    }


def _trend(history: list[Assessment]) -> str:
    points = [(a.completed_at.date().isoformat(), a.result["overall"] or 0) for a in history]
    return line_chart(
        points=points, label=_("Overall score over time (0–100)"), empty_text=_("No completed assessment yet")
    )


# --- Overview and history -------------------------------------------------------------------------------


@org_view("program.view")
def assessment_overview(request):
    assessments = selectors.assessments_for_overview(request.org)
    drafts = [a for a in assessments if a.is_draft]
    history = sorted((a for a in assessments if not a.is_draft), key=lambda a: (a.completed_at, a.pk))
    profile = services.profile_get(org=request.org)
    catalog = catalog_get()
    for draft in drafts:
        draft.item_total = len(results.items_for(catalog, draft.kind, draft.it_uses))
    latest = history[-1] if history else None
    context = {
        "profile": profile,
        "it_use_text": selectors.join_list(
            label for value, label in ITUse.choices if profile and value in profile.it_uses
        ),
        "drafts": drafts,
        "history": list(reversed(history)),
        "latest": latest,
        "trend_svg": _trend(history) if len(history) > 1 else "",
        "can_change": _can_change(request),
        "has_quick_draft": any(d.kind == "quick" for d in drafts),
        "has_full_draft": any(d.kind == "full" for d in drafts),
    }
    if latest:
        context["latest_tier"] = selectors.TIERS.get(latest.result["tier"])
    return render(request, "assessments/assessment_overview.html", context)


# --- First-run wizard (はじめの一歩) ----------------------------------------------------------------------


@org_view("program.change")
def profile_edit(request):
    """Three steps: what the company does and its size; what IT it uses; what applies, then start."""
    step = request.GET.get("step", "1")
    if step not in ("1", "2", "3"):
        step = "1"
    profile = services.profile_get(org=request.org)
    if step == "1":
        form = ProfileBasicsForm(
            request.POST or None,
            initial={"industry": profile.industry, "headcount": profile.headcount} if profile else None,
        )
        if request.method == "POST" and form.is_valid():
            services.profile_save(org=request.org, actor=request.user, **form.cleaned_data)
            return redirect(reverse("org:profile_edit", args=[request.org.slug]) + "?step=2")
    elif step == "2":
        form = ProfileITForm(request.POST or None, initial={"it_uses": profile.it_uses} if profile else None)
        if request.method == "POST" and form.is_valid():
            services.profile_save(org=request.org, actor=request.user, it_uses=form.cleaned_data["it_uses"])
            return redirect(reverse("org:profile_edit", args=[request.org.slug]) + "?step=3")
    else:
        form = None
        if request.method == "POST":
            services.profile_save(org=request.org, actor=request.user, complete=True)
            assessment = services.assessment_start(org=request.org, actor=request.user, kind="quick")
            return redirect("org:assessment_answer", request.org.slug, assessment.pk)
    catalog = catalog_get()
    it_uses = profile.it_uses if profile else []
    context = {
        "step": step,
        "form": form,
        "profile": profile,
        "steps": [("1", _("Your company")), ("2", _("IT you use")), ("3", _("Ready to start"))],
        "question_count": len(results.applicable_questions(catalog, it_uses)),
        "control_count": len(results.applicable_controls(catalog, it_uses)),
        "all_control_count": len(catalog.controls),
        "it_use_text": selectors.join_list(label for value, label in ITUse.choices if value in it_uses),
    }
    return render(request, "assessments/profile_edit.html", context)


# --- Starting, answering, completing ---------------------------------------------------------------------


@require_POST
@org_view("program.change")
def assessment_create(request):
    kind = request.POST.get("kind", "")
    try:
        assessment = services.assessment_start(org=request.org, actor=request.user, kind=kind)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("org:pillar_assessment", request.org.slug)
    return redirect("org:assessment_answer", request.org.slug, assessment.pk)


def _sections_for(request, assessment: Assessment) -> tuple[list[str], set[str]]:
    """All sections of the assessment, and those this user may answer."""
    if assessment.kind == Assessment.Kind.QUICK:
        sections = ["all"]
    else:
        sections = list(FUNCTIONS)
    if _can_change(request):
        return sections, set(sections)
    assigned = set(
        SectionAssignment.objects.filter(assessment=assessment, assignee=request.user).values_list(
            "section", flat=True
        )
    )
    return sections, assigned & set(sections)


def _items(assessment: Assessment, section: str) -> list:
    catalog = catalog_get()
    items = results.items_for(catalog, assessment.kind, assessment.it_uses)
    if assessment.kind == Assessment.Kind.FULL:
        items = [c for c in items if c.function == section]
    return items


def _posted(request, item_ids) -> dict[str, dict[str, str]]:
    posted = {}
    for item_id in item_ids:
        value = request.POST.get(f"a-{item_id}", "")
        note = request.POST.get(f"n-{item_id}", "")
        evidence = request.POST.get(f"e-{item_id}", "")
        if value or note.strip() or evidence.strip():
            posted[item_id] = {"value": value, "note": note, "evidence_url": evidence}
    return posted


@org_view("assessments.answer")
def assessment_answer(request, pk: int):
    assessment = _get_assessment(request, pk)
    if not assessment.is_draft:
        return redirect("org:assessment_detail", request.org.slug, assessment.pk)
    sections, allowed = _sections_for(request, assessment)
    if not allowed:
        messages.info(request, _("No part of this assessment is assigned to you."))
        return redirect("org:org_home", request.org.slug)
    section = request.GET.get("section") or next(s for s in sections if s in allowed)
    if section not in sections:
        raise Http404("No such section")
    if section not in allowed:
        raise PermissionDenied
    items = _items(assessment, section)
    item_ids = [i.id for i in items]
    errors: dict[str, list[str]] = {}
    posted: dict[str, dict[str, str]] = {}

    if request.method == "POST":
        if request.htmx and request.POST.get("item") in item_ids:
            # Autosave of one answer as it changes.
            item_id = request.POST["item"]
            one = _posted(request, [item_id])
            try:
                if one and one[item_id]["value"]:
                    services.answers_save(assessment=assessment, actor=request.user, answers=one)
                    total = len(results.items_for(catalog_get(), assessment.kind, assessment.it_uses))
                    answered = Answer.objects.filter(assessment=assessment).count()
                    return render(
                        request,
                        "assessments/_save_state.html",
                        {"saved": True, "answered_total": answered, "total": total},
                    )
                return render(request, "assessments/_save_state.html", {"saved": False})
            except ValidationError as exc:
                return render(
                    request,
                    "assessments/_save_state.html",
                    {"errors": exc.message_dict.get(item_id, exc.messages)},
                )
        posted = _posted(request, item_ids)
        missing_value = [i for i, f in posted.items() if not f["value"]]
        try:
            for item_id in missing_value:
                errors[item_id] = [_("Choose an answer so that the note and link can be saved with it.")]
            if errors:
                raise ValidationError(errors)
            services.answers_save(assessment=assessment, actor=request.user, answers=posted)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            messages.error(request, _("Nothing was saved. Please correct the answers marked below."))
        else:
            target = request.POST.get("go", "")
            if target != "results" or not _can_change(request):
                messages.success(request, _("Your answers are saved. You can come back at any time."))
            if target == "results" and _can_change(request):
                try:
                    services.assessment_complete(assessment=assessment, actor=request.user)
                except ValidationError as exc:
                    messages.warning(request, " ".join(exc.messages))
                else:
                    messages.success(request, _("The assessment is complete. Here are your results."))
                return redirect("org:assessment_detail", request.org.slug, assessment.pk)
            if target in sections and target in allowed:
                return redirect(
                    reverse("org:assessment_answer", args=[request.org.slug, assessment.pk])
                    + f"?section={target}"
                )
            return redirect(
                reverse("org:assessment_answer", args=[request.org.slug, assessment.pk])
                + f"?section={section}"
            )

    stored = services.answers_of(assessment)
    catalog = catalog_get()
    rows = []
    for item in items:
        answer = stored.get(item.id)
        fields = posted.get(item.id) or (
            {"value": answer.value, "note": answer.note, "evidence_url": answer.evidence_url}
            if answer
            else {}
        )
        outdated = (
            assessment.kind == Assessment.Kind.FULL
            and answer is not None
            and answer.control_version is not None
            and answer.control_version != item.version
        )
        rows.append(
            {
                "item": item,
                "text": item.question if assessment.kind == Assessment.Kind.FULL else item.text,
                "help": item.why if assessment.kind == Assessment.Kind.FULL else item.help,
                "fields": fields,
                "errors": errors.get(item.id, []),
                "outdated": outdated,
                "controls": [catalog.control(c) for c in item.controls]
                if assessment.kind == Assessment.Kind.QUICK
                else [item],
            }
        )
    section_index = sections.index(section)
    next_section = next((s for s in sections[section_index + 1 :] if s in allowed), None)
    answered_total = len(stored)
    total = len(results.items_for(catalog, assessment.kind, assessment.it_uses))
    section_tabs = [
        {**row, "allowed": row["code"] in allowed}
        for row in selectors.section_progress(catalog, assessment, stored)
    ]
    context = {
        "assessment": assessment,
        "section": section,
        "section_label": selectors.function_label(section) if section in FUNCTIONS else "",
        "section_help": selectors.FUNCTION_HELP.get(section, ""),
        "section_tabs": section_tabs,
        "rows": rows,
        "choices": ANSWER_CHOICES,
        "next_section": next_section,
        "answered_total": answered_total,
        "total": total,
        "can_change": _can_change(request),
        "has_errors": bool(errors),
    }
    return render(request, "assessments/assessment_answer.html", context)


@org_view("program.view")
def assessment_detail(request, pk: int):
    assessment = _get_assessment(request, pk)
    catalog = catalog_get()
    if assessment.is_draft:
        stored = services.answers_of(assessment)
        missing = services.unanswered_ids(assessment, stored)
        assignments = {
            a.section: a
            for a in SectionAssignment.objects.filter(assessment=assessment).select_related("assignee")
        }
        members = list(working_memberships(request.org).order_by("user__email"))
        sections = [
            {**row, "assignment": assignments.get(row["code"])}
            for row in selectors.section_progress(catalog, assessment, stored)
        ]
        total = len(results.items_for(catalog, assessment.kind, assessment.it_uses))
        return render(
            request,
            "assessments/assessment_draft.html",
            {
                "assessment": assessment,
                "answered": total - len(missing),
                "total": total,
                "missing": len(missing),
                "sections": sections,
                "members": members,
                "can_change": _can_change(request),
            },
        )

    history = selectors.completed_history(request.org)
    previous = selectors.previous_completed(assessment, history)
    result = assessment.result
    compare = results.result_compare(previous.result, result) if previous else None
    context = {
        **result_context(result, previous.result if previous else None),
        "assessment": assessment,
        "previous": previous,
        "compare": compare,
        "history": history,
        "catalog_changed": assessment.catalog_version != catalog.version,
    }
    return render(request, "assessments/assessment_detail.html", context)


@require_POST
@org_view("program.change")
def assessment_complete(request, pk: int):
    assessment = _get_assessment(request, pk)
    try:
        services.assessment_complete(assessment=assessment, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        if assessment.is_draft:
            return redirect("org:assessment_answer", request.org.slug, assessment.pk)
    else:
        messages.success(request, _("The assessment is complete. Here are your results."))
    return redirect("org:assessment_detail", request.org.slug, assessment.pk)


@require_POST
@org_view("program.change")
def assessment_discard(request, pk: int):
    assessment = _get_assessment(request, pk)
    try:
        services.assessment_discard(assessment=assessment, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("org:assessment_detail", request.org.slug, assessment.pk)
    messages.success(request, _("The draft was deleted."))
    return redirect("org:pillar_assessment", request.org.slug)


@require_POST
@org_view("program.change")
def assessment_assign(request, pk: int):
    assessment = _get_assessment(request, pk)
    section = request.POST.get("section", "")
    assignee = request.POST.get("assignee", "")
    try:
        services.section_assign(
            assessment=assessment,
            actor=request.user,
            section=section,
            assignee_id=int(assignee) if assignee.isdigit() else None,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The assignment is saved."))
    return redirect("org:assessment_detail", request.org.slug, assessment.pk)


# --- Comparison, export, import ---------------------------------------------------------------------------


@org_view("program.view")
def assessment_compare(request):
    history = selectors.completed_history(request.org)
    by_pk = {str(a.pk): a for a in history}
    before, after = by_pk.get(request.GET.get("a", "")), by_pk.get(request.GET.get("b", ""))
    if before is None and after is None and len(history) >= 2:
        before, after = history[-2], history[-1]
    context = {"history": history, "before": before, "after": after}
    if before is not None and after is not None:
        if before.completed_at > after.completed_at:
            before, after = after, before
        catalog = catalog_get()
        diff = results.result_compare(before.result, after.result)
        labels = dict(Answer.Value.choices)

        def rows(changes):
            out = []
            for cid, old, new in changes:
                try:
                    control = catalog.control(cid)
                except KeyError:
                    control = None
                out.append({"control_id": cid, "control": control, "old": labels[old], "new": labels[new]})
            return out

        context.update(
            before=before,
            after=after,
            diff=diff,
            improved=rows(diff["improved"]),
            regressed=rows(diff["regressed"]),
            functions=selectors.function_rows(after.result, before.result),
            radar_svg=_radar(after.result, before.result),
        )
    return render(request, "assessments/assessment_compare.html", context)


@org_view("program.view")
def assessment_export(request, pk: int):
    assessment = _get_assessment(request, pk)
    fmt = request.GET.get("format", "xlsx")
    if fmt not in ("xlsx", "json"):
        raise Http404("Unknown format")
    answers = list(Answer.objects.filter(assessment=assessment).order_by("item_id"))
    content = (
        exchange.export_xlsx(assessment, answers)
        if fmt == "xlsx"
        else exchange.export_json(assessment, answers)
    )
    services.export_recorded(assessment=assessment, actor=request.user, fmt=fmt)
    filename = f"ippo-{request.org.slug}-{assessment.kind}-{assessment.date:%Y%m%d}-{assessment.pk}.{fmt}"
    content_type = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if fmt == "xlsx"
        else "application/json"
    )
    return tabular.download_response(content, filename=filename, content_type=content_type)


@org_view("program.change")
def assessment_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            assessment = exchange.assessment_import(
                org=request.org, actor=request.user, upload=form.cleaned_data["file"]
            )
        except exchange.ImportProblems as exc:
            problems = exc.problems
        else:
            messages.success(
                request,
                _(
                    "The file was imported as a new assessment in progress. Check the answers, then complete it."
                ),
            )
            return redirect("org:assessment_detail", request.org.slug, assessment.pk)
    return render(request, "assessments/assessment_import.html", {"form": form, "problems": problems})
