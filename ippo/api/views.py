"""Pages for making and revoking API tokens: personal ones (any signed-in user) and organisation ones."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ippo.api import services
from ippo.api.forms import ApiTokenForm
from ippo.api.models import ApiToken
from ippo.core.tenancy import org_view


def _create(request, *, org=None, user=None):
    form = ApiTokenForm(request.POST or None)
    token_text = None
    if request.method == "POST" and form.is_valid():
        _token, token_text = services.apitoken_create(
            actor=request.user,
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            days=form.cleaned_data["days"],
            org=org,
            user=user,
        )
        form = ApiTokenForm()
    return form, token_text


@login_required
def personal_tokens(request):
    if request.method == "POST" and "revoke" in request.POST:
        token = get_object_or_404(ApiToken, user=request.user, pk=request.POST.get("revoke", "0") or 0)
        services.apitoken_revoke(token=token, actor=request.user)
        messages.success(request, _("The token was revoked. Programs using it can no longer connect."))
        return redirect("api_personal_tokens")
    form, token_text = _create(request, user=request.user)
    context = {
        "form": form,
        "token_text": token_text,
        "tokens": ApiToken.objects.filter(user=request.user),
        "personal": True,
    }
    return render(request, "api/apitoken_list.html", context)


@org_view("api.manage")
def apitoken_list(request):
    form, token_text = _create(request, org=request.org)
    context = {
        "form": form,
        "token_text": token_text,
        "tokens": ApiToken.objects.filter(organization=request.org).select_related("created_by"),
        "personal": False,
    }
    return render(request, "api/apitoken_list.html", context)


@require_POST
@org_view("api.manage")
def apitoken_revoke(request, pk: int):
    token = get_object_or_404(ApiToken, organization=request.org, pk=pk)
    services.apitoken_revoke(token=token, actor=request.user)
    messages.success(request, _("The token was revoked. Programs using it can no longer connect."))
    return redirect("org:apitoken_list", request.org.slug)
