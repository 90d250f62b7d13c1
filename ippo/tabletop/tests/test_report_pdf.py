"""The after-action report as a PDF, in Japanese and English, read back with poppler's pdftotext."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone

from ippo.lib import pdf
from ippo.tabletop import services
from ippo.tabletop.services import PlayerSpec

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed"),
]


@pytest.fixture
def finished(personas, in_org):
    with in_org():
        ex = services.exercise_plan(
            org=personas.org,
            actor=personas.manager,
            scenario_id="ransomware-file-server",
            scheduled_on=timezone.localdate() - timedelta(days=3),
            players=[PlayerSpec("owner", user=personas.owner), PlayerSpec("vendor", name="木村 誠")],
        )
        services.exercise_start(exercise=ex, actor=personas.manager)
        services.inject_note_save(
            exercise=ex, actor=personas.manager, inject_id="backups", text="復元テストの記録がない。"
        )
        services.exercise_finish(exercise=ex, actor=personas.manager)
        services.exercise_hotwash_save(
            exercise=ex,
            actor=personas.manager,
            went_well="全員がすぐ報告した。",
            to_improve="連絡先一覧がない。",
        )
        services.exercise_action_add(
            exercise=ex, actor=personas.manager, title="連絡先一覧を作る", owner=personas.owner
        )
    return ex


def _text(data: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


@pytest.mark.skipif(not pdf.japanese_font_available(), reason="no Japanese font for PDFs")
def test_the_japanese_pdf_has_a_japanese_heading_and_the_notes(owner_client, finished, tmp_path):
    response = owner_client.get(f"/o/org-a/tabletop/{finished.pk}/report.pdf?lang=ja")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f"tabletop-{finished.pk}-ja.pdf" in response["Content-Disposition"]
    text = _text(response.content, tmp_path)
    assert "机上演習" in text and "振り返り" in text
    assert "ファイルサーバーがランサムウェアで暗号化された" in text
    assert "復元テストの記録がない。" in text and "連絡先一覧を作る" in text and "木村 誠" in text


def test_the_english_pdf(owner_client, finished, tmp_path):
    response = owner_client.get(f"/o/org-a/tabletop/{finished.pk}/report.pdf?lang=en")
    text = _text(response.content, tmp_path)
    assert "Tabletop exercise: after-action report" in text
    assert "Ransomware encrypts the file server" in text and "What went well" in text
    assert "no ratings of individual people" in " ".join(text.split())
