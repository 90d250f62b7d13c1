from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ippo.accounts.selectors import user_must_enrol_mfa


class UserPreferencesMiddleware:
    """Activate the person's language and time zone.

    Language: the signed-in user's choice, else the language cookie, else Japanese (IPPO_LANGUAGE).
    The browser's Accept-Language is deliberately ignored: ippo is Japanese-first, with a visible switch.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        supported = dict(settings.LANGUAGES)
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if language not in supported:
            language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language

        tz_name = getattr(user, "timezone", "") if user is not None and user.is_authenticated else ""
        try:
            timezone.activate(zoneinfo.ZoneInfo(tz_name or settings.TIME_ZONE))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.activate(zoneinfo.ZoneInfo(settings.TIME_ZONE))

        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


# Paths a person who must enrol MFA may still reach: the MFA set-up itself and what it needs.
MFA_ENROLMENT_PATHS = (
    "/accounts/2fa/",
    "/accounts/logout/",
    "/accounts/reauthenticate/",
    "/accounts/login/",
    "/settings/language/",
    "/static/",
    "/healthz",
)


class MfaRequiredMiddleware:
    """Owners, managers and advisors (outside the demo organisation) can reach nothing until MFA is on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path_info.startswith(MFA_ENROLMENT_PATHS)
            and user_must_enrol_mfa(user)
        ):
            messages.warning(
                request,
                _(
                    "Your role needs two-step sign-in. Please set up an authenticator app or a passkey "
                    "before you continue. It takes about two minutes."
                ),
            )
            return redirect("mfa_index")
        return self.get_response(request)
