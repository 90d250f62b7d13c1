"""Demo employees: 26 people in five departments, a few without a mailbox, one who has left. The demo
users (owner, manager, member …) are linked to their entries by e-mail address."""

from __future__ import annotations

from datetime import date

from ippo.people.models import Department, Employee

FT, CT, PT, EX = "full_time", "contract", "part_time", "executive"

# (name, e-mail local part or "" for no mailbox, department, type, joined, manager's name)
PEOPLE = (
    ("山田 太郎", "owner", "経営", EX, date(2004, 4, 1), ""),
    ("佐藤 花子", "manager", "総務部", FT, date(2012, 4, 1), "山田 太郎"),
    ("鈴木 一郎", "member", "営業部", FT, date(2018, 4, 1), "中村 修"),
    ("高橋 美咲", "advisor", "経営", CT, date(2023, 10, 1), "山田 太郎"),
    ("田中 健", "viewer", "経理部", FT, date(2015, 4, 1), "小林 直子"),
    ("中村 修", "nakamura", "営業部", FT, date(2008, 4, 1), "山田 太郎"),
    ("小林 直子", "kobayashi", "経理部", FT, date(2010, 4, 1), "山田 太郎"),
    ("加藤 大輔", "kato", "営業部", FT, date(2019, 4, 1), "中村 修"),
    ("吉田 麻衣", "yoshida", "営業部", FT, date(2021, 4, 1), "中村 修"),
    ("山本 翔", "yamamoto", "営業部", FT, date(2024, 4, 1), "中村 修"),
    ("松本 由美", "matsumoto", "営業部", PT, date(2022, 6, 1), "中村 修"),
    ("井上 誠", "inoue", "営業部", FT, date(2016, 4, 1), "中村 修"),
    ("木村 彩", "kimura", "総務部", FT, date(2020, 4, 1), "佐藤 花子"),
    ("林 拓也", "hayashi", "総務部", CT, date(2025, 1, 6), "佐藤 花子"),
    ("清水 香織", "shimizu", "総務部", PT, date(2023, 4, 1), "佐藤 花子"),
    ("森 康介", "mori", "経理部", FT, date(2017, 4, 1), "小林 直子"),
    ("池田 恵", "ikeda", "経理部", FT, date(2022, 4, 1), "小林 直子"),
    ("橋本 亮", "hashimoto", "経理部", PT, date(2024, 10, 1), "小林 直子"),
    ("石川 浩", "ishikawa", "製造部", FT, date(2005, 4, 1), "山田 太郎"),
    ("前田 紀子", "maeda", "製造部", FT, date(2011, 4, 1), "石川 浩"),
    ("藤田 勇", "", "製造部", FT, date(2009, 4, 1), "石川 浩"),
    ("岡田 智子", "", "製造部", PT, date(2020, 9, 1), "石川 浩"),
    ("後藤 隆", "", "製造部", PT, date(2023, 2, 1), "石川 浩"),
    ("長谷川 舞", "hasegawa", "製造部", FT, date(2026, 10, 1), "石川 浩"),
    ("村上 悟", "murakami", "製造部", CT, date(2026, 11, 4), "石川 浩"),
    ("近藤 由香", "kondo", "営業部", FT, date(2014, 4, 1), "中村 修"),
)
LEFT = {"近藤 由香": date(2026, 3, 31)}


def load(*, org, users) -> None:
    if Employee.objects.filter(organization=org).exists():
        return
    by_email = {u.email: u for u in users.values()}
    departments = {}
    for name in dict.fromkeys(p[2] for p in PEOPLE):
        departments[name] = Department.objects.create(organization=org, name=name)
    created = {}
    for name, local, department, kind, joined, _manager in PEOPLE:
        email = f"{local}@example.com" if local else ""
        created[name] = Employee.objects.create(
            organization=org,
            name=name,
            email=email,
            department=departments[department],
            employment_type=kind,
            joined_on=joined,
            user=by_email.get(email),
            is_active=name not in LEFT,
            left_on=LEFT.get(name),
            employee_number=f"E{len(created) + 1:04d}",
        )
    for name, *_rest, manager in PEOPLE:
        if manager:
            employee = created[name]
            employee.manager = created[manager]
            employee.save(update_fields=["manager"])
