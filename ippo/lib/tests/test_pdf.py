"""render_pdf: A4 PDFs with page numbers, read back with poppler; nothing is fetched from outside."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from ippo.lib import pdf

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")

HTML = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>T</title></head><body>
<p class="doc-company">Example Trading Co.</p><h1>Information security policy</h1>
{body}</body></html>"""


def _poppler(tool: str, data: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    args = [tool, str(path), "-"] if tool == "pdftotext" else [tool, str(path)]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def test_it_renders_an_a4_pdf_with_the_text(tmp_path):
    data = pdf.render_pdf(HTML.format(body="<h2>Purpose</h2><p>We protect information.</p>"))
    assert data.startswith(b"%PDF")
    text = _poppler("pdftotext", data, tmp_path)
    assert "Example Trading Co." in text and "Purpose" in text and "We protect information." in text
    assert "A4" in _poppler("pdfinfo", data, tmp_path)


def test_pages_are_numbered_in_the_footer(tmp_path):
    body = "".join(f"<h2>Section {i}</h2><p>{'Long text. ' * 80}</p>" for i in range(12))
    data = pdf.render_pdf(HTML.format(body=body))
    info = _poppler("pdfinfo", data, tmp_path)
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages >= 2
    text = _poppler("pdftotext", data, tmp_path)
    assert re.search(rf"\b1\s*/\s*{pages}\b", text) and re.search(rf"\b{pages}\s*/\s*{pages}\b", text)


@pytest.mark.skipif(
    not pdf.japanese_font_available(),
    reason="no Japanese font: the glyphs render as boxes and text extraction loses characters",
)
def test_japanese_text_is_rendered_with_a_japanese_font(tmp_path):
    data = pdf.render_pdf(
        HTML.format(body="<h2>目的</h2><p>変わったときに見直します。当社は情報資産を守ります。</p>")
    )
    text = _poppler("pdftotext", data, tmp_path)
    assert "目的" in text and "変わったときに見直します。当社は情報資産を守ります。" in text
    assert "Type 3" not in _poppler("pdffonts", data, tmp_path)


def test_the_renderer_reads_nothing_outside_ippos_static_files():
    fetcher = pdf._fetcher()
    for url in ("http://127.0.0.1:9/x.png", "https://example.com/a.css", "file:///etc/passwd", "ftp://x/y"):
        with pytest.raises(ValueError, match="do not load|disallowed"):
            fetcher.fetch(url)
    css = fetcher.fetch(pdf.PRINT_CSS.as_uri())
    assert b"@page" in css.read()
    css.close()


def test_a_remote_image_is_skipped_not_fetched(tmp_path):
    data = pdf.render_pdf(HTML.format(body='<img src="http://127.0.0.1:9/tracker.png" alt="x"><p>Body</p>'))
    assert data.startswith(b"%PDF") and "Body" in _poppler("pdftotext", data, tmp_path)


def test_a_bundled_font_is_embedded_under_ippos_family_name(tmp_path, monkeypatch):
    assert pdf.bundled_fonts() == [] or all(p.suffix in pdf.FONT_SUFFIXES for p in pdf.bundled_fonts())
    monkeypatch.setattr(pdf, "FONT_DIR", tmp_path)
    (tmp_path / "NotoSansJP-Regular.ttf").write_bytes(b"")
    (tmp_path / "NotoSansJP-Bold.ttf").write_bytes(b"")
    (tmp_path / "README.txt").write_text("licence")
    fonts = pdf.bundled_fonts()
    assert [f.name for f in fonts] == ["NotoSansJP-Bold.ttf", "NotoSansJP-Regular.ttf"]
    css = pdf._font_face_css(fonts)
    assert css.count('font-family: "ippo-ja"') == 2 and "font-weight: bold" in css
    assert '"ippo-ja"' in pdf.PRINT_CSS.read_text()
