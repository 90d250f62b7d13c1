"""The pages a drill mail links to (no login): the tracking image, the landing, the report button.

Rules these views keep, each tested:
- They record only an event's kind and time (ippo.phishing.tracking). They never read the client address,
  user agent or referrer, and `practice_submit` never reads the request body at all.
- Nothing is completed or reported on a GET: a GET of the link records only the click (flagged as a likely
  link scanner until a person acts on the page), and reporting needs a POST from a button.
- Every page says `noindex` (header and meta), sends `Referrer-Policy: no-referrer` and `no-store`, sets no
  cookie, and never redirects anywhere but to our own pages named here (no URL from the request).
- An unknown token gets the same plain "not found" page as any other missing page.

CSRF: the POST endpoints are `csrf_exempt`. CSRF protection stops another site from making a visitor's
browser send a request the visitor did not intend, using the visitor's cookies. These endpoints use no
cookie and no session; what authorises them is the recipient's 128-bit token in the URL, which only the
recipient's mailbox knows — a forging site would need the token, and with it could simply send the request
itself. Django's CSRF check would also read `request.POST` (to find `csrfmiddlewaretoken`) and set a cookie,
both of which we must not do on these pages.
"""

from __future__ import annotations

import calendar
from functools import wraps
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe
from django_scopes import scope

from ippo.phishing import tracking
from ippo.phishing.models import Drill, Recipient
from ippo.phishing.templates_content import DrillTemplate, template_render

# A 1×1 transparent GIF.
PIXEL = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
_LINK_MARK = "\x00LINK\x00"


def _public(view):
    """Headers every public drill page sends."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "no-referrer"
        response["Cache-Control"] = "no-store"
        return response

    return wrapper


def _language(recipient: Recipient | None) -> str:
    supported = dict(settings.LANGUAGES)
    if recipient is not None and recipient.language in supported:
        return recipient.language
    return settings.LANGUAGE_CODE


def _page(request, template: str, context: dict, *, recipient: Recipient | None, status: int = 200):
    language = _language(recipient)
    with translation.override(language):
        body = render_to_string(template, {**context, "LANG": language}, request=request)
    response = HttpResponse(body, status=status)
    response["Content-Language"] = language
    return response


def _not_found(request):
    return _page(request, "phishing/public/not_found.html", {}, recipient=None, status=404)


def _find(token: str) -> Recipient | None:
    return tracking.recipient_for_token(token)


# --- The mail, as the person received it -------------------------------------------------------------


def _template(template_id: str) -> DrillTemplate | None:
    from ippo.phishing.sending import templates_content_by_id  # loaded once per process, shared with sending

    return templates_content_by_id().get(template_id)


def _split_name(full: str) -> tuple[str, str]:
    """(family, given) from a directory name written family name first ("伊藤 さくら")."""
    parts = full.replace("\u3000", " ").split()
    if not parts:
        return "", ""
    return parts[0], " ".join(parts[1:])


def _date_text(when, language: str) -> str:
    day = timezone.localtime(when, ZoneInfo("Asia/Tokyo")).date()
    if language == "ja":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {calendar.month_name[day.month]} {day.year}"


def render_values(recipient: Recipient) -> dict:
    """The placeholder values (without the link) this recipient's mail was rendered with: the sending side's
    own name and date helpers when present, so that the page shows exactly what was sent."""
    language = _language(recipient)
    try:
        from ippo.phishing import sending

        name_parts, date_text = sending.name_parts, sending.date_text
    except (ImportError, AttributeError):
        name_parts, date_text = _split_name, _date_text
    last, first = name_parts(recipient.employee.name if recipient.employee else "")
    return {
        "first_name": first or last,
        "last_name": last,
        "company": recipient.organization.name,
        "date": date_text(recipient.sent_at or timezone.now(), language),
    }


def _highlight(text: str, flags: list[tuple[int, str]], used: set[int], link_html: str = "") -> str:
    """`text` as HTML with the first occurrence of each flag's quote wrapped in a numbered <mark>."""
    spans: list[tuple[int, int, int]] = []
    for number, quote in flags:
        if number in used or not quote:
            continue
        start = text.find(quote)
        while start != -1 and any(s < start + len(quote) and start < e for s, e, _n in spans):
            start = text.find(quote, start + 1)
        if start == -1:
            continue
        spans.append((start, start + len(quote), number))
        used.add(number)
    spans.sort()
    out, pos = [], 0
    for start, end, number in spans:
        out.append(escape(text[pos:start]))
        out.append(
            f'<mark id="flag-{number}" class="drill-flag">{escape(text[start:end])}'
            f'<sup class="drill-flag-number">{number}</sup></mark>'
        )
        pos = end
    out.append(escape(text[pos:]))
    html = "".join(out).replace(escape(_LINK_MARK), link_html).replace("\n", "<br>\n")
    return mark_safe(html)  # noqa: S308 — every piece of text above is escaped


def teaching_mail(recipient: Recipient) -> dict | None:
    """The mail this person received, re-rendered without live links, with its red flags marked."""
    template = _template(recipient.template_id)
    if template is None:
        return None
    language = _language(recipient)
    values = render_values(recipient)
    subject, body = template_render(template, language, link=_LINK_MARK, **values)
    sender_name = template.sender_name.get(language).format(link="", **values)
    profile = recipient.drill.profile
    domain = profile.from_address.rsplit("@", 1)[-1] if profile and "@" in profile.from_address else ""
    flags = [(n, f.quote.get(language)) for n, f in enumerate(template.red_flags, 1)]
    used: set[int] = set()
    link_text = escape(template.link_text.get(language))
    link_html = f'<span class="drill-fake-link">{link_text}</span>'
    return {
        "sender_html": _highlight(sender_name, flags, used),
        "sender_address": f"{template.sender_local_part}@{domain}" if domain else "",
        "subject_html": _highlight(subject, flags, used),
        "body_html": _highlight(body, flags, used, link_html),
        "red_flags": [
            {"number": n, "quote": f.quote.get(language), "explanation": f.explanation.get(language)}
            for n, f in enumerate(template.red_flags, 1)
        ],
    }


def _context(recipient: Recipient, token: str) -> dict:
    return {
        "recipient": recipient,
        "company": recipient.organization.name,
        "token": token,
        "is_form": recipient.drill.landing == Drill.Landing.FORM,
    }


# --- Views --------------------------------------------------------------------------------------------


@_public
@require_safe
def tracking_image(request, token: str):
    """The invisible image in the HTML mail: records "opened"."""
    recipient = _find(token)
    if recipient is None:
        return _not_found(request)
    tracking.open_record(recipient, now=timezone.now())
    return HttpResponse(PIXEL, content_type="image/gif")


@_public
@require_safe
def link_click(request, token: str):
    """The link in the mail: records the click (likely a scanner until a person acts), then shows the
    practice sign-in form or the teaching page, as the drill was set up."""
    recipient = _find(token)
    if recipient is None:
        return _not_found(request)
    tracking.click_record(recipient, now=timezone.now())
    with scope(organization=recipient.organization):
        if recipient.drill.landing == Drill.Landing.FORM and recipient.submitted_at is None:
            return _page(request, "phishing/public/practice_form.html", _context(recipient, token), recipient=recipient)
        return _teaching(request, recipient, token)


def _teaching(request, recipient: Recipient, token: str, *, confirmed: bool = False):
    context = {**_context(recipient, token), "mail": teaching_mail(recipient), "confirmed": confirmed}
    return _page(request, "phishing/public/teaching.html", context, recipient=recipient)


@_public
@require_safe
def teaching_page(request, token: str):
    """The teaching page again (after the practice form or the "continue" button). Records nothing."""
    recipient = _find(token)
    if recipient is None:
        return _not_found(request)
    with scope(organization=recipient.organization):
        return _teaching(request, recipient, token, confirmed=recipient.verified_click_at is not None)


@csrf_exempt  # see the module docstring: the token in the URL is the credential, and no cookie is used
@_public
@require_POST
def click_confirm(request, token: str):
    """A person acted on the landing page (the page's script or its "continue" button): a verified click.
    The script gets 204; the button goes back to the teaching page."""
    recipient = _find(token)
    if recipient is None:
        return _not_found(request)
    tracking.click_confirm(recipient, now=timezone.now())
    if request.headers.get("X-Requested-With") == "ippo-drill":
        return HttpResponse(status=204)
    return redirect(reverse("drill:learn", kwargs={"token": token}) + "#next-time", permanent=False)


@csrf_exempt  # see the module docstring
@_public
@require_POST
def practice_submit(request, token: str):
    """The practice sign-in form was sent. Records only that it happened: this view never touches
    `request.body`, `request.POST` or `request.FILES` (a test proves it), and the form's fields have no
    `name`, so a browser sends nothing typed into them anyway."""
    recipient = _find(token)
    if recipient is None:
        return _not_found(request)
    tracking.submit_record(recipient, now=timezone.now())
    return redirect(reverse("drill:learn", kwargs={"token": token}), permanent=False)


@csrf_exempt  # see the module docstring
@_public
def report(request, token: str):
    """GET: a page with a button to report the mail. POST (the button): records "reported" and thanks the
    person — this was a drill."""
    if request.method not in ("GET", "HEAD", "POST"):
        response = HttpResponse(status=405)
        response["Allow"] = "GET, HEAD, POST"
        return response
    recipient = _find(token)
    if recipient is None:
        return _not_found(request)
    context = _context(recipient, token)
    if request.method == "POST":
        tracking.report_record(recipient, now=timezone.now())
        return _page(request, "phishing/public/report_thanks.html", context, recipient=recipient)
    return _page(request, "phishing/public/report_confirm.html", context, recipient=recipient)
