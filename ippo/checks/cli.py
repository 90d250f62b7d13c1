"""`ippo checks domain DOMAIN [--json] [--resolver HOST:PORT] [--passive] [--lang ja|en]`."""

from __future__ import annotations

import json

from django.utils import timezone, translation
from django_scopes import scopes_disabled

from ippo.checks import collect, runner
from ippo.checks.dnsclient import Dns
from ippo.checks.mail import domain_normalise
from ippo.checks.messages import STATUS_LABELS


def _verified_domain(name: str, dns):
    """A Domain row for `name` whose TXT token is published right now, or None. Active checks from the
    command line follow the same rule as the pages: only on a domain whose ownership is proven."""
    from ippo.checks.models import Domain
    from ippo.checks.services import domain_verification_lookup

    with scopes_disabled():
        for domain in Domain.objects.filter(name=name).select_related("organization"):
            if domain_verification_lookup(domain, dns=dns) == "found":
                return domain
    return None


def domain_command(
    *, name: str, as_json: bool, resolver: str | None, passive: bool, language: str, stdout
) -> int:
    name = domain_normalise(name)
    cfg = collect.CheckConfig.from_settings(resolver=resolver)
    dns = Dns(cfg.resolver, timeout=min(cfg.timeout, 3.0), gate=cfg.gate)
    attested, selectors, active = [], None, False
    if not passive:
        domain = _verified_domain(name, dns)
        if domain is not None:
            active = True
            selectors = domain.selectors_list() or None
            with scopes_disabled():
                attested = list(domain.attestations.values_list("address", flat=True))
    result = runner.domain_run(
        name,
        cfg=cfg,
        now=timezone.now(),
        active=active,
        dkim_selectors=selectors,
        attested=attested,
        include_skipped=not passive,
        dns=dns,
    )
    with translation.override(language):
        rows = [r.as_dict() for r in result.results]
        if as_json:
            stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
        else:
            for row in rows:
                stdout.write(f"{row['check']:<14} {str(STATUS_LABELS[row['status']]):<16} {row['message']}")
    return 0
