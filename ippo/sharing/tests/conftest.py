from __future__ import annotations

import shutil
import subprocess
from datetime import date

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tests.helpers import _english, owner_client  # noqa: F401 — shared fixtures

CONTACT = {
    "contact_name": "Yamada Taro",
    "contact_email": "security@org-a.example",
    "contact_phone": "03-1234-5678",
}


@pytest.fixture
def set_status(personas):
    """Record control statuses for org A: set_status({"pr-mfa-email": "implemented", …})."""
    from ippo.program.models import ControlStatus

    def run(statuses: dict[str, str], org=None):
        org = org or personas.org
        with scopes_disabled():
            for control_id, status in statuses.items():
                ControlStatus.objects.update_or_create(
                    organization=org,
                    control_id=control_id,
                    defaults={"status": status, "source": "manual", "updated_at": timezone.now()},
                )

    return run


@pytest.fixture
def add_evidence(personas):
    from ippo.program.models import Evidence

    def run(control_id: str, performed_on: date, title: str = "Evidence", org=None):
        with scopes_disabled():
            return Evidence.objects.create(
                organization=org or personas.org,
                control_id=control_id,
                kind="note",
                title=title,
                note=title,
                performed_on=performed_on,
            )

    return run


@pytest.fixture
def make_pack(personas):
    """A real pack of org A through the service (content, PDF, signature): make_pack(language="ja")."""
    from ippo.sharing import services

    def run(language: str = "en", actor=None, org=None, **contact):
        org = org or personas.org
        with scope(organization=org):
            return services.evidencepack_create(
                org=org, actor=actor or personas.manager, language=language, **(contact or CONTACT)
            )

    return run


@pytest.fixture
def make_link(personas):
    from ippo.sharing import services

    def run(pack, days: int = 30, label: str = "Partner K.K."):
        with scope(organization=pack.organization):
            return services.sharelink_create(pack=pack, actor=personas.manager, days=days, label=label)

    return run


@pytest.fixture
def revoke(personas):
    from ippo.sharing import services

    def run(pack):
        with scope(organization=pack.organization):
            return services.evidencepack_revoke(pack=pack, actor=personas.owner)

    return run


def pdf_tool(name: str, data: bytes, tmp_path, *args: str) -> str:
    """Run a poppler tool (pdftotext, pdffonts, pdfinfo) on PDF bytes and return its output."""
    assert shutil.which(name), f"poppler-utils ({name}) is needed for the PDF tests"
    path = tmp_path / "pack.pdf"
    path.write_bytes(data)
    command = [name, *args, str(path)] + (["-"] if name == "pdftotext" else [])
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout
