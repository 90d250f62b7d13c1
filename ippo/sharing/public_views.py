"""Public pages, no sign-in: the verification pages and the share-link pages.

- Every response says `Referrer-Policy: no-referrer` (the token must not leak to linked sites),
  `X-Robots-Tag: noindex, nofollow` and is never cached.
- Unknown, expired and revoked share links all get the same 404 page, so tokens cannot be probed.
- Requests are counted per token or code and per client (`throttle.py`); past the limit: 429.
- Each opening of a share link is counted and audited (actor "partner"; no address, no browser).
- A share page shows the pack's frozen snapshot and nothing else of the organisation.
"""

from __future__ import annotations

from functools import wraps

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from ippo.sharing import document, services, signing, throttle, verification
from ippo.sharing.forms import VerifyCodeForm, VerifyUploadForm
from ippo.sharing.models import EvidencePack


def _public(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "no-referrer"
        response["X-Robots-Tag"] = "noindex, nofollow"
        add_never_cache_headers(response)
        return response

    return wrapper


def _too_many(request):
    response = render(request, "sharing/too_many_requests.html", status=429)
    response["Retry-After"] = str(throttle.WINDOW_SECONDS)
    return response


def _key_context() -> dict:
    return {
        "fingerprint": signing.fingerprint_display(),
        "public_key_pem": signing.public_key_pem(),
    }


# --- Verification ---------------------------------------------------------------------------------------------


@_public
@require_GET
def verify_start(request):
    """Type a code (the form submits with GET, so it works without JavaScript and without a session)."""
    form = VerifyCodeForm(request.GET if "code" in request.GET else None)
    if form.is_bound and form.is_valid():
        return redirect("sharing:verify_code", code=form.cleaned_data["code"])
    return render(request, "sharing/verify_start.html", {"form": form, **_key_context()})


@_public
@require_http_methods(["GET", "POST"])
def verify_code(request, code: str):
    normal = services.code_normalize(code)
    if throttle.request_over_limit(request, "verify", normal or "invalid"):
        return _too_many(request)
    if normal and normal != code:
        return redirect("sharing:verify_code", code=normal)
    result = verification.verify_code(normal) if normal else verification.Verification(verification.UNKNOWN)
    upload_form = VerifyUploadForm(request.POST or None, request.FILES or None)
    file_result = None
    if result.pack is not None and request.method == "POST" and upload_form.is_valid():
        data = b"".join(upload_form.cleaned_data["file"].chunks())  # at most MAX_FILE_BYTES; never stored
        file_result = verification.verify_file_against(result.pack, data)
    if result.pack is not None:
        services.evidencepack_record_check(pack=result.pack, what="file" if file_result else "code")
    context = {
        "code": normal or "",
        "result": result,
        "pack": result.pack,
        "upload_form": upload_form,
        "file_result": file_result,
        "signed_text": signing.pack_message(result.pack.code, result.pack.sha256).decode()
        if result.pack
        else "",
        **_key_context(),
    }
    status = 404 if result.pack is None else 200
    return render(request, "sharing/verify_code.html", context, status=status)


# --- Share links ------------------------------------------------------------------------------------------------


def _share_target(request, token: str, *, with_pdf: bool = False):
    """(link, None) for a working link, else (None, response): 429 when throttled, the same 404 otherwise."""
    if throttle.request_over_limit(request, "share", services.token_hash(token or "")[:32]):
        return None, _too_many(request)
    link = services.sharelink_lookup(token, with_pdf=with_pdf)
    if link is None:
        return None, render(request, "sharing/share_unavailable.html", status=404)
    return link, None


@_public
@require_GET
def share_page(request, token: str):
    link, refusal = _share_target(request, token)
    if refusal is not None:
        return refusal
    services.sharelink_record_access(link=link, what="page")
    pack: EvidencePack = link.pack
    context = {
        "body": document.pack_display(pack.snapshot, code=pack.code),
        "pack_language": pack.language,
        "expires_at": link.expires_at,
        "token": token,
        "sha256": pack.sha256,
    }
    return render(request, "sharing/share_page.html", context)


@_public
@require_GET
def share_pdf(request, token: str):
    link, refusal = _share_target(request, token, with_pdf=True)
    if refusal is not None:
        return refusal
    services.sharelink_record_access(link=link, what="pdf")
    pack = link.pack
    response = HttpResponse(bytes(pack.pdf), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, f"evidence-pack-{pack.code}.pdf")
    return response
