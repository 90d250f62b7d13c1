"""The quick check without an account, like the national self-check tools.

Answers live only in the visitor's session (no IP, no account, nothing in the assessment tables) until
the visitor signs up or signs in and saves them into a new organisation of their own.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_scopes import scope

from ippo.assessments import results, services
from ippo.assessments.forms import CompanyNameForm, ProfileBasicsForm, ProfileITForm
from ippo.assessments.models import Answer, Assessment
from ippo.assessments.views import result_context
from ippo.catalog.loader import catalog_get
from ippo.core.models import Organization
from ippo.core.services import organization_create
from ippo.program.views import control_context

SESSION_KEY = "ippo_quick_check"


def _state(request) -> dict:
    return request.session.get(SESSION_KEY) or {}


def _store(request, state: dict) -> None:
    request.session[SESSION_KEY] = state
    request.session.modified = True


def check_start(request):
    """Step 1: a few facts about the company, so that only the questions that apply are asked."""
    state = _state(request)
    profile = state.get("profile", {})
    basics = ProfileBasicsForm(request.POST or None, initial=profile or None, prefix="p")
    it_form = ProfileITForm(request.POST or None, initial=profile or None, prefix="it")
    if request.method == "POST" and basics.is_valid() and it_form.is_valid():
        state["profile"] = {**basics.cleaned_data, "it_uses": sorted(it_form.cleaned_data["it_uses"])}
        state.setdefault("answers", {})
        _store(request, state)
        return redirect("check:check_questions")
    return render(request, "assessments/check_start.html", {"basics": basics, "it_form": it_form})


def _questions(state: dict) -> list:
    return results.applicable_questions(catalog_get(), state.get("profile", {}).get("it_uses", []))


def check_questions(request):
    state = _state(request)
    if "profile" not in state:
        return redirect("check:check_start")
    questions = _questions(state)
    answers = dict(state.get("answers", {}))
    missing: list[str] = []
    if request.method == "POST":
        for q in questions:
            value = request.POST.get(f"a-{q.id}", "")
            if value in Answer.Value.values:
                answers[q.id] = value
        state["answers"] = answers
        _store(request, state)
        missing = [q.id for q in questions if q.id not in answers]
        if request.POST.get("go") == "results":
            if not missing:
                return redirect("check:check_result")
            messages.error(
                request,
                ngettext(
                    "%(count)s question is still unanswered. Choose “Don't know” where you are not sure.",
                    "%(count)s questions are still unanswered. Choose “Don't know” where you are not sure.",
                    len(missing),
                )
                % {"count": len(missing)},
            )
        else:
            messages.success(request, _("Your answers are kept in this browser for now."))
            return redirect("check:check_questions")
    rows = [
        {
            "item": q,
            "text": q.text,
            "help": q.help,
            "fields": {"value": answers.get(q.id, "")},
            "errors": [_("Choose an answer.")] if q.id in missing else [],
        }
        for q in questions
    ]
    return render(
        request,
        "assessments/check_questions.html",
        {"rows": rows, "choices": Answer.Value.choices, "answered": len(answers), "total": len(questions)},
    )


def _result(state: dict) -> dict | None:
    questions = _questions(state)
    answers = state.get("answers", {})
    if not questions or any(q.id not in answers for q in questions):
        return None
    return results.result_compute(
        catalog=catalog_get(),
        kind=Assessment.Kind.QUICK,
        answers={q.id: answers[q.id] for q in questions},
        it_uses=state["profile"].get("it_uses", []),
    )


def check_result(request):
    state = _state(request)
    result = _result(state)
    if result is None:
        return redirect("check:check_questions" if "profile" in state else "check:check_start")
    context = {**result_context(result), "public": True}
    return render(request, "assessments/check_result.html", context)


def _unique_slug(name: str) -> str:
    base = (slugify(name) or "company")[:40].strip("-")
    if len(base) < 3:
        base = f"company-{base}".strip("-")
    slug, n = base, 1
    while Organization.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@login_required
def check_save(request):
    """Save the anonymous quick check into a new organisation owned by the signed-in user."""
    state = _state(request)
    result = _result(state)
    if result is None:
        messages.info(request, _("There is no finished quick check in this browser to save."))
        return redirect("core:start")
    form = CompanyNameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                org = organization_create(
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    slug=_unique_slug(form.cleaned_data["name"]),
                )
                with scope(organization=org):
                    profile = state["profile"]
                    services.profile_save(
                        org=org,
                        actor=request.user,
                        industry=profile.get("industry", ""),
                        headcount=profile.get("headcount", ""),
                        it_uses=profile.get("it_uses", []),
                        complete=True,
                    )
                    assessment = services.assessment_start(
                        org=org, actor=request.user, kind=Assessment.Kind.QUICK
                    )
                    assessment.source = Assessment.Source.ANONYMOUS
                    assessment.save(update_fields=["source"])
                    services.answers_save(
                        assessment=assessment,
                        actor=request.user,
                        answers={
                            qid: {"value": v}
                            for qid, v in state["answers"].items()
                            if qid in {q.id for q in _questions(state)}
                        },
                    )
                    services.assessment_complete(assessment=assessment, actor=request.user)
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            request.session.pop(SESSION_KEY, None)
            messages.success(request, _("Your quick check is saved in your new organisation."))
            return redirect("org:assessment_detail", org.slug, assessment.pk)
    return render(request, "assessments/check_save.html", {"form": form, "result": result})


def check_control(request, control_id: str):
    """A control's how-to, readable without an account (linked from the anonymous result)."""
    try:
        control = catalog_get().control(control_id)
    except KeyError:
        raise Http404("No such control") from None
    return render(request, "assessments/check_control.html", control_context(control))
