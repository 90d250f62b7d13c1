"""Tabletop exercise pages: the scenario library, planning, the facilitator mode (projector), the hot wash and
the after-action report (page and PDF)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from ippo.catalog.loader import catalog_get
from ippo.core.tenancy import org_view
from ippo.lib.forms import show_errors
from ippo.lib.pdf import render_pdf
from ippo.tabletop import selectors, services
from ippo.tabletop.content import scenario_get, scenarios_get
from ippo.tabletop.forms import ActionForm, ExerciseForm, HotWashForm
from ippo.tabletop.models import Exercise, ExerciseAction

PERMISSION = "incidents.handle"


def _exercise(request, pk: int) -> Exercise:
    return get_object_or_404(selectors.exercise_with_people(request.org), pk=pk)


def _scenario_of(exercise: Exercise):
    scenario = exercise.scenario
    if scenario is None:
        raise Http404("The scenario of this exercise is no longer shipped")
    return scenario


def _controls(scenario) -> list:
    catalog = catalog_get()
    return [catalog.control(c) for c in scenario.controls]




# --- Scenario library ---------------------------------------------------------------------------------------


@require_safe
@org_view(PERMISSION)
def scenario_list(request):
    return render(request, "tabletop/scenario_list.html", {"scenarios": list(scenarios_get().values())})


@require_safe
@org_view(PERMISSION)
def scenario_detail(request):
    """One scenario's situation manual (`?id=<scenario id>`): briefing, injects, questions, points."""
    scenario_id = request.GET.get("id", "")
    if not scenario_id:
        return redirect("org:scenario_list", request.org.slug)
    scenario = scenario_get(scenario_id)
    if scenario is None:
        raise Http404("No such scenario")
    return render(
        request, "tabletop/scenario_detail.html", {"scenario": scenario, "controls": _controls(scenario)}
    )


# --- Exercises ------------------------------------------------------------------------------------------------


@require_safe
@org_view(PERMISSION)
def exercise_list(request):
    exercises = list(selectors.exercises_for_list(request.org))
    today = timezone.localdate()
    upcoming = [e for e in exercises if e.status != Exercise.Status.FINISHED]
    upcoming.reverse()  # soonest first
    past = [e for e in exercises if e.status == Exercise.Status.FINISHED]
    return render(
        request, "tabletop/exercise_list.html", {"upcoming": upcoming, "past": past, "today": today}
    )


@org_view(PERMISSION)
def exercise_create(request):
    members = selectors.members(request.org)
    initial = {"duration_minutes": 90}
    if request.GET.get("scenario") in scenarios_get():
        initial["scenario_id"] = request.GET["scenario"]
    form = ExerciseForm(request.POST or None, members=members, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            exercise = services.exercise_plan(
                org=request.org,
                actor=request.user,
                scenario_id=form.cleaned_data["scenario_id"],
                players=form.players(),
                **form.plan_fields(),
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("The exercise is planned."))
            return redirect("org:exercise_detail", request.org.slug, exercise.pk)
    return render(request, "tabletop/exercise_form.html", {"form": form, "exercise": None})


@org_view(PERMISSION)
def exercise_edit(request, pk: int):
    exercise = _exercise(request, pk)
    form = ExerciseForm(request.POST or None, members=selectors.members(request.org), exercise=exercise)
    if request.method == "POST" and form.is_valid():
        try:
            services.exercise_update(
                exercise=exercise, actor=request.user, players=form.players(), **form.plan_fields()
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("The plan was saved."))
            return redirect("org:exercise_detail", request.org.slug, exercise.pk)
    return render(request, "tabletop/exercise_form.html", {"form": form, "exercise": exercise})


@require_POST
@org_view(PERMISSION)
def exercise_delete(request, pk: int):
    exercise = _exercise(request, pk)
    services.exercise_delete(exercise=exercise, actor=request.user)
    messages.success(request, _("The exercise was deleted."))
    return redirect("org:exercise_list", request.org.slug)


@require_safe
@org_view(PERMISSION)
def exercise_detail(request, pk: int):
    exercise = _exercise(request, pk)
    scenario = exercise.scenario
    return render(
        request,
        "tabletop/exercise_detail.html",
        {
            "exercise": exercise,
            "scenario": scenario,
            "groups": selectors.participants_by_role(exercise),
            "actions": selectors.actions_of(exercise),
        },
    )


@require_safe
@org_view("org.view")
def exercise_briefing(request, pk: int):
    """What players read before the day: date, place, roles and the briefing (never the injects)."""
    exercise = _exercise(request, pk)
    return render(
        request,
        "tabletop/exercise_briefing.html",
        {
            "exercise": exercise,
            "scenario": exercise.scenario,
            "groups": selectors.participants_by_role(exercise),
            "my_roles": [
                p.get_role_display() for p in exercise.participants.all() if p.user_id == request.user.pk
            ],
        },
    )


# --- Facilitator mode -------------------------------------------------------------------------------------------


def _step_index(request, steps) -> int:
    try:
        index = int(request.GET.get("step", "0"))
    except ValueError:
        index = 0
    return min(max(index, 0), len(steps) - 1)


def _run_url(request, exercise, index: int) -> str:
    return reverse("org:exercise_run", args=[request.org.slug, exercise.pk]) + f"?step={index}"


@require_safe
@org_view(PERMISSION)
def exercise_run(request, pk: int):
    """The projector screen: one step (briefing, inject, hot wash) at a time, large type."""
    exercise = _exercise(request, pk)
    scenario = _scenario_of(exercise)
    steps = selectors.steps_for(exercise, scenario)
    index = _step_index(request, steps)
    step = steps[index]
    note = selectors.notes_by_inject(exercise).get(step.key) if step.key else None
    timing = selectors.timing_for(exercise, steps, index)
    elapsed_seconds = (
        int(((exercise.ended_at or timezone.now()) - exercise.started_at).total_seconds())
        if exercise.started_at
        else None
    )
    return render(
        request,
        "tabletop/exercise_run.html",
        {
            "exercise": exercise,
            "scenario": scenario,
            "steps": steps,
            "step": step,
            "index": index,
            "prev_url": _run_url(request, exercise, index - 1) if index > 0 else "",
            "next_url": _run_url(request, exercise, index + 1) if index + 1 < len(steps) else "",
            "note": note,
            "timing": timing,
            "elapsed_seconds": elapsed_seconds,
            "clock_running": exercise.status == Exercise.Status.RUNNING,
        },
    )


@require_POST
@org_view(PERMISSION)
def exercise_start(request, pk: int):
    exercise = _exercise(request, pk)
    if exercise.status == Exercise.Status.FINISHED:
        messages.info(request, _("This exercise has already finished."))
    else:
        services.exercise_start(exercise=exercise, actor=request.user)
    try:
        index = max(int(request.POST.get("step", "0")), 0)
    except ValueError:
        index = 0
    return redirect(_run_url(request, exercise, index))


@require_POST
@org_view(PERMISSION)
def exercise_finish(request, pk: int):
    exercise = _exercise(request, pk)
    services.exercise_finish(exercise=exercise, actor=request.user)
    messages.success(request, _("The exercise has finished. Write down the hot wash while it is fresh."))
    return redirect("org:exercise_hotwash", request.org.slug, exercise.pk)


@require_POST
@org_view(PERMISSION)
def exercise_note(request, pk: int):
    """Save one inject's notes: htmx autosave answers with the save state; a plain POST goes back."""
    exercise = _exercise(request, pk)
    inject_id = request.POST.get("inject", "")
    try:
        note = services.inject_note_save(
            exercise=exercise, actor=request.user, inject_id=inject_id, text=request.POST.get("text", "")
        )
    except ValidationError as exc:
        if request.htmx:
            return render(request, "tabletop/_save_state.html", {"error": " ".join(exc.messages)}, status=400)
        messages.error(request, " ".join(exc.messages))
        return redirect("org:exercise_run", request.org.slug, exercise.pk)
    if request.htmx:
        return render(request, "tabletop/_save_state.html", {"note": note})
    messages.success(request, _("Notes saved."))
    steps = selectors.steps_for(exercise, _scenario_of(exercise))
    index = next((s.index for s in steps if s.key == inject_id), 0)
    return redirect(_run_url(request, exercise, index) + "#notes")


# --- Hot wash, actions and the after-action report -------------------------------------------------------------


def _hotwash_page(request, exercise, *, form=None, action_form=None, status=200):
    scenario = exercise.scenario
    members = selectors.members(request.org)
    return render(
        request,
        "tabletop/exercise_hotwash.html",
        {
            "exercise": exercise,
            "scenario": scenario,
            "form": form
            or HotWashForm(initial={"went_well": exercise.went_well, "to_improve": exercise.to_improve}),
            "action_form": action_form or ActionForm(members=members, scenario=scenario),
            "actions": selectors.actions_of(exercise),
        },
        status=status,
    )


@org_view(PERMISSION)
def exercise_hotwash(request, pk: int):
    exercise = _exercise(request, pk)
    if request.method == "POST":
        form = HotWashForm(request.POST)
        if form.is_valid():
            services.exercise_hotwash_save(exercise=exercise, actor=request.user, **form.cleaned_data)
            messages.success(request, _("The hot wash was saved."))
            return redirect("org:exercise_hotwash", request.org.slug, exercise.pk)
        return _hotwash_page(request, exercise, form=form)
    return _hotwash_page(request, exercise)


@require_POST
@org_view(PERMISSION)
def exercise_action_add(request, pk: int):
    exercise = _exercise(request, pk)
    form = ActionForm(request.POST, members=selectors.members(request.org), scenario=exercise.scenario)
    if form.is_valid():
        try:
            services.exercise_action_add(exercise=exercise, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("The action was added to the report."))
            return redirect(
                reverse("org:exercise_hotwash", args=[request.org.slug, exercise.pk]) + "#actions"
            )
    return _hotwash_page(request, exercise, action_form=form)


@require_POST
@org_view(PERMISSION)
def exerciseaction_delete(request, pk: int):
    action = get_object_or_404(ExerciseAction.objects.filter(organization=request.org), pk=pk)
    try:
        services.exercise_action_remove(action=action, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The action was removed."))
    return redirect(reverse("org:exercise_hotwash", args=[request.org.slug, action.exercise_id]) + "#actions")


@require_POST
@org_view(PERMISSION)
def exercise_actions_plan(request, pk: int):
    """Add the report's actions to the action plan as action items."""
    exercise = _exercise(request, pk)
    items = services.exercise_actions_to_plan(exercise=exercise, actor=request.user)
    if items:
        messages.success(
            request,
            ngettext(
                "%(count)d action item was added to the action plan.",
                "%(count)d action items were added to the action plan.",
                len(items),
            )
            % {"count": len(items)},
        )
    else:
        messages.info(request, _("All actions are already in the action plan."))
    return redirect("org:exercise_report", request.org.slug, exercise.pk)


def _report_context(request, exercise) -> dict:
    scenario = _scenario_of(exercise)
    notes = selectors.notes_by_inject(exercise)
    steps = selectors.steps_for(exercise, scenario)
    timeline = [{"step": s, "note": notes.get(s.key)} for s in steps if s.kind in ("briefing", "inject")]
    return {
        "org": request.org,
        "exercise": exercise,
        "scenario": scenario,
        "groups": selectors.participants_by_role(exercise),
        "timeline": timeline,
        "actions": selectors.actions_of(exercise),
        "controls": _controls(scenario),
    }


@require_safe
@org_view(PERMISSION)
def exercise_report(request, pk: int):
    """The after-action report as a printable page."""
    exercise = _exercise(request, pk)
    context = _report_context(request, exercise)
    context["pending_actions"] = sum(1 for a in context["actions"] if not a.action_item_id)
    return render(request, "tabletop/exercise_report.html", context)


@require_safe
@org_view(PERMISSION)
def exercise_pdf(request, pk: int):
    """The after-action report as a PDF, in Japanese or English (`?lang=ja|en`; default: the page's)."""
    exercise = _exercise(request, pk)
    language = request.GET.get("lang") or translation.get_language() or "ja"
    language = "en" if language.startswith("en") else "ja"
    with translation.override(language):
        context = _report_context(request, exercise)
        context["language"] = language
        context["generated"] = timezone.localtime()
        html = render_to_string("tabletop/exercise_pdf.html", context)
    pdf = render_pdf(html)
    name = f"ippo-{request.org.slug}-tabletop-{exercise.pk}-{language}.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, name)
    return response
