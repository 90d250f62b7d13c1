from __future__ import annotations

import io

import pytest

from tests.helpers import _english, owner_client  # noqa: F401 — shared fixtures


@pytest.fixture
def in_org(personas):
    """Run a block inside organisation A's scope: `with in_org(): ...`."""
    from django_scopes import scope

    return lambda: scope(organization=personas.org)


def workbook(rows, *, title: str = "Sheet1", extra_sheets: dict | None = None) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = title
    for row in rows:
        wb.active.append(row)
    for name, sheet_rows in (extra_sheets or {}).items():
        ws = wb.create_sheet(name)
        for row in sheet_rows:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


CHECKLIST = [
    ["No.", "確認項目", "回答", "備考"],
    [1, "パスワードは定期的に変更していますか", None, None],
    [2, "ウイルス対策ソフトを導入していますか", None, None],
    [3, "バックアップを取得していますか", None, None],
    [4, "退職者のアカウントを削除していますか", None, None],
]
