from tests.factories import factory


@factory("checks.domain")
def _domain(org, make_user):
    from ippo.checks.models import Domain

    return Domain.objects.create(organization=org, name=f"example-{org.slug}.jp", verification_token="t" * 32)


@factory("checks.checkrun")
def _checkrun(org, make_user):
    from django.utils import timezone

    from ippo.checks.models import CheckRun

    return CheckRun.objects.create(
        organization=org,
        domain=_domain(org, make_user),
        trigger="manual",
        state="done",
        created_at=timezone.now(),
    )


@factory("checks.addressattestation")
def _attestation(org, make_user):
    from django.utils import timezone

    from ippo.checks.models import AddressAttestation

    return AddressAttestation.objects.create(
        organization=org,
        domain=_domain(org, make_user),
        address="203.0.113.7",
        reason="office line",
        attested_at=timezone.now(),
    )
