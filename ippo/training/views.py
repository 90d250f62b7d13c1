"""Training pages for everyone: the pillar page (managers see the overview, others their own lessons),
my training, a lesson, its quiz and the certificate; and the public sign-in link pages (``learn:``)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe
from django_scopes import scopes_disabled

from ippo.core.roles import role_has_permission
from ippo.core.tenancy import org_view
from ippo.lib.pdf import render_pdf
from ippo.training import lessons, selectors, services
from ippo.training.forms import LinkRequestForm
from ippo.training.models import Assignment, AssignmentRule, GroupSession


def can_manage(request) -> bool:
    return role_has_permission(request.role, "people.manage")


def lesson_for(assignment: Assignment) -> lessons.Lesson:
    lesson = lessons.lesson_get(assignment.module_id, custom=assignment.custom_module)
    if lesson is None:
        raise Http404("Unknown training module")
    return lesson


# --- The pillar page ---------------------------------------------------------------------------------------------


@require_safe
@org_view("org.view")
def pillar_training(request):
    if not can_manage(request):
        return _mine_page(request)
    today = timezone.localdate()
    summary = selectors.training_summary(request.org, today=today)
    context = {
        "summary": summary,
        "departments": selectors.department_rows(request.org, today=today),
        "overdue": selectors.overdue_assignments(request.org, today=today, limit=20),
        "rules": list(AssignmentRule.objects.filter(organization=request.org)),
        "sessions": list(GroupSession.objects.filter(organization=request.org).select_related("custom_module")[:5]),
        "titles": lessons.custom_titles(request.org),
        "hard_questions": selectors.hard_questions(request.org, since=today - timedelta(days=365)),
        "today": today,
    }
    return render(request, "training/pillar.html", context)


# --- Learners -------------------------------------------------------------------------------------------------------


def _mine_page(request):
    employee = selectors.employee_for_user(request.org, request.user)
    assignments = selectors.assignments_of(employee) if employee else []
    today = timezone.localdate()
    context = {
        "employee": employee,
        "open": [a for a in assignments if a.completed_at is None],
        "done": [a for a in assignments if a.completed_at is not None],
        "today": today,
    }
    return render(request, "training/mine.html", context)


@require_safe
@org_view("org.view")
def training_mine(request):
    return _mine_page(request)


def _assignment(request, pk: int) -> tuple[Assignment, bool]:
    """The assignment and whether it is the signed-in person's own. Another organisation's is a 404."""
    assignment = get_object_or_404(
        Assignment.objects.filter(organization=request.org, cancelled_at__isnull=True).select_related(
            "employee", "custom_module"
        ),
        pk=pk,
    )
    return assignment, assignment.employee.user_id == request.user.pk


def _not_yours(request):
    messages.info(request, _("That lesson is assigned to someone else. Here are your own lessons."))
    return redirect("org:training_mine", request.org.slug)


@require_safe
@org_view("org.view")
def assignment_detail(request, pk: int):
    """The lesson itself, to read on a phone. Reading it changes nothing: only a passed quiz completes it."""
    assignment, own = _assignment(request, pk)
    if not own and not can_manage(request):
        return _not_yours(request)
    context = {
        "assignment": assignment,
        "lesson": lesson_for(assignment),
        "own": own,
        "lang": lessons.lang(),
        "today": timezone.localdate(),
    }
    return render(request, "training/assignment_detail.html", context)


def _answers(request, lesson) -> dict[str, str]:
    return {q.id: request.POST.get(q.id, "") for q in lesson.module.questions if request.POST.get(q.id)}


@require_http_methods(["GET", "HEAD", "POST"])
@org_view("org.view")
def assignment_quiz(request, pk: int):
    """GET shows the questions (never the answers); only a POST is graded, and only a passed POST completes."""
    assignment, own = _assignment(request, pk)
    if not own:
        if can_manage(request):
            return redirect("org:assignment_detail", request.org.slug, assignment.pk)
        return _not_yours(request)
    lesson = lesson_for(assignment)
    context = {
        "assignment": assignment,
        "lesson": lesson,
        "questions": lesson.questions_for(assignment.pk),
        "answers": {},
        "result": None,
    }
    if request.method == "POST":
        answers = _answers(request, lesson)
        context["answers"] = answers
        if len(answers) < len(lesson.module.questions):
            context["missing"] = True
            return render(request, "training/assignment_quiz.html", context, status=400)
        result = services.quiz_submit(assignment=assignment, lesson=lesson, answers=answers, actor=request.user)
        context["result"] = result
        if result.completed_now:
            messages.success(request, _("Well done: you passed, and the lesson is recorded as completed."))
    return render(request, "training/assignment_quiz.html", context)


@require_safe
@org_view("org.view")
def assignment_certificate(request, pk: int):
    assignment, own = _assignment(request, pk)
    if not own and not can_manage(request):
        return _not_yours(request)
    if assignment.completed_at is None:
        messages.info(request, _("The certificate is ready once you pass the quiz."))
        return redirect("org:assignment_detail", request.org.slug, assignment.pk)
    html = render_to_string(
        "training/certificate_pdf.html",
        {
            "assignment": assignment,
            "lesson": lesson_for(assignment),
            "org": request.org,
            "verify_url": settings.BASE_URL + reverse("learn:certificate_verify"),
        },
        request=request,
    )
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    code = assignment.certificate_code or f"A{assignment.pk}"
    response["Content-Disposition"] = f'attachment; filename="ippo-certificate-{code}.pdf"'
    return response


# --- Public: one-time sign-in links ------------------------------------------------------------------------------


def _public(response):
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"  # "no-referrer" makes browsers send Origin: null, failing CSRF
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def signin(request, token: str):
    """GET only shows a button (mail scanners open links); the POST uses the link, once."""
    check = services.signinlink_check(token)
    if request.method == "POST" and not check.problem:
        try:
            link = services.signinlink_use(token=token)
        except services.SignInProblem as exc:
            check = services.LinkCheck(check.link, str(exc))
        else:
            login(request, link.employee.user, backend="django.contrib.auth.backends.ModelBackend")
            org = link.organization
            if link.assignment_id:
                return redirect("org:assignment_detail", org.slug, link.assignment_id)
            return redirect("org:training_mine", org.slug)
    status = 200
    if check.problem:
        status = 404 if check.link is None else 410
    context = {"problem": check.problem, "org_name": check.link.organization.name if check.link else ""}
    return _public(render(request, "training/signin.html", context, status=status))


@never_cache
@require_safe
def certificate_verify(request):
    """Check a certificate by its number (?code=TR-…): shows what the certificate itself shows, nothing more.
    60 random bits per number, so numbers cannot be guessed."""
    code = (request.GET.get("code") or "").strip().upper()
    assignment = None
    if code:
        with scopes_disabled():
            assignment = (
                Assignment.objects.select_related("employee", "organization", "custom_module")
                .filter(certificate_code=code, completed_at__isnull=False, cancelled_at__isnull=True)
                .first()
            )
    context = {
        "code": code,
        "assignment": assignment,
        "lesson": lesson_for(assignment) if assignment else None,
    }
    return _public(render(request, "training/certificate_verify.html", context, status=404 if code and not assignment else 200))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def link_request(request):
    form = LinkRequestForm(request.POST or None)
    sent = False
    if request.method == "POST" and form.is_valid():
        services.signinlink_request(email=form.cleaned_data["email"])
        sent = True
    return _public(render(request, "training/link_request.html", {"form": form, "sent": sent}))
