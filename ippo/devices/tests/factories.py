from tests.factories import factory


@factory("devices.device")
def _device(org, make_user):
    import secrets

    from django.utils import timezone

    from ippo.devices.models import Device
    from ippo.devices.services import token_hash

    return Device.objects.create(
        organization=org,
        name="営業部ノートPC",
        platform="windows",
        token_hash=token_hash(secrets.token_urlsafe(32)),
        enrolled_at=timezone.now(),
    )


@factory("devices.cloudconnector")
def _cloudconnector(org, make_user):
    import json

    from ippo.devices.models import CloudConnector
    from ippo.lib.crypto import encrypt

    # Port 1 on loopback: nothing listens, so a check fails fast without leaving the machine.
    return CloudConnector.objects.create(
        organization=org,
        kind="m365",
        name="Microsoft 365",
        credentials_encrypted=encrypt(json.dumps({"tenant_id": "t", "client_id": "c", "client_secret": "s"})),
        hint="tenant t…",
        base_url="http://127.0.0.1:1",
    )


@factory("devices.saasservice")
def _saasservice(org, make_user):
    from django.utils import timezone

    from ippo.devices.models import SaasService

    return SaasService.objects.create(organization=org, name="freee", next_due=timezone.localdate())


@factory("devices.enrolmentcode")
def _enrolmentcode(org, make_user):
    import secrets
    from datetime import timedelta

    from django.utils import timezone

    from ippo.devices.models import EnrolmentCode
    from ippo.devices.services import token_hash

    return EnrolmentCode.objects.create(
        organization=org,
        code_hash=token_hash(secrets.token_urlsafe(16)),
        label="経理PC",
        expires_at=timezone.now() + timedelta(hours=24),
    )
