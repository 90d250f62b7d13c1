from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings

from ippo.lib import crypto
from ippo.lib.env import env_bool


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return env_bool("IPPO_SIGNUP_OPEN", True)

    def get_login_redirect_url(self, request):
        return super().get_login_redirect_url(request)

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.language = getattr(request, "LANGUAGE_CODE", "") or settings.LANGUAGE_CODE
        if commit:
            user.save()
        return user


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin) -> bool:
        return env_bool("IPPO_SIGNUP_OPEN", True)

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        full_name = data.get("name") or " ".join(filter(None, [data.get("last_name"), data.get("first_name")]))
        user.name = (full_name or "").strip()[:150]
        user.language = getattr(request, "LANGUAGE_CODE", "") or settings.LANGUAGE_CODE
        return user


class MFAAdapter(DefaultMFAAdapter):
    """TOTP secrets are stored encrypted (ippo.lib.crypto), never in the clear."""

    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text)
