"""The report link: reporting without an account, and coming back with the receipt code.

These pages run on an anonymous route (routes.py, middleware.py): no cookie is read or set, so there is no
session and no CSRF cookie. Forms carry a signed, time-limited token instead; the thread after the receipt
code carries a signed access token in the page, never in the address. The address never changes while
filing (answers to POSTs are rendered directly), so the browser history holds only the report link.
The language comes from `?lang=` and a hidden field, not from a cookie.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from django_scopes import scope

from ippo.lib.crypto import decrypt, encrypt
from ippo.reporting import escalation, receipts, services
from ippo.reporting.forms import ConfirmForm, MessageForm, ReceiptForm, ReportForm
from ippo.reporting.models import Kind, ReceiptCode, Report

FORM_SALT = "ippo.reporting.form"
ACCESS_SALT = "ippo.reporting.access"
RECEIPT_SALT = "ippo.reporting.receipt"
FORM_MAX_AGE = 6 * 3600
ACCESS_MAX_AGE = 2 * 3600


def _public(view):
    """Resolve the organisation from the link's token (404 for unknown tokens) and the page language."""

    @csrf_exempt  # no cookies on this route: the signed form token below replaces the CSRF cookie
    def wrapper(request, token: str, *args, **kwargs):
        found = services.org_for_token(token)
        if found is None:
            raise Http404("No such report link")
        lang = request.POST.get("lang") or request.GET.get("lang") or settings.LANGUAGE_CODE
        if lang not in dict(settings.LANGUAGES):
            lang = settings.LANGUAGE_CODE
        request.report_org, request.report_settings = found
        with translation.override(lang):
            request.LANGUAGE_CODE = lang
            response = view(request, token, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
        response.headers["Content-Language"] = lang
        return response

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _form_token(token: str) -> str:
    return signing.dumps({"t": token}, salt=FORM_SALT)


def _form_token_ok(request, token: str) -> bool:
    try:
        data = signing.loads(request.POST.get("form_token", ""), salt=FORM_SALT, max_age=FORM_MAX_AGE)
    except signing.BadSignature:
        return False
    return data.get("t") == token


def _uploads(files, *, keep_metadata: bool) -> list[services.Upload]:
    return [services.Upload(data=f.read(), strip=not keep_metadata) for f in files]


def _context(request, token: str, **extra) -> dict:
    org = request.report_org
    with scope(organization=org):
        # Names only: this page is public, so no e-mail addresses.
        recipients = [u.name for u in escalation.concern_handlers(org) if u.name]
    # Every variable the templates test is given, so that no "missing variable" debug line is ever logged.
    defaults = dict.fromkeys(
        (
            "expired",
            "locked",
            "wrong",
            "lost",
            "confirmed",
            "mistyped",
            "has_passphrase",
            "first_return",
            "sent",
        ),
        False,
    )
    defaults.update(report=None, code="", receipt="", confirm_form=None)
    return {
        **defaults,
        "org": org,
        "token": token,
        "lang": request.LANGUAGE_CODE,
        "form_token": _form_token(token),
        "concern_recipients": recipients,
        **extra,
    }


def _put_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@require_http_methods(["GET", "POST"])
@_public
def report_start(request, token: str):
    """The report form; on success, the thank-you page with the receipt code (same address)."""
    org = request.report_org
    form = ReportForm(request.POST or None, request.FILES or None, public=True)
    expired = False
    status = 200
    if request.method == "POST":
        expired = not _form_token_ok(request, token)
        if not expired and form.is_valid():
            data = form.cleaned_data
            try:
                report, code = services.report_submit_public(
                    org=org,
                    kind=data["kind"],
                    happened=data["happened"],
                    description=data["description"],
                    identity=data["identity"],
                    severity_guess=data["severity_guess"],
                    reporter_name=data.get("reporter_name", ""),
                    passphrase=data.get("passphrase", ""),
                    uploads=_uploads(data["screenshots"], keep_metadata=data["keep_metadata"]),
                )
            except ValidationError as exc:
                _put_errors(form, exc)
            except receipts.TooManyReports:
                form.add_error(
                    None,
                    _(
                        "Very many reports arrived in the last few minutes, so the report link is resting. "
                        "Please try again in ten minutes, or tell your manager in person."
                    ),
                )
                status = 429
            else:
                receipt = signing.dumps({"r": report.pk, "c": encrypt(code)}, salt=RECEIPT_SALT)
                context = _context(
                    request,
                    token,
                    report=report,
                    code=receipts.code_display(code),
                    receipt=receipt,
                    confirm_form=ConfirmForm(),
                    has_passphrase=bool(data.get("passphrase")),
                )
                return render(request, "reporting/public_thanks.html", context)
    return render(
        request,
        "reporting/public_form.html",
        _context(request, token, form=form, expired=expired, misconduct=Kind.MISCONDUCT),
        status=status,
    )


@require_POST
@_public
def report_confirm(request, token: str):
    """The reporter types the receipt code back, to be sure they noted it."""
    org = request.report_org
    try:
        data = signing.loads(request.POST.get("receipt", ""), salt=RECEIPT_SALT, max_age=FORM_MAX_AGE)
        code = decrypt(data["c"])
    except (signing.BadSignature, ValueError, KeyError, TypeError):
        return render(
            request, "reporting/public_followup.html", _context(request, token, form=ReceiptForm(), lost=True)
        )
    form = ConfirmForm(request.POST)
    confirmed = form.is_valid() and receipts.code_normalise(form.cleaned_data["code"]) == code
    if confirmed:
        with scope(organization=org):
            ReceiptCode.objects.filter(organization=org, report_id=data["r"]).update(confirmed=True)
    context = _context(
        request,
        token,
        code=receipts.code_display(code),
        receipt=request.POST.get("receipt"),
        confirm_form=ConfirmForm() if not confirmed else None,
        confirmed=confirmed,
        mistyped=not confirmed,
    )
    return render(request, "reporting/public_thanks.html", context)


def _thread(request, token: str, report: Report, **extra):
    with scope(organization=report.organization):
        messages = list(report.messages.order_by("pk"))  # times of anonymous messages are rounded
        attachments = report.attachments.count()
    access = signing.dumps({"r": report.pk, "o": report.organization_id}, salt=ACCESS_SALT)
    context = _context(
        request,
        token,
        report=report,
        thread=messages,
        attachment_count=attachments,
        access=access,
        message_form=extra.pop("message_form", None) or MessageForm(),
        **extra,
    )
    return render(request, "reporting/public_thread.html", context)


@require_http_methods(["GET", "POST"])
@_public
def report_followup(request, token: str):
    """Coming back: the receipt code (and passphrase) open the thread."""
    org = request.report_org
    form = ReceiptForm(request.POST or None)
    locked = wrong = expired = False
    if request.method == "POST":
        expired = not _form_token_ok(request, token)
        if not expired and form.is_valid():
            try:
                report = services.receipt_open(
                    org=org, code=form.cleaned_data["code"], passphrase=form.cleaned_data["passphrase"]
                )
            except receipts.TooManyAttempts:
                locked = True
            else:
                if report is not None:
                    first = services.receipt_first_return(report=report)
                    code = receipts.code_display(receipts.code_normalise(form.cleaned_data["code"]))
                    return _thread(request, token, report, first_return=first, code=code)
                wrong = True
    context = _context(request, token, form=form, locked=locked, wrong=wrong, expired=expired)
    return render(request, "reporting/public_followup.html", context, status=429 if locked else 200)


@require_POST
@_public
def report_followup_reply(request, token: str):
    """More information from the reporter, on the thread opened with the receipt code."""
    org = request.report_org
    try:
        data = signing.loads(request.POST.get("access", ""), salt=ACCESS_SALT, max_age=ACCESS_MAX_AGE)
    except signing.BadSignature:
        data = {}
    if data.get("o") != org.pk:
        return render(
            request,
            "reporting/public_followup.html",
            _context(request, token, form=ReceiptForm(), expired=True),
        )
    with scope(organization=org):
        report = Report.objects.filter(organization=org, pk=data.get("r")).first()
    if report is None:
        raise Http404("No such report")
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.report_add_from_reporter(
                report=report,
                body=form.cleaned_data["body"],
                uploads=_uploads(form.cleaned_data["screenshots"], keep_metadata=False),
            )
        except ValidationError as exc:
            _put_errors(form, exc)
        else:
            return _thread(request, token, report, sent=True)
    return _thread(request, token, report, message_form=form)
