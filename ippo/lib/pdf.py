"""HTML → PDF with WeasyPrint: A4, ippo's print stylesheet, and no network access.

`render_pdf(html)` applies `ippo/static/ippo/css/print.css` (page size, margins, page numbers, fonts). The
HTML is rendered by our own templates, but it carries text people typed, so the renderer may read only
`data:` URLs and files inside ippo's static folder: nothing on the network and nothing else on the disk.

Japanese fonts: the bundled IPAexGothic in `ippo/lib/fonts/` (IPA Font License, see its README) is
embedded (subset) under the family name "ippo-ja", which print.css lists first, so PDFs need no system font.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from django.conf import settings

STATIC_DIR = Path(settings.BASE_DIR) / "static" / "ippo"
PRINT_CSS = STATIC_DIR / "css" / "print.css"
FONT_DIR = Path(__file__).resolve().parent / "fonts"  # IPAexGothic, see fonts/README.md
FONT_FAMILY = "ippo-ja"
FONT_SUFFIXES = (".ttf", ".otf")


def bundled_fonts() -> list[Path]:
    """Font files shipped with ippo for PDFs, if any (regular first: the shortest name)."""
    if not FONT_DIR.is_dir():
        return []
    return sorted(
        (p for p in FONT_DIR.iterdir() if p.suffix.lower() in FONT_SUFFIXES), key=lambda p: len(p.name)
    )


def japanese_font_available() -> bool:
    """True when PDFs can show Japanese: a bundled font, or a Japanese font fontconfig knows about."""
    if bundled_fonts():
        return True
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return False
    found = subprocess.run([fc_list, ":lang=ja", "family"], capture_output=True, text=True, check=False)  # noqa: S603
    return bool(found.stdout.strip())


def _font_face_css(fonts: list[Path]) -> str:
    rules = []
    for font in fonts:
        weight = "bold" if "bold" in font.stem.lower() else "normal"
        rules.append(
            f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{font.as_uri()}"); font-weight: {weight}; }}'
        )
    return "\n".join(rules)


def _fetcher():
    """A URL fetcher that reads data: URLs and files under ippo's static folder, and refuses the rest."""
    from weasyprint.urls import URLFetcher

    allowed_roots = (STATIC_DIR.resolve(), FONT_DIR.resolve())

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith("file:"):
                from urllib.request import url2pathname

                path = Path(url2pathname(url.split("?")[0].removeprefix("file:"))).resolve()
                if any(path.is_relative_to(root) for root in allowed_roots):
                    return super().fetch(url, headers)
            raise ValueError(f"ippo PDFs do not load {url!r}")

    return StaticOnlyFetcher(allowed_protocols={"data", "file"}, allow_redirects=False)


def render_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """Render a complete HTML document to PDF bytes (A4, print.css, embedded fonts)."""
    return render_pdf_pages(html, base_url=base_url)[0]


def render_pdf_pages(html: str, *, base_url: str | None = None) -> tuple[bytes, int]:
    """Like render_pdf, and also return the number of pages."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fetcher = _fetcher()
    font_config = FontConfiguration()
    stylesheets = []
    fonts = bundled_fonts()
    if fonts:
        stylesheets.append(CSS(string=_font_face_css(fonts), font_config=font_config, url_fetcher=fetcher))
    stylesheets.append(CSS(filename=str(PRINT_CSS), font_config=font_config, url_fetcher=fetcher))
    document = HTML(string=html, base_url=base_url or STATIC_DIR.as_uri() + "/", url_fetcher=fetcher).render(
        stylesheets=stylesheets, font_config=font_config
    )
    return document.write_pdf(), len(document.pages)
