"""Fail when the Japanese catalogue has untranslated or fuzzy entries.

    python -m ippo.lib.i18n_check [FILE.po ...]

Without arguments it checks every catalogue under ippo/: the main one (ippo/locale) and the per-app ones
(ippo/<app>/locale), which Django finds by itself for installed apps.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


def _joined(lines: list[str]) -> str:
    return "".join(m.group(1) for line in lines for m in [_STRING.search(line)] if m)


def problems(po_text: str) -> list[str]:
    """Return the msgids that are untranslated or marked fuzzy (the header entry excepted)."""
    found = []
    for block in re.split(r"\n\s*\n", po_text):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        if not any(line.startswith("msgid ") for line in lines):
            continue
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        sections: dict[str, list[str]] = {}
        current = None
        for line in lines:
            head = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) ", line)
            if head:
                current = head.group(1)
                sections[current] = [line]
            elif line.startswith('"') and current:
                sections[current].append(line)
        msgid = _joined(sections.get("msgid", []))
        if not msgid:
            continue  # the header
        translations = [_joined(v) for k, v in sections.items() if k.startswith("msgstr")]
        if fuzzy or not translations or not all(translations):
            found.append(msgid)
    return found


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted(Path("ippo").glob("**/locale/ja/LC_MESSAGES/django.po"))
    failed = 0
    for path in paths:
        missing = problems(path.read_text(encoding="utf-8"))
        if missing:
            print(f"{path}: {len(missing)} untranslated or fuzzy Japanese strings:", file=sys.stderr)
            for msgid in missing[:50]:
                print(f"  - {msgid}", file=sys.stderr)
            failed = 1
        else:
            print(f"{path}: every string has a Japanese translation")
    return failed


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
