"""Thin receivers that put authentication events from Django and allauth into the audit log."""

from __future__ import annotations

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver

from ippo.core.audit import audit_record


@receiver(auth_signals.user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit_record(action="user.logged_in", actor=user)


@receiver(auth_signals.user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    attempted = str(credentials.get("email") or credentials.get("username") or "")[:254]
    audit_record(action="user.login_failed", data={"email": attempted})


@receiver(auth_signals.user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action="user.logged_out", actor=user)


@receiver(account_signals.user_signed_up)
def _signed_up(sender, request, user, **kwargs):
    audit_record(action="user.signed_up", actor=user, target=user)


@receiver(account_signals.password_changed)
def _password_changed(sender, request, user, **kwargs):
    audit_record(action="user.password_changed", actor=user, target=user)


@receiver(account_signals.password_reset)
def _password_reset(sender, request, user, **kwargs):
    audit_record(action="user.password_reset", actor=user, target=user)


@receiver(mfa_signals.authenticator_added)
def _mfa_added(sender, request, user, authenticator, **kwargs):
    audit_record(action="mfa.authenticator_added", actor=user, data={"type": authenticator.type})


@receiver(mfa_signals.authenticator_removed)
def _mfa_removed(sender, request, user, authenticator, **kwargs):
    audit_record(action="mfa.authenticator_removed", actor=user, data={"type": authenticator.type})


@receiver(mfa_signals.authenticator_reset)
def _mfa_reset(sender, request, user, authenticator, **kwargs):
    audit_record(action="mfa.recovery_codes_reset", actor=user, data={"type": authenticator.type})
