"""Domain pages: the list, adding a domain and proving ownership, results and history, "run now"."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from ippo.checks import selectors, services
from ippo.checks.forms import AttestationForm, DomainForm, DomainSettingsForm
from ippo.checks.models import AddressAttestation, CheckRun, Domain
from ippo.core.roles import role_has_permission
from ippo.core.tenancy import org_view
from ippo.lib.forms import show_errors


def _can_manage(request) -> bool:
    return role_has_permission(request.role, "checks.manage")




@require_safe
@org_view("program.view")
def domain_list(request):
    domains = selectors.domains_for_list(request.org)
    return render(
        request, "checks/domain_list.html", {"domains": domains, "can_manage": _can_manage(request)}
    )


@org_view("checks.manage")
def domain_create(request):
    form = DomainForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            domain = services.domain_create(
                org=request.org,
                actor=request.user,
                name=form.cleaned_data["name"],
                dkim_selectors=form.cleaned_data["dkim_selectors"],
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("Domain added. Publish the record below to prove it is yours."))
            return redirect("org:domain_detail", request.org.slug, domain.pk)
    return render(request, "checks/domain_form.html", {"form": form})


@require_safe
@org_view("program.view")
def domain_detail(request, pk: int):
    domain = get_object_or_404(Domain.objects, pk=pk)
    run = selectors.run_latest(domain)
    context = {
        "domain": domain,
        "run": run,
        "groups": selectors.run_groups(run) if run else [],
        "history": selectors.run_history(domain),
        "pending": domain.runs.filter(state__in=[CheckRun.State.QUEUED, CheckRun.State.RUNNING]).exists(),
        "attestations": list(domain.attestations.select_related("attested_by")),
        "can_manage": _can_manage(request),
        "settings_form": DomainSettingsForm(
            initial={"dkim_selectors": domain.dkim_selectors, "is_active": domain.is_active}
        ),
        "attest_form": AttestationForm(),
    }
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "checks/_results.html", context)
    return render(request, "checks/domain_detail.html", context)


@require_POST
@org_view("checks.manage")
def domain_verify(request, pk: int):
    domain = get_object_or_404(Domain.objects, pk=pk)
    outcome = services.domain_verify(domain=domain, actor=request.user)
    if outcome == "found":
        messages.success(request, _("Ownership proven. The weekly check now includes the active tests."))
    elif outcome == "missing":
        messages.error(
            request,
            _("The record was not found yet. DNS changes can take up to an hour to appear; try again later."),
        )
    else:
        messages.warning(request, _("The DNS server did not answer in time. Try again in a few minutes."))
    return redirect("org:domain_detail", request.org.slug, domain.pk)


@require_POST
@org_view("checks.manage")
def domain_run(request, pk: int):
    domain = get_object_or_404(Domain.objects, pk=pk)
    _run, created = services.checkrun_request(domain=domain, actor=request.user)
    if created:
        messages.success(request, _("The check has started. Results appear here in a minute or two."))
    else:
        messages.info(request, _("A check of this domain has just run or is running; please wait a moment."))
    return redirect("org:domain_detail", request.org.slug, domain.pk)


@require_POST
@org_view("checks.manage")
def domain_update(request, pk: int):
    domain = get_object_or_404(Domain.objects, pk=pk)
    form = DomainSettingsForm(request.POST)
    if form.is_valid():
        try:
            services.domain_update(
                domain=domain,
                actor=request.user,
                dkim_selectors=form.cleaned_data["dkim_selectors"],
                is_active=form.cleaned_data["is_active"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Settings saved."))
    return redirect("org:domain_detail", request.org.slug, domain.pk)


@org_view("checks.manage")
def domain_attest(request, pk: int):
    domain = get_object_or_404(Domain.objects, pk=pk)
    form = AttestationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.attestation_create(
                domain=domain,
                actor=request.user,
                address=form.cleaned_data["address"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("Address added. It is tested with the next check."))
            return redirect("org:domain_detail", request.org.slug, domain.pk)
    return render(request, "checks/domain_attest.html", {"domain": domain, "form": form})


@require_POST
@org_view("checks.manage")
def domain_delete(request, pk: int):
    domain = get_object_or_404(Domain.objects, pk=pk)
    services.domain_delete(domain=domain, actor=request.user)
    messages.success(request, _("Domain removed; it is no longer checked."))
    return redirect("org:domain_list", request.org.slug)


@require_POST
@org_view("checks.manage")
def addressattestation_delete(request, pk: int):
    attestation = get_object_or_404(AddressAttestation.objects, pk=pk)
    domain_pk = attestation.domain_id
    services.attestation_delete(attestation=attestation, actor=request.user)
    messages.success(request, _("Address removed; it is no longer tested."))
    return redirect("org:domain_detail", request.org.slug, domain_pk)


@require_safe
@org_view("program.view")
def checkrun_detail(request, pk: int):
    run = get_object_or_404(CheckRun.objects.select_related("domain"), pk=pk)
    return render(
        request,
        "checks/checkrun_detail.html",
        {
            "run": run,
            "domain": run.domain,
            "groups": selectors.run_groups(run) if run.state == CheckRun.State.DONE else [],
        },
    )
