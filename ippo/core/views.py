from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ippo.accounts.forms import InvitationForm
from ippo.accounts.models import Invitation
from ippo.accounts.services import invitation_create, invitation_revoke
from ippo.core import notify
from ippo.core.audit import action_label, audit_events_for_org
from ippo.core.forms import (
    ChatWebhookForm,
    NotificationPreferenceForm,
    OrganizationCreateForm,
    RoleChangeForm,
)
from ippo.core.homepage import home_modules, home_tasks
from ippo.core.models import ChatWebhook, Delivery, Membership
from ippo.core.services import membership_change_role, membership_remove, organization_create
from ippo.core.tenancy import memberships_of, org_view


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


def bench_floor(request):
    """The benchmarks' "framework floor": the cheapest page Django can serve through ippo's middleware and
    a template. Routed only when IPPO_BENCH_FLOOR=1 (bench/suite.py sets it for its own server)."""
    return render(request, "core/bench_floor.html", {"numbers": range(10)})


@login_required
def start(request):
    """Where a signed-in person lands: their organisation, a choice of several, or creating one."""
    memberships = memberships_of(request.user)
    if len(memberships) == 1:
        return redirect("org:org_home", org_slug=memberships[0].organization.slug)
    if not memberships:
        return redirect("core:org_create")
    return redirect("core:org_list")


@login_required
def org_list(request):
    return render(request, "core/organization_list.html", {"memberships": memberships_of(request.user)})


@login_required
def org_create(request):
    form = OrganizationCreateForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                org = organization_create(
                    actor=request.user, name=form.cleaned_data["name"], slug=form.cleaned_data["slug"]
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("%(org)s was created. You are its owner.") % {"org": org.name})
                return redirect("org:org_home", org_slug=org.slug)
        return render(request, "core/organization_create.html", {"form": form}, status=400)
    return render(request, "core/organization_create.html", {"form": form})


@org_view("org.view")
def org_home(request):
    for module in home_modules():
        page = getattr(module, "home_page", None)
        response = page(request) if page else None
        if response is not None:
            return response  # e.g. the owner's dashboard (ippo/reports/home.py)
    return render(request, "core/organization_home.html", {"tasks": home_tasks(request)})


def _render_member_list(request, form: InvitationForm, status: int = 200):
    memberships = Membership.objects.select_related("user").order_by("role", "user__email")
    invitations = (
        Invitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())
        .select_related("invited_by")
        .order_by("-created_at")
    )
    context = {"memberships": memberships, "invitations": invitations, "form": form, "role_form": RoleChangeForm()}
    return render(request, "core/member_list.html", context, status=status)


@org_view("members.view")
def member_list(request):
    return _render_member_list(request, InvitationForm())


@require_POST
@org_view("members.invite")
def member_invite(request):
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation_create(
                actor=request.user,
                org=request.org,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                language=request.LANGUAGE_CODE,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("An invitation was sent to %(email)s. The link is valid for 7 days.")
                % {"email": form.cleaned_data["email"]},
            )
            return redirect("org:member_list", org_slug=request.org.slug)
    return _render_member_list(request, form, status=400)


@require_POST
@org_view("members.invite")
def invitation_revoke_view(request, pk: int):
    invitation = get_object_or_404(Invitation.objects.all(), pk=pk)
    invitation_revoke(actor=request.user, org=request.org, invitation=invitation)
    messages.success(request, _("The invitation to %(email)s was cancelled.") % {"email": invitation.email})
    return redirect("org:member_list", org_slug=request.org.slug)


@require_POST
@org_view("members.change_role")
def membership_role_view(request, pk: int):
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=pk)
    form = RoleChangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please choose a role from the list."))
    else:
        try:
            membership_change_role(actor=request.user, org=request.org, membership=membership, role=form.cleaned_data["role"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("%(person)s is now: %(role)s.") % {"person": membership.user, "role": membership.get_role_display()},
            )
    return redirect("org:member_list", org_slug=request.org.slug)


@require_POST
@org_view("members.change_role")
def membership_remove_view(request, pk: int):
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=pk)
    try:
        membership_remove(actor=request.user, org=request.org, membership=membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(person)s was removed from the organisation.") % {"person": membership.user})
    return redirect("org:member_list", org_slug=request.org.slug)


@org_view("audit.view")
def audit_log(request):
    events = audit_events_for_org(request.org).select_related(None).order_by("-seq")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    rows = [(event, action_label(event.action)) for event in page.object_list]
    return render(request, "core/audit_log.html", {"page": page, "rows": rows})


# --- Notifications: chat webhooks and the delivery log (owner), personal preferences (everyone).


@org_view("org.settings")
def chatwebhook_list(request):
    webhooks = ChatWebhook.objects.order_by("name")
    return render(request, "core/chatwebhook_list.html", {"webhooks": webhooks})


@org_view("org.settings")
def chatwebhook_create(request):
    form = ChatWebhookForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                webhook, signing_secret = notify.chatwebhook_create(
                    actor=request.user, org=request.org, **form.cleaned_data
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                if signing_secret:
                    # Shown once, on this response only: never stored in the session or a message.
                    response = render(
                        request,
                        "core/chatwebhook_created.html",
                        {"webhook": webhook, "signing_secret": signing_secret},
                    )
                    add_never_cache_headers(response)
                    return response
                messages.success(
                    request,
                    _("The webhook %(name)s was added. Send a test message to check that it works.")
                    % {"name": webhook.name},
                )
                return redirect("org:chatwebhook_list", org_slug=request.org.slug)
        return render(request, "core/chatwebhook_create.html", {"form": form}, status=400)
    return render(request, "core/chatwebhook_create.html", {"form": form})


@require_POST
@org_view("org.settings")
def chatwebhook_delete(request, pk: int):
    webhook = get_object_or_404(ChatWebhook.objects.all(), pk=pk)
    notify.chatwebhook_delete(actor=request.user, org=request.org, webhook=webhook)
    messages.success(request, _("The webhook %(name)s was removed.") % {"name": webhook.name})
    return redirect("org:chatwebhook_list", org_slug=request.org.slug)


@require_POST
@org_view("org.settings")
def chatwebhook_test(request, pk: int):
    webhook = get_object_or_404(ChatWebhook.objects.all(), pk=pk)
    delivery = notify.chatwebhook_send_test(org=request.org, webhook=webhook)
    if delivery.status == Delivery.Status.SENT:
        messages.success(
            request, _("A test message was sent to %(name)s. Check that it arrived.") % {"name": webhook.name}
        )
    else:
        messages.error(
            request,
            _("The test message to %(name)s could not be sent: %(error)s")
            % {"name": webhook.name, "error": delivery.last_error},
        )
    return redirect("org:chatwebhook_list", org_slug=request.org.slug)


_DELIVERY_ORDER = Case(
    When(status=Delivery.Status.FAILED, then=Value(0)),
    When(status=Delivery.Status.GAVE_UP, then=Value(1)),
    When(status=Delivery.Status.PENDING, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


@org_view("org.settings")
def delivery_list(request):
    """Recent notifications, the ones that failed first."""
    deliveries = (
        Delivery.objects.select_related("recipient", "webhook")
        .annotate(problem_first=_DELIVERY_ORDER)
        .order_by("problem_first", "-created_at", "-pk")
    )
    page = Paginator(deliveries, 50).get_page(request.GET.get("page"))
    return render(request, "core/delivery_list.html", {"page": page})


@org_view("org.view")
def notificationpreference_edit(request):
    preference = notify.notificationpreference_for(org=request.org, user=request.user)
    form = NotificationPreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        notify.notificationpreference_update(
            org=request.org,
            user=request.user,
            email_enabled=form.cleaned_data["email_enabled"],
            digest_enabled=form.cleaned_data["digest_enabled"],
        )
        messages.success(request, _("Your notification settings were saved."))
        return redirect("org:notificationpreference_edit", org_slug=request.org.slug)
    return render(request, "core/notificationpreference_edit.html", {"form": form})
