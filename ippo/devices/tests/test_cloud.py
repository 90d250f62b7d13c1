"""Cloud connectors against a loopback server replaying recorded Graph and Directory API responses."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from ippo.devices import cloud
from ippo.devices.tests.replay import ReplayServer

REGISTRATION = "/v1.0/reports/authenticationMethods/userRegistrationDetails"
DEFAULTS = "/v1.0/policies/identitySecurityDefaultsEnforcementPolicy"
CREDS = {"tenant_id": "tenant-1", "client_id": "client-1", "client_secret": "s3cret-value"}


def _m365_routes(**extra):
    routes = {
        "POST /tenant-1/oauth2/v2.0/token": (200, "m365_token.json"),
        f"GET {REGISTRATION}": (200, "m365_registration_page1.json"),
        f"GET {REGISTRATION}?$skiptoken=page2": (200, "m365_registration_page2.json"),
    }
    routes.update(extra)
    return routes


def test_m365_counts_members_and_admins_over_pages():
    with ReplayServer(_m365_routes()) as server:
        outcome = cloud.m365_collect(CREDS, base_url=server.base_url)
    # Four members (the guest is left out), two with MFA; two admins, one without it.
    assert (outcome.users_total, outcome.users_mfa, outcome.admins_total, outcome.admins_mfa) == (4, 2, 2, 1)
    assert outcome.result.status == "fail" and outcome.result.reason == "mfa_admin_missing"
    token_request = server.requests[0]
    assert b"grant_type=client_credentials" in token_request["body"]
    assert server.requests[1]["headers"]["Authorization"].startswith("Bearer eyJ")
    assert len(server.requests) == 3


def test_m365_without_the_licence_falls_back_to_security_defaults():
    routes = _m365_routes(
        **{
            f"GET {REGISTRATION}": (403, "m365_licence_error.json"),
            f"GET {DEFAULTS}": (200, "m365_security_defaults_on.json"),
        }
    )
    with ReplayServer(routes) as server:
        outcome = cloud.m365_collect(CREDS, base_url=server.base_url)
    assert outcome.method == "security_defaults"
    assert outcome.security_defaults is True
    assert outcome.result.status == "pass"
    assert outcome.users_total is None


def test_m365_fallback_with_security_defaults_off_fails():
    routes = _m365_routes(
        **{
            f"GET {REGISTRATION}": (403, "m365_licence_error.json"),
            f"GET {DEFAULTS}": (200, "m365_security_defaults_off.json"),
        }
    )
    with ReplayServer(routes) as server:
        outcome = cloud.m365_collect(CREDS, base_url=server.base_url)
    assert outcome.result.status == "fail" and outcome.result.reason == "security_defaults_off"


class _Connector:
    def __init__(self, kind, credentials, base_url):
        self.kind, self._credentials, self.base_url = kind, credentials, base_url

    def get_credentials(self):
        return self._credentials


def test_refused_credentials_are_unknown_never_fail():
    routes = {"POST /tenant-1/oauth2/v2.0/token": (401, "m365_bad_client.json")}
    with ReplayServer(routes) as server:
        outcome = cloud.collect(_Connector("m365", CREDS, server.base_url))
    assert outcome.result.status == "unknown" and outcome.result.reason == "cloud_auth_failed"


def test_an_unreachable_service_is_unknown():
    outcome = cloud.collect(_Connector("m365", CREDS, "http://127.0.0.1:1"))
    assert outcome.result.status == "unknown" and outcome.result.reason == "cloud_error"


def test_a_forbidden_report_without_the_licence_code_is_not_mistaken_for_it():
    routes = _m365_routes(**{f"GET {REGISTRATION}": (403, "m365_bad_client.json")})
    with ReplayServer(routes) as server:
        outcome = cloud.collect(_Connector("m365", CREDS, server.base_url))
    assert outcome.result.reason == "cloud_auth_failed"
    assert not any(DEFAULTS in r["path"] for r in server.requests)


def _service_account(token_uri: str):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    account = {
        "type": "service_account",
        "project_id": "ippo-test",
        "private_key_id": "abc123",
        "private_key": pem,
        "client_email": "ippo-reader@ippo-test.iam.gserviceaccount.com",
        "client_id": "1234567890",
        "token_uri": token_uri,
    }
    return account, key.public_key()


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def test_google_counts_2sv_and_signs_a_valid_assertion():
    page2 = (
        "/admin/directory/v1/users?customer=my_customer&maxResults=500&projection=basic&pageToken=page2token"
    )
    routes = {
        "POST /token": (200, "google_token.json"),
        "GET /admin/directory/v1/users": (200, "google_users_page1.json"),
        f"GET {page2}": (200, "google_users_page2.json"),
    }
    with ReplayServer(routes) as server:
        account, public_key = _service_account(f"{server.base_url}/token")
        outcome = cloud.google_collect(
            {"service_account": account, "admin_email": "yamada@ippo-shoji.example"}, base_url=server.base_url
        )
    # The suspended account is left out: four people, all enrolled; two administrators (one delegated).
    assert (outcome.users_total, outcome.users_mfa, outcome.admins_total, outcome.admins_mfa) == (4, 4, 2, 2)
    assert outcome.result.status == "pass"
    body = dict(part.split("=", 1) for part in server.requests[0]["body"].decode().split("&"))
    header, claims, signature = body["assertion"].split(".")
    public_key.verify(
        _b64decode(signature), f"{header}.{claims}".encode(), padding.PKCS1v15(), hashes.SHA256()
    )
    claims = json.loads(_b64decode(claims))
    assert claims["sub"] == "yamada@ippo-shoji.example"
    assert claims["scope"].endswith("admin.directory.user.readonly")


@pytest.mark.django_db
def test_running_a_connector_stores_a_snapshot_sets_the_control_and_is_audited(personas, in_org, unscoped):
    from ippo.core.models import AuditEvent
    from ippo.devices import services
    from ippo.program.models import ControlStatus

    with ReplayServer(_m365_routes()) as server, in_org():
        connector = services.cloud_connector_create(
            org=personas.org,
            actor=personas.manager,
            kind="m365",
            name="M365",
            credentials=CREDS,
            hint="tenant",
            base_url=server.base_url,
        )
        assert connector.credentials_encrypted.startswith("enc1:")
        assert "s3cret-value" not in connector.credentials_encrypted
        snapshot = services.cloud_connector_run(connector=connector, actor=personas.manager)
        status = ControlStatus.objects.get(organization=personas.org, control_id="pr-mfa-email")
    assert snapshot.status == "fail" and snapshot.members_percent == 50
    assert status.status == "not_implemented" and status.source == services.CONTROL_SOURCE
    with unscoped():
        actions = set(AuditEvent.objects.filter(organization=personas.org).values_list("action", flat=True))
    assert {"cloudconnector.created", "cloudconnector.checked"} <= actions


@pytest.mark.django_db
def test_connecting_m365_from_the_page_never_shows_the_secret(client, personas, settings, unscoped):
    from ippo.devices.models import CloudConnector

    client.force_login(personas.manager)
    routes = _m365_routes(
        **{
            f"GET {REGISTRATION}": (403, "m365_licence_error.json"),
            f"GET {DEFAULTS}": (200, "m365_security_defaults_on.json"),
        }
    )
    with ReplayServer(routes) as server:
        settings.IPPO_CLOUD_BASE_URL = server.base_url
        url = f"/o/{personas.org.slug}/sign-in-coverage/connect/"
        assert client.get(url + "?kind=m365").status_code == 200
        response = client.post(url, {"kind": "m365", "name": "M365", **CREDS}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "s3cret-value" not in page
    assert "Security defaults are on" in page
    with unscoped():
        connector = CloudConnector.objects.get(organization=personas.org)
    assert connector.get_credentials()["client_secret"] == "s3cret-value"


@pytest.mark.django_db
def test_connecting_google_from_the_page_validates_the_key_and_hides_it(client, personas, settings):
    client.force_login(personas.manager)
    page2 = (
        "/admin/directory/v1/users?customer=my_customer&maxResults=500&projection=basic&pageToken=page2token"
    )
    routes = {
        "POST /token": (200, "google_token.json"),
        "GET /admin/directory/v1/users": (200, "google_users_page1.json"),
        f"GET {page2}": (200, "google_users_page2.json"),
    }
    url = f"/o/{personas.org.slug}/sign-in-coverage/connect/"
    bad = client.post(
        url, {"kind": "google", "name": "G", "admin_email": "a@b.example", "service_account": "{}"}
    )
    assert bad.status_code == 200 and bad.context["form"].errors["service_account"]
    with ReplayServer(routes) as server:
        settings.IPPO_CLOUD_BASE_URL = server.base_url
        account, _public = _service_account(f"{server.base_url}/token")
        response = client.post(
            url,
            {
                "kind": "google",
                "name": "Google",
                "admin_email": "yamada@ippo-shoji.example",
                "service_account": json.dumps(account),
            },
            follow=True,
        )
    page = response.content.decode()
    assert "All 2 administrators and 100% of people" in page
    assert "PRIVATE KEY" not in page and account["private_key"][40:80] not in page
