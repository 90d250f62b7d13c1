from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled

from ippo.core.models import AuditEvent
from ippo.people.models import Department, Employee

pytestmark = pytest.mark.django_db

GOOD = (
    "氏名,メールアドレス,部署,雇用形態,社員番号,上司,入社日\n"
    "中村 修,nakamura@example.com,営業部,正社員,E001,,2008/4/1\n"
    "加藤 大輔,kato@example.com,営業部,正社員,E002,中村 修,2019-04-01\n"
    "藤田 勇,,製造部,パート,E003,nakamura@example.com,2020年9月1日\n"
)


def _upload(client, personas, text, name="staff.csv", encoding="utf-8"):
    url = reverse("org:employee_import", args=[personas.org.slug])
    return client.post(url, {"file": SimpleUploadedFile(name, text.encode(encoding))})


def _confirm(client, personas, response, **extra):
    key = response.context["key"]
    url = reverse("org:employee_import", args=[personas.org.slug])
    return client.post(url, {"confirm": key, **extra})


def test_a_clean_file_is_previewed_first_and_imported_only_on_confirm(owner_client, personas):
    response = _upload(owner_client, personas, GOOD)
    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview.counts == {"add": 3, "update": 0, "unchanged": 0}
    assert preview.new_departments == ["営業部", "製造部"]
    with scopes_disabled():
        assert not Employee.objects.filter(organization=personas.org).exists()
    response = _confirm(owner_client, personas, response)
    assert response.status_code == 302
    with scopes_disabled():
        people = {
            e.name: e for e in Employee.objects.filter(organization=personas.org).select_related("manager")
        }
        assert set(people) == {"中村 修", "加藤 大輔", "藤田 勇"}
        assert people["加藤 大輔"].manager.name == "中村 修"
        assert people["藤田 勇"].manager.name == "中村 修"  # named by e-mail address
        assert people["藤田 勇"].email == "" and people["藤田 勇"].employment_type == "part_time"
        assert str(people["藤田 勇"].joined_on) == "2020-09-01"
        assert Department.objects.filter(organization=personas.org).count() == 2
        assert AuditEvent.objects.filter(action="employee.imported").count() == 1


def test_reimporting_the_same_file_changes_nothing(owner_client, personas):
    _confirm(owner_client, personas, _upload(owner_client, personas, GOOD))
    response = _upload(owner_client, personas, GOOD)
    assert response.context["preview"].counts == {"add": 0, "update": 0, "unchanged": 3}


def test_changed_rows_are_shown_as_updates_with_what_changes(owner_client, personas):
    _confirm(owner_client, personas, _upload(owner_client, personas, GOOD))
    changed = GOOD.replace("加藤 大輔,kato@example.com,営業部", "加藤 大輔,kato@example.com,製造部")
    response = _upload(owner_client, personas, changed)
    rows = {r.name: r for r in response.context["preview"].rows}
    assert rows["加藤 大輔"].action == "update" and rows["加藤 大輔"].changes == ["department"]
    _confirm(owner_client, personas, response)
    with scopes_disabled():
        assert Employee.objects.get(organization=personas.org, name="加藤 大輔").department.name == "製造部"


def test_every_bad_row_is_named_and_nothing_is_written(owner_client, personas):
    bad = (
        "氏名,メールアドレス,雇用形態,入社日,上司\n"
        ",nobody@example.com,正社員,,\n"
        "田中,not-an-address,正社員,,\n"
        "鈴木,suzuki@example.com,社長見習い,,\n"
        "佐藤,sato@example.com,正社員,来年,\n"
        "高橋,SUZUKI@example.com,正社員,,\n"
        "山田,yamada@example.com,正社員,,誰か知らない人\n"
    )
    response = _upload(owner_client, personas, bad)
    problems = response.context["problems"]
    text = "\n".join(problems)
    for row in ("Row 2", "Row 3", "Row 4", "Row 5", "Row 6", "Row 7"):
        assert row in text, row
    with scopes_disabled():
        assert not Employee.objects.filter(organization=personas.org).exists()


def test_shift_jis_csv_from_japanese_excel_is_read(owner_client, personas):
    response = _upload(owner_client, personas, GOOD, encoding="cp932")
    assert response.context["preview"].counts["add"] == 3


def test_xlsx_is_read(owner_client, personas):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for line in GOOD.strip().splitlines():
        ws.append(line.split(","))
    data = io.BytesIO()
    wb.save(data)
    url = reverse("org:employee_import", args=[personas.org.slug])
    response = owner_client.post(url, {"file": SimpleUploadedFile("staff.xlsx", data.getvalue())})
    assert response.context["preview"].counts["add"] == 3


def test_people_missing_from_the_file_leave_only_when_asked(owner_client, personas):
    _confirm(owner_client, personas, _upload(owner_client, personas, GOOD))
    shorter = "\n".join(GOOD.splitlines()[:3]) + "\n"
    response = _upload(owner_client, personas, shorter)
    assert [name for _pk, name in response.context["preview"].missing] == ["藤田 勇"]
    _confirm(owner_client, personas, response)
    with scopes_disabled():
        assert Employee.objects.get(name="藤田 勇").is_active
    response = _upload(owner_client, personas, shorter)
    _confirm(owner_client, personas, response, mark_missing_left="1")
    with scopes_disabled():
        gone = Employee.objects.get(name="藤田 勇")
        assert not gone.is_active and gone.left_on is not None


def test_a_stale_or_foreign_preview_key_imports_nothing(owner_client, personas):
    _upload(owner_client, personas, GOOD)
    url = reverse("org:employee_import", args=[personas.org.slug])
    response = owner_client.post(url, {"confirm": "not-the-key"}, follow=True)
    assert "That preview has expired" in response.content.decode()
    with scopes_disabled():
        assert not Employee.objects.filter(organization=personas.org).exists()


def test_wrong_file_types_get_a_clear_message(owner_client, personas):
    url = reverse("org:employee_import", args=[personas.org.slug])
    response = owner_client.post(url, {"file": SimpleUploadedFile("staff.xls", b"\xd0\xcf\x11\xe0")})
    assert "old Excel format" in response.content.decode()
    response = _upload(owner_client, personas, "名前だけ\n")
    assert "Missing" in "\n".join(response.context["problems"])
