"""`ippo report board` (see ippo/reports/management/commands/report.py)."""

from __future__ import annotations

from pathlib import Path

from django_scopes import scope

from ippo.core.models import Organization
from ippo.reports.board import board_pdf


def board_command(*, org_slug: str, language: str, out: str, stdout) -> int:
    org = Organization.objects.filter(slug=org_slug).first()
    if org is None:
        stdout.write(f"No organisation with the URL name {org_slug!r}.")
        return 2
    with scope(organization=org):
        pdf, pages = board_pdf(org, language)
    Path(out).write_bytes(pdf)
    stdout.write(f"Wrote {out}: {pages} pages, {len(pdf):,} bytes.")
    return 0
