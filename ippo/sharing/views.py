"""Organisation pages for partner evidence: the pack list, making a pack, one pack (preview, PDF, share
links), withdrawing it, and creating and revoking share links."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ippo.core.roles import role_has_permission
from ippo.core.tenancy import org_view
from ippo.sharing import document, selectors, services, signing
from ippo.sharing.forms import EvidencePackForm, ShareLinkForm
from ippo.sharing.models import EvidencePack, ShareLink


def _get_pack(request, pk: int, *, with_pdf: bool = False) -> EvidencePack:
    packs = EvidencePack.objects.filter(organization=request.org)
    if not with_pdf:
        packs = packs.defer("pdf")
    return get_object_or_404(packs.select_related("created_by", "revoked_by"), pk=pk)


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@org_view("program.view")
def evidencepack_list(request):
    return render(
        request,
        "sharing/evidencepack_list.html",
        {
            "packs": list(selectors.pack_rows(request.org)),
            "can_manage": role_has_permission(request.role, "sharing.manage"),
        },
    )


@org_view("sharing.manage")
def evidencepack_create(request):
    latest = selectors.latest_contact(request.org)
    initial = {
        "language": settings.LANGUAGE_CODE,
        "contact_name": latest["name"] or request.user.name,
        "contact_email": latest["email"] or request.user.email,
        "contact_phone": latest["phone"],
    }
    form = EvidencePackForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                pack = services.evidencepack_create(org=request.org, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _(
                        "The evidence pack %(code)s is ready. Download the PDF or create a share link for your partner."
                    )
                    % {"code": pack.code},
                )
                return redirect("org:evidencepack_detail", request.org.slug, pack.pk)
        return render(request, "sharing/evidencepack_create.html", {"form": form}, status=400)
    return render(request, "sharing/evidencepack_create.html", {"form": form})


@org_view("program.view")
def evidencepack_detail(request, pk: int):
    pack = _get_pack(request, pk)
    links = list(ShareLink.objects.filter(organization=request.org, pack=pack).select_related("created_by"))
    can_manage = role_has_permission(request.role, "sharing.manage")
    context = {
        "pack": pack,
        "body": document.pack_display(pack.snapshot, code=pack.code),
        "links": links,
        "can_manage": can_manage,
        "share_form": ShareLinkForm(org=request.org, initial={"pack": pack.pk}) if can_manage else None,
        "verify_url": document.verify_url(pack.code),
        "key_matches": pack.key_id == signing.key_id(),
    }
    return render(request, "sharing/evidencepack_detail.html", context)


@org_view("program.view")
def evidencepack_pdf(request, pk: int):
    pack = _get_pack(request, pk, with_pdf=True)
    response = HttpResponse(bytes(pack.pdf), content_type="application/pdf")
    name = f"ippo-{request.org.slug}-evidence-{pack.code}.pdf"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@require_POST
@org_view("sharing.manage")
def evidencepack_revoke(request, pk: int):
    pack = _get_pack(request, pk)
    try:
        services.evidencepack_revoke(pack=pack, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(
            request,
            _(
                "The pack %(code)s is withdrawn. The verification page now says so, and its share links no longer work."
            )
            % {"code": pack.code},
        )
    return redirect("org:evidencepack_detail", request.org.slug, pack.pk)


@org_view("sharing.manage")
def sharelink_create(request):
    """GET: choose a pack (the pack page posts here directly). POST: create the link and show it once."""
    initial = {"pack": request.GET.get("pack")} if request.GET.get("pack", "").isdigit() else {}
    form = ShareLinkForm(request.POST or None, org=request.org, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            pack = form.cleaned_data["pack"]
            try:
                link, token = services.sharelink_create(
                    pack=pack,
                    actor=request.user,
                    days=form.cleaned_data["days"],
                    label=form.cleaned_data["label"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                # Shown on this response only: never stored, put in a message or the session.
                response = render(
                    request,
                    "sharing/sharelink_created.html",
                    {"link": link, "pack": pack, "url": document.share_url(token)},
                )
                add_never_cache_headers(response)
                return response
        return render(request, "sharing/sharelink_create.html", {"form": form}, status=400)
    return render(request, "sharing/sharelink_create.html", {"form": form})


@require_POST
@org_view("sharing.manage")
def sharelink_revoke(request, pk: int):
    link = get_object_or_404(ShareLink.objects.filter(organization=request.org).select_related("pack"), pk=pk)
    try:
        services.sharelink_revoke(link=link, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("The link was revoked. Anyone who opens it now sees “not available”."))
    return redirect("org:evidencepack_detail", request.org.slug, link.pack_id)
