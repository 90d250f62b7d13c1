"""The owner's dashboard and the board report, read back from the PDF in both languages."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.core.management import call_command
from django_scopes import scope, scopes_disabled

from ippo.core.models import AuditEvent
from ippo.program import services as program_services
from ippo.program.models import ActionItem
from ippo.reports.models import ReportJob
from tests.helpers import query_count

pytestmark = pytest.mark.django_db
needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _pdf_fonts(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout


def test_the_owners_home_page_is_the_dashboard(owner_client, complete_assessment):
    complete_assessment(kind="full", answer=lambda i, _: "no" if i % 3 else "yes")
    page = owner_client.get("/o/org-a/").content.decode()
    assert "What to fund next" in page and "Risk in yen" in page and "ippo-chart-radar" in page
    assert "/o/org-a/plan/?overdue=1" in page or "Nothing overdue." in page


def test_other_roles_keep_the_normal_home_page(client, personas):
    client.force_login(personas.users["manager"])
    page = client.get("/o/org-a/").content.decode()
    assert "Five steps" in page and "What to fund next" not in page


def test_the_dashboard_numbers_come_from_the_programme(owner_client, personas, complete_assessment, unscoped):
    complete_assessment(kind="full", answer=lambda i, _: "no")
    with unscoped():
        before = ActionItem.objects.filter(status__in=ActionItem.OPEN).count()
        top = ActionItem.objects.filter(source="gap").order_by("-priority", "pk").first()
    page = owner_client.get("/o/org-a/reports/").content.decode()
    assert f">{before}</span></a> open items" in page
    assert f"/o/org-a/plan/{top.pk}/" in page  # the first thing to fund links to its item
    with scope(organization=personas.org):
        program_services.action_item_complete(item=ActionItem.objects.get(pk=top.pk), actor=personas.owner)
    page = owner_client.get("/o/org-a/reports/").content.decode()
    assert f">{before - 1}</span></a> open items" in page


def test_the_dashboard_runs_a_constant_number_of_queries(owner_client, personas, complete_assessment):
    from ippo.registers import services as register_services

    complete_assessment(kind="quick")
    with scope(organization=personas.org):
        program_services.action_item_create(org=personas.org, actor=personas.owner, title="One item")
        register_services.risks_add_starters(org=personas.org, actor=personas.owner)
    small = query_count(owner_client, "/o/org-a/reports/")
    complete_assessment(kind="full", answer=lambda i, _: "no")
    complete_assessment(kind="full", answer=lambda i, _: "partial")
    with scope(organization=personas.org):
        for n in range(60):
            program_services.action_item_create(org=personas.org, actor=personas.owner, title=f"Item {n}")
    assert query_count(owner_client, "/o/org-a/reports/") == small
    # 25 for the programme (score, trend, risks, plan, recurring work), then the people and incident
    # summaries: training 4, the last drill 3–5, incidents 3.
    assert small <= 37


@needs_poppler
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ja", ["経営層への報告", "総合スコア", "経営層に判断していただきたいこと", "附属書"]),
        ("en", ["report to management", "Overall score", "Decisions requested from management", "Appendix"]),
    ],
)
def test_the_board_report_is_made_in_the_background_and_reads_back(
    owner_client, personas, complete_assessment, language, expected, tmp_path, django_capture_on_commit_callbacks
):
    complete_assessment(kind="full", answer=lambda i, _: "no" if i % 3 else "yes")
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post("/o/org-a/reports/board/", {"language": language})
    with unscoped_jobs() as jobs:
        job = jobs.get()
    assert response["Location"] == f"/o/org-a/reports/board/{job.pk}/"
    assert (job.status, job.progress) == ("done", 100) and 4 <= job.pages <= 8
    status = owner_client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert "Download the PDF" in status and "every 1s" not in status  # polling stops once it is ready
    pdf = owner_client.get(f"/o/org-a/reports/board/{job.pk}/pdf/").content
    text = _pdf_text(pdf, tmp_path)
    assert "Org A" in text
    for phrase in expected:
        assert phrase in text, phrase
    fonts = _pdf_fonts(pdf, tmp_path)
    assert "ippo-ja" in fonts and all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])  # embedded
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="report.downloaded").exists()


def unscoped_jobs():
    class _Jobs:
        def __enter__(self):
            self.ctx = scopes_disabled()
            self.ctx.__enter__()
            return ReportJob.objects

        def __exit__(self, *exc):
            self.ctx.__exit__(*exc)

    return _Jobs()


def test_a_report_still_being_made_keeps_polling(owner_client, personas):
    with scope(organization=personas.org):
        job = ReportJob.objects.create(organization=personas.org, language="en", status="running", progress=50)
    status = owner_client.get(f"/o/org-a/reports/board/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in status and 'value="50"' in status
    assert owner_client.get(f"/o/org-a/reports/board/{job.pk}/pdf/").status_code == 404


@needs_poppler
def test_the_command_line_makes_the_board_report(tmp_path, capsys):
    call_command("demo")
    out = tmp_path / "board.pdf"
    call_command("report", "board", "--org", "demo", "--lang", "ja", "--out", str(out))
    assert "pages" in capsys.readouterr().out
    text = _pdf_text(out.read_bytes(), tmp_path)
    assert "株式会社いっぽ商事" in text and "総合スコア" in text


def test_the_command_line_refuses_an_unknown_organisation(tmp_path):
    with pytest.raises(SystemExit) as exc:
        call_command("report", "board", "--org", "nope", "--out", str(tmp_path / "x.pdf"))
    assert exc.value.code == 2
