from __future__ import annotations

import shutil
import subprocess

import pytest
from django_scopes import scope

from tests.helpers import _english, owner_client  # noqa: F401 — shared fixtures

REPORT_CONTACT = "General Affairs, Yamada, 03-1234-5678"


@pytest.fixture
def manager_client(client, personas):
    client.force_login(personas.manager)
    return client


@pytest.fixture
def generate(personas):
    """Draft documents in org A through the service: generate("basic-policy", language="en")."""
    from ippo.policies import services

    def make(*template_ids, language="en", actor=None, report_contact=REPORT_CONTACT):
        with scope(organization=personas.org):
            versions = services.policies_generate(
                org=personas.org,
                actor=actor or personas.manager,
                template_ids=list(template_ids),
                language=language,
                report_contact=report_contact,
            )
        return versions[0] if len(versions) == 1 else versions

    return make


@pytest.fixture
def approve(personas):
    from ippo.policies import services

    def run(version, actor=None, when=None):
        with scope(organization=personas.org):
            return services.policy_version_approve(version=version, actor=actor or personas.owner, when=when)

    return run


def pdf_text(data: bytes, tmp_path) -> str:
    """The text of a PDF, read back with poppler's pdftotext."""
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is needed for the PDF tests"
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
