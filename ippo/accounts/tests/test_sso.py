"""Single sign-on with OpenID Connect (Microsoft Entra ID / Google Workspace), end to end.

The identity provider is a real OIDC server on loopback (tests/oidc_provider.py). Django's test client
plays the browser on our side; the hop to the provider's /authorize is a real HTTP request, and allauth
itself fetches the discovery document, exchanges the code at /token and calls /userinfo over HTTP.
"""

from __future__ import annotations

import copy
import re
import time
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialAccount
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from conftest import TOTP_SECRET, enrol_totp, totp_now
from ippo import settings as ippo_settings
from ippo.accounts.models import User
from ippo.core.models import AuditEvent, Membership, Organization
from tests.oidc_provider import LocalOIDCProvider

CLIENT_ID = "ippo-entra-client"
CLIENT_SECRET = "entra-client-secret"
SSO_ENV = [
    "IPPO_SSO_MICROSOFT_CLIENT_ID",
    "IPPO_SSO_MICROSOFT_CLIENT_SECRET",
    "IPPO_SSO_MICROSOFT_TENANT_ID",
    "IPPO_SSO_MICROSOFT_SERVER_URL",
    "IPPO_SSO_MICROSOFT_VERIFIED_DOMAINS",
    "IPPO_SSO_GOOGLE_CLIENT_ID",
    "IPPO_SSO_GOOGLE_CLIENT_SECRET",
    "IPPO_SSO_GOOGLE_SERVER_URL",
]


@pytest.fixture
def sso_env(monkeypatch):
    """A clean slate of IPPO_SSO_* variables, whatever the developer's shell has set."""
    for name in SSO_ENV:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def _configure(settings, sso_env, idp: LocalOIDCProvider) -> None:
    """Point "microsoft" at the local provider, exactly as settings.py would for these variables."""
    # allauth's requests session honours *_PROXY variables; the provider is on loopback, keep it direct.
    sso_env.setenv("NO_PROXY", "127.0.0.1,localhost")
    sso_env.setenv("no_proxy", "127.0.0.1,localhost")
    sso_env.setenv("IPPO_SSO_MICROSOFT_CLIENT_ID", idp.client_id)
    sso_env.setenv("IPPO_SSO_MICROSOFT_CLIENT_SECRET", idp.client_secret)
    sso_env.setenv("IPPO_SSO_MICROSOFT_SERVER_URL", idp.url)
    providers = copy.deepcopy(settings.SOCIALACCOUNT_PROVIDERS)
    providers["openid_connect"]["APPS"] = ippo_settings._oidc_apps()
    # allauth reads SOCIALACCOUNT_PROVIDERS on every request (no cached app list), so this is enough.
    settings.SOCIALACCOUNT_PROVIDERS = providers
    settings.IPPO_FORM_ACTION_ORIGINS = [idp.url]


@pytest.fixture
def idp(db, settings, sso_env):
    with LocalOIDCProvider(client_id=CLIENT_ID, client_secret=CLIENT_SECRET) as provider:
        _configure(settings, sso_env, provider)
        yield provider


LOGIN_URL = "/accounts/oidc/microsoft/login/"
CALLBACK_PATH = "/accounts/oidc/microsoft/login/callback/"


def sso_login(client, idp: LocalOIDCProvider):
    """Click "Microsoft Entra ID", approve at the provider, come back. Returns the callback response."""
    start = client.post(reverse("openid_connect_login", kwargs={"provider_id": "microsoft"}))
    assert start.status_code == 302, start.content.decode()[:500]
    authorize = start["Location"]
    assert authorize.startswith(f"{idp.url}/authorize?")

    with requests.Session() as browser:
        browser.trust_env = False  # loopback only: never through a proxy from the environment
        approved = browser.get(authorize, allow_redirects=False, timeout=10)
    assert approved.status_code == 302, approved.text
    back = urlsplit(approved.headers["Location"])
    assert (back.scheme, back.netloc, back.path) == ("http", "testserver", CALLBACK_PATH)
    query = parse_qs(back.query)
    assert set(query) == {"code", "state"}
    assert query["state"] == parse_qs(urlsplit(authorize).query)["state"]
    return client.get(back.path, {k: v[0] for k, v in query.items()})


def logged_in_user_id(client):
    return client.session.get("_auth_user_id")


def existing_user(make_user, email: str, *, verified: bool = True, **extra) -> User:
    user = make_user(email, **extra)
    # make_user may already have recorded the address; set it to what this test needs.
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": verified, "primary": True}
    )
    return user


def own_org(user, slug: str = "real-co") -> Organization:
    org = Organization.objects.create(name="Real Co", slug=slug)
    Membership.objects.create(organization=org, user=user, role="owner")
    return org


# --- configuration --------------------------------------------------------------------------------------


def test_no_sso_variables_means_no_sso_buttons(sso_env):
    assert ippo_settings._oidc_apps() == []


def test_sso_apps_are_built_from_the_environment(sso_env):
    sso_env.setenv("IPPO_SSO_MICROSOFT_CLIENT_ID", "ms-id")
    sso_env.setenv("IPPO_SSO_MICROSOFT_CLIENT_SECRET", "ms-secret")
    sso_env.setenv("IPPO_SSO_MICROSOFT_TENANT_ID", "11111111-2222-3333-4444-555555555555")
    sso_env.setenv("IPPO_SSO_GOOGLE_CLIENT_ID", "g-id")
    sso_env.setenv("IPPO_SSO_GOOGLE_CLIENT_SECRET", "g-secret")
    assert ippo_settings._oidc_apps() == [
        {
            "provider_id": "microsoft",
            "name": "Microsoft Entra ID",
            "client_id": "ms-id",
            "secret": "ms-secret",
            "settings": {
                "server_url": "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0"
            },
        },
        {
            "provider_id": "google",
            "name": "Google Workspace",
            "client_id": "g-id",
            "secret": "g-secret",
            "settings": {"server_url": "https://accounts.google.com"},
        },
    ]


def test_an_explicit_server_url_wins_over_the_tenant(sso_env):
    sso_env.setenv("IPPO_SSO_MICROSOFT_CLIENT_ID", "ms-id")
    sso_env.setenv("IPPO_SSO_MICROSOFT_TENANT_ID", "contoso")
    sso_env.setenv("IPPO_SSO_MICROSOFT_SERVER_URL", "http://127.0.0.1:9/idp")
    sso_env.setenv("IPPO_SSO_GOOGLE_CLIENT_ID", "g-id")
    sso_env.setenv("IPPO_SSO_GOOGLE_SERVER_URL", "http://127.0.0.1:9/google")
    apps = {app["provider_id"]: app for app in ippo_settings._oidc_apps()}
    assert apps["microsoft"]["settings"] == {"server_url": "http://127.0.0.1:9/idp"}
    assert apps["google"]["settings"] == {"server_url": "http://127.0.0.1:9/google"}


def test_microsoft_without_a_tenant_is_refused_with_a_clear_message(sso_env):
    sso_env.setenv("IPPO_SSO_MICROSOFT_CLIENT_ID", "ms-id")
    with pytest.raises(ImproperlyConfigured, match="IPPO_SSO_MICROSOFT_TENANT_ID"):
        ippo_settings._oidc_apps()


@pytest.mark.parametrize("alias", ["common", "organizations", "consumers"])
def test_a_multi_tenant_alias_is_refused_because_issuers_would_never_match(sso_env, alias):
    sso_env.setenv("IPPO_SSO_MICROSOFT_CLIENT_ID", "ms-id")
    sso_env.setenv("IPPO_SSO_MICROSOFT_TENANT_ID", alias)
    with pytest.raises(ImproperlyConfigured, match="directory \\(tenant\\) ID"):
        ippo_settings._oidc_apps()


def test_entra_emails_are_trusted_only_for_the_listed_company_domains(sso_env):
    sso_env.setenv("IPPO_SSO_MICROSOFT_CLIENT_ID", "ms-id")
    sso_env.setenv("IPPO_SSO_MICROSOFT_TENANT_ID", "tenant-1")
    assert "verified_email" not in ippo_settings._oidc_apps()[0]["settings"]
    sso_env.setenv("IPPO_SSO_MICROSOFT_VERIFIED_DOMAINS", "Example.co.jp, example.com")
    assert ippo_settings._oidc_apps()[0]["settings"]["verified_email"] == ["example.co.jp", "example.com"]


def test_the_login_page_shows_the_configured_sso_button(client, idp):
    response = client.get(reverse("account_login"))
    body = response.content.decode()
    assert "Microsoft Entra ID" in body
    assert LOGIN_URL in body
    # The button posts to us and we redirect to the provider: CSP form-action must allow its origin.
    assert f"form-action 'self' {idp.url}" in response["Content-Security-Policy"]


def _verify(idp: LocalOIDCProvider, id_token: str) -> dict:
    config = requests.get(f"{idp.url}/.well-known/openid-configuration", timeout=10).json()
    return jwtkit.verify_and_decode(
        credential=id_token,
        keys_url=config["jwks_uri"],
        issuer=config["issuer"],
        audience=CLIENT_ID,
        lookup_kid=jwtkit.lookup_kid_jwk,
    )


def test_the_local_providers_id_tokens_verify_against_its_published_keys(idp):
    # In the code flow allauth skips the signature check for an id_token it fetched itself from the
    # token endpoint (OIDC Core 3.1.3.7); this is the check it does for id_tokens handed in by a client
    # (provider.verify_token), against /jwks over HTTP.
    claims = _verify(idp, idp.id_token_for())
    assert (claims["iss"], claims["aud"], claims["sub"]) == (idp.url, CLIENT_ID, idp.identity["sub"])
    assert claims["email"] == idp.identity["email"] and claims["email_verified"] is True
    assert "/jwks" in idp.paths_served()
    # The same kid signed with some other key is refused.
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    claims = {"iss": idp.url, "aud": CLIENT_ID, "sub": "intruder", "exp": int(time.time()) + 60}
    forged = jwt.encode(claims, other_key, algorithm="RS256", headers={"kid": idp.kid})
    with pytest.raises(OAuth2Error, match="Invalid id_token"):
        _verify(idp, forged)


def test_an_id_token_from_a_completed_sso_login_cannot_be_replayed(client, idp):
    sso_login(client, idp)
    with pytest.raises(OAuth2Error, match="already used"):
        _verify(idp, idp.issued_id_tokens[-1])


# --- signing in -----------------------------------------------------------------------------------------


def test_a_new_person_signs_in_with_sso_and_gets_an_account_with_the_idps_email_and_name(client, idp):
    idp.set_identity(sub="entra-oid-1", email="Hanako.Sato@Example.com", name="佐藤 花子")

    response = sso_login(client, idp)

    assert response.status_code == 302 and response["Location"] == reverse("core:start")
    user = User.objects.get(email="hanako.sato@example.com")  # stored lower-cased, like password sign-ups
    assert user.name == "佐藤 花子"
    assert logged_in_user_id(client) == str(user.pk)
    account = SocialAccount.objects.get(user=user)
    assert (account.provider, account.uid) == ("microsoft", "entra-oid-1")
    assert EmailAddress.objects.get(user=user).verified  # the IdP vouched for it: no confirmation mail
    assert mail.outbox == []
    assert client.get("/")["Location"] == reverse("core:org_create")

    # It really went through the provider, with PKCE and a client secret.
    # (allauth reads the discovery document once per request: for the redirect and for the callback.)
    served = idp.paths_served()
    assert served[0] == "/.well-known/openid-configuration"
    assert [p for p in served if p != served[0]] == ["/authorize", "/token", "/userinfo"]
    assert idp.authorizations[-1]["code_challenge_method"] == "S256"
    assert idp.token_requests[-1]["auth_method"] == "client_secret_post"
    assert idp.token_requests[-1]["form"]["code_verifier"]


@pytest.mark.parametrize("method", ["client_secret_post", "client_secret_basic"])
def test_sso_works_with_either_way_of_sending_the_client_secret(client, db, settings, sso_env, method):
    with LocalOIDCProvider(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, token_auth_methods=(method,)
    ) as idp:
        _configure(settings, sso_env, idp)
        response = sso_login(client, idp)
    assert response.status_code == 302 and logged_in_user_id(client)
    assert idp.token_requests[-1]["auth_method"] == method


def test_an_existing_account_with_the_same_verified_email_is_signed_in_not_duplicated(client, idp, make_user):
    user = existing_user(make_user, "taro@example.com")
    idp.set_identity(sub="entra-oid-2", email="taro@example.com", name="Taro")

    response = sso_login(client, idp)

    assert response.status_code == 302
    assert logged_in_user_id(client) == str(user.pk)
    assert User.objects.filter(email__iexact="taro@example.com").count() == 1
    assert SocialAccount.objects.get(uid="entra-oid-2").user == user  # connected for next time
    user.refresh_from_db()
    assert user.check_password("a-Long-passw0rd!")  # a verified account keeps its password


def test_an_unverified_local_account_loses_its_password_and_is_confirmed_by_code_on_sso(
    client, idp, make_user, settings
):
    # allauth's guard against pre-registration: someone may have signed up with this address without
    # owning it, so the password they set stops working once the owner arrives through SSO, and the
    # address is still confirmed with a code sent to it before anyone is signed in.
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    user = existing_user(make_user, "squat@example.com", verified=False)
    idp.set_identity(sub="entra-oid-3", email="squat@example.com")

    response = sso_login(client, idp)

    assert response.status_code == 302 and response["Location"] == reverse("account_email_verification_sent")
    assert logged_in_user_id(client) is None
    user.refresh_from_db()
    assert not user.has_usable_password()
    assert mail.outbox[-1].to == ["squat@example.com"]
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[-1].body, re.M).group(1)
    response = client.post(reverse("account_email_verification_sent"), {"code": code})
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(user.pk)


@pytest.mark.parametrize("email_verified", [False, None], ids=["email_verified-false", "no-email_verified"])
def test_an_idp_email_that_is_not_vouched_for_does_not_sign_in_to_an_existing_account(
    client, idp, make_user, email_verified
):
    # None = the claim is absent, which is what Microsoft Entra ID sends by default.
    user = existing_user(make_user, "victim@example.com")
    idp.set_identity(sub="entra-oid-4", email="victim@example.com", email_verified=email_verified)

    sso_login(client, idp)

    assert logged_in_user_id(client) is None
    assert not SocialAccount.objects.filter(user=user).exists()
    assert User.objects.filter(email__iexact="victim@example.com").count() == 1


def test_an_id_token_issued_for_another_client_is_refused(client, idp):
    idp.id_token_overrides = {"aud": "someone-else"}

    response = sso_login(client, idp)

    assert response.status_code == 401  # allauth's "sign-in failed" page
    assert logged_in_user_id(client) is None
    assert not User.objects.filter(email=idp.identity["email"]).exists()


def test_the_sso_login_is_recorded_in_the_audit_log(client, idp):
    sso_login(client, idp)

    user = User.objects.get(email=idp.identity["email"])
    assert AuditEvent.objects.filter(action="user.logged_in", actor=user).count() == 1
    assert AuditEvent.objects.filter(action="user.signed_up", actor=user).exists()


# --- MFA rules apply to SSO users -----------------------------------------------------------------------


def test_an_sso_owner_without_mfa_is_sent_to_set_it_up(client, idp, make_user):
    user = existing_user(make_user, "boss@example.com")
    own_org(user)
    idp.set_identity(sub="entra-boss", email="boss@example.com", name="Boss")

    sso_login(client, idp)

    assert logged_in_user_id(client) == str(user.pk)
    response = client.get("/o/real-co/")
    assert response.status_code == 302 and response["Location"] == reverse("mfa_index") == "/accounts/2fa/"


def test_an_sso_owner_with_totp_must_enter_the_code_before_being_signed_in(client, idp, make_user):
    user = existing_user(make_user, "chief@example.com")
    enrol_totp(user)
    own_org(user)
    idp.set_identity(sub="entra-chief", email="chief@example.com", name="Chief")

    response = sso_login(client, idp)

    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    assert logged_in_user_id(client) is None
    assert not AuditEvent.objects.filter(action="user.logged_in").exists()
    assert client.get("/o/real-co/")["Location"].startswith(reverse("account_login"))

    response = client.post(reverse("mfa_authenticate"), {"code": totp_now(TOTP_SECRET)})

    assert response.status_code == 302
    assert logged_in_user_id(client) == str(user.pk)
    assert client.get("/o/real-co/").status_code == 200
    assert AuditEvent.objects.filter(action="user.logged_in", actor=user).count() == 1
