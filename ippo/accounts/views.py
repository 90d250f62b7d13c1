from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ippo.accounts.forms import InvitationAcceptForm, PreferencesForm
from ippo.accounts.services import invitation_accept, invitation_lookup


def invitation_accept_view(request, token: str):
    lookup = invitation_lookup(token)
    invitation = lookup.invitation
    context = {"lookup": lookup, "invitation": invitation, "token": token}
    if lookup.problem:
        return render(request, "accounts/invitation_accept.html", context, status=410 if invitation else 404)

    from ippo.accounts.models import User

    needs_account = not request.user.is_authenticated
    existing_account = needs_account and User.objects.filter(email__iexact=invitation.email).exists()
    form = InvitationAcceptForm(request.POST or None, email=invitation.email) if needs_account else None
    context.update(form=form, needs_account=needs_account, existing_account=existing_account)

    if request.method == "POST" and not existing_account:
        if form is None or form.is_valid():
            try:
                user = invitation_accept(
                    token=token,
                    user=request.user if request.user.is_authenticated else None,
                    name=form.cleaned_data["name"] if form else "",
                    password=form.cleaned_data["password"] if form else "",
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return render(request, "accounts/invitation_accept.html", context, status=400)
            if not request.user.is_authenticated:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request, _("Welcome to %(org)s.") % {"org": invitation.organization.name}
            )
            return redirect("org:org_home", org_slug=invitation.organization.slug)
        return render(request, "accounts/invitation_accept.html", context, status=400)
    return render(request, "accounts/invitation_accept.html", context)


def _safe_next(request, fallback: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


@require_POST
def language_switch(request):
    """Switch the interface language; remembered on the user (and in a cookie for visitors)."""
    language = request.POST.get("language", "")
    response = HttpResponseRedirect(_safe_next(request))
    if language not in dict(settings.LANGUAGES):
        return response
    if request.user.is_authenticated and request.user.language != language:
        request.user.language = language
        request.user.save(update_fields=["language"])
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=True,
    )
    return response


@login_required
def preferences(request):
    form = PreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("Your settings were saved."))
            return redirect("accounts:preferences")
        return render(request, "accounts/preferences.html", {"form": form}, status=400)
    return render(request, "accounts/preferences.html", {"form": form})
