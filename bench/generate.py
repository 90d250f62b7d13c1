"""Realistic data for benchmarks: N organisations the size of a real SME, with a year of activity.

Each organisation gets a company profile, three completed full assessments a few months apart (results
computed by the real scoring code from random but plausible answers), control status for every control,
an action plan of ~35 items (some overdue, some done), ~20 information assets, ~8 risks and an employee
directory of 50–300 people in five departments; modules added later contribute their own rows through
`EXTRA` (training records, drills with recipients and events, incidents).

One advisor (`advisor@bench.example`) belongs to every organisation, for the console; organisation 1
(`bench-0001`) also has an owner (`owner@bench.example`), whose pages are measured.
Everything is written with bulk_create in batches: 1,000 organisations take well under a minute on SQLite.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

BATCH = 2000
DEPARTMENTS = ("営業部", "総務部", "経理部", "製造部", "開発部")
INDUSTRIES = ("manufacturing", "construction", "wholesale_retail", "services", "it", "logistics")
HEADCOUNT_BANDS = ((50, "21-50"), (100, "51-100"), (300, "101-300"))
FAMILY = "佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本 井上 木村 林 清水 山崎".split()
GIVEN = "太郎 花子 一郎 美咲 健 直子 大輔 麻衣 翔 由美 誠 彩 拓也 香織 康介 恵 亮 浩 紀子 勇".split()

def _training(orgs, rng) -> None:
    """This year's lessons for everyone: most done, some open, some overdue."""
    from ippo.people.models import Employee
    from ippo.training.models import Assignment

    now = timezone.now()
    today = timezone.localdate()
    rows = []
    for employee in Employee.objects.filter(organization__in=orgs).only("pk", "organization_id"):
        for module in ("passwords-mfa", "phishing-bec"):
            done = rng.random() < 0.7
            rows.append(
                Assignment(
                    organization_id=employee.organization_id,
                    employee_id=employee.pk,
                    module_id=module,
                    reason="yearly",
                    rule_key=f"bench:{module}:{employee.pk}",
                    due_on=today + timedelta(days=rng.randint(-30, 60)),
                    assigned_at=now - timedelta(days=90),
                    completed_at=now - timedelta(days=rng.randint(1, 80)) if done else None,
                    completed_via="quiz" if done else "",
                    score=rng.choice([80, 100]) if done else None,
                    attempts=1 if done else 0,
                )
            )
    Assignment.objects.bulk_create(rows, batch_size=BATCH)


def _drills(orgs, rng) -> None:
    """Two finished drills a year per organisation, each to everyone with an address, with its events."""
    from ippo.people.models import Employee
    from ippo.phishing.models import Drill, DrillEvent, Recipient

    now = timezone.now()
    drills = []
    for org in orgs:
        for n, months in enumerate((8, 2)):
            start = now - timedelta(days=30 * months)
            drills.append(
                Drill(
                    organization=org,
                    name=f"訓練 {n + 1}",
                    status="finished",
                    template_ids=["delivery-notice"],
                    started_at=start,
                    finished_at=start + timedelta(days=14),
                )
            )
    Drill.objects.bulk_create(drills, batch_size=BATCH)
    people: dict[int, list] = {}
    for e in Employee.objects.filter(organization__in=orgs).exclude(email="").select_related("department"):
        people.setdefault(e.organization_id, []).append(e)
    recipients = []
    for drill in Drill.objects.filter(organization__in=orgs):
        for e in people.get(drill.organization_id, []):
            sent = drill.started_at + timedelta(minutes=rng.randint(0, 600))
            roll = rng.random()
            recipients.append(
                Recipient(
                    organization_id=drill.organization_id,
                    drill=drill,
                    employee=e,
                    department_name=e.department.name if e.department else "",
                    email=e.email,
                    template_id="delivery-notice",
                    sent_at=sent,
                    opened_at=sent + timedelta(minutes=30) if roll < 0.6 else None,
                    clicked_at=sent + timedelta(minutes=40) if roll < 0.15 else None,
                    verified_click_at=sent + timedelta(minutes=41) if roll < 0.1 else None,
                    reported_at=sent + timedelta(minutes=rng.randint(5, 300)) if roll > 0.55 else None,
                )
            )
    Recipient.objects.bulk_create(recipients, batch_size=BATCH)
    events = []
    for r in Recipient.objects.filter(organization__in=orgs).only(
        "pk", "organization_id", "sent_at", "opened_at", "clicked_at", "reported_at"
    ):
        for kind, at in (("sent", r.sent_at), ("opened", r.opened_at), ("clicked", r.clicked_at), ("reported", r.reported_at)):
            if at:
                events.append(DrillEvent(organization_id=r.organization_id, recipient_id=r.pk, kind=kind, at=at))
    DrillEvent.objects.bulk_create(events, batch_size=BATCH)


def _incidents(orgs, rng) -> None:
    """A year of incidents: a dozen per organisation, mostly closed near misses, a few open."""
    from ippo.incidents.models import Incident

    now = timezone.now()
    kinds = ["phishing-click", "invoice-fraud", "lost-device", "misdirected-email", "ransomware"]
    rows = []
    for org in orgs:
        for n in range(12):
            open_ = n < 2
            rows.append(
                Incident(
                    organization=org,
                    number=n + 1,
                    title=f"インシデント {n + 1}",
                    kind=rng.choice(kinds),
                    severity=rng.randint(2, 5),
                    status=rng.choice(["triage", "containment"]) if open_ else "closed",
                    near_miss=not open_ and rng.random() < 0.6,
                    aware_at=now - timedelta(days=rng.randint(1, 360)),
                )
            )
    Incident.objects.bulk_create(rows, batch_size=BATCH)


# Extra generators from other modules: callables (orgs, rng) -> None.
EXTRA: list = [_training, _drills, _incidents]


def _results(rng: random.Random, count: int = 6) -> list[dict]:
    """A few real assessment results, from random answers, to give organisations varied scores."""
    from ippo.assessments.results import applicable_controls, result_compute
    from ippo.catalog.loader import catalog_get

    catalog = catalog_get()
    out = []
    for i in range(count):
        p_yes = 0.25 + 0.1 * i
        answers = {}
        for control in applicable_controls(catalog, ["m365", "website"]):
            roll = rng.random()
            answers[control.id] = "yes" if roll < p_yes else "partial" if roll < p_yes + 0.2 else "no"
        out.append(result_compute(catalog=catalog, kind="full", answers=answers, it_uses=["m365", "website"]))
    return sorted(out, key=lambda r: r["overall"] or 0)


def _user(email: str, name: str):
    from allauth.account.models import EmailAddress
    from allauth.mfa.totp.internal.auth import TOTP

    from ippo.accounts.models import User

    user, created = User.objects.get_or_create(email=email, defaults={"name": name, "language": "ja"})
    if created:
        user.set_password("bench-Password-2026")
        user.save()
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    return user


@transaction.atomic
def generate(n_orgs: int, *, seed: int = 2026, employees: tuple[int, int] = (50, 300), measured_employees: int = 150):
    """Create `n_orgs` organisations (slugs bench-0001 …); returns (orgs, advisor, owner)."""
    from ippo.assessments.models import Assessment, CompanyProfile
    from ippo.catalog.loader import catalog_get
    from ippo.core.models import Membership, Organization
    from ippo.people.models import Department, Employee
    from ippo.program.models import ActionItem, ControlStatus
    from ippo.registers.models import Asset, Risk

    rng = random.Random(seed)
    catalog = catalog_get()
    controls = [c.id for c in catalog.controls]
    results = _results(rng)
    now = timezone.now()
    today = timezone.localdate()
    with scopes_disabled():
        advisor = _user("advisor@bench.example", "ベンチ 支援者")
        owner = _user("owner@bench.example", "ベンチ 経営者")
        orgs = Organization.objects.bulk_create(
            Organization(name=f"ベンチ株式会社 {i:04d}", slug=f"bench-{i:04d}") for i in range(1, n_orgs + 1)
        )
        orgs = list(Organization.objects.filter(slug__startswith="bench-").order_by("slug"))
        Membership.objects.bulk_create(Membership(organization=o, user=advisor, role="advisor") for o in orgs)
        Membership.objects.create(organization=orgs[0], user=owner, role="owner")
        profiles, assessments, statuses, items, assets, risks, departments = [], [], [], [], [], [], []
        for org in orgs:
            band = rng.choice(HEADCOUNT_BANDS)[1]
            profiles.append(
                CompanyProfile(
                    organization=org, industry=rng.choice(INDUSTRIES), headcount=band, it_uses=["m365", "website"], completed_at=now
                )
            )
            history = sorted(rng.sample(range(len(results)), 3))
            for step, index in enumerate(history):
                result = results[index]
                assessments.append(
                    Assessment(
                        organization=org,
                        kind="full",
                        status="completed",
                        catalog_version=catalog.version,
                        it_uses=["m365", "website"],
                        completed_at=now - timedelta(days=300 - step * 140),
                        result=result,
                    )
                )
            latest = results[history[-1]]["control_answers"]
            status_for = {"yes": "implemented", "partial": "partial", "no": "not_implemented"}
            for control_id in controls:
                statuses.append(
                    ControlStatus(
                        organization=org,
                        control_id=control_id,
                        status=status_for.get(latest.get(control_id, ""), "unknown"),
                        source="assessment",
                        updated_at=now,
                    )
                )
            for n in range(35):
                done = n < 12
                items.append(
                    ActionItem(
                        organization=org,
                        title=f"対策 {n + 1}: {rng.choice(['パスワードの見直し', 'バックアップの復元テスト', 'OS の更新確認', '退職者アカウントの削除'])}",
                        source="manual",
                        priority=rng.random() * 10,
                        status="done" if done else rng.choice(["todo", "todo", "in_progress"]),
                        due_date=today + timedelta(days=rng.randint(-40, 120)),
                        completed_at=now - timedelta(days=rng.randint(1, 300)) if done else None,
                    )
                )
            for n in range(20):
                assets.append(
                    Asset(
                        organization=org,
                        name=f"資産 {n + 1}",
                        asset_type=rng.choice(["pc", "server", "cloud", "data", "nas"]),
                        personal_data=rng.random() < 0.3,
                        confidentiality=rng.randint(1, 3),
                        integrity=rng.randint(1, 3),
                        availability=rng.randint(1, 3),
                    )
                )
            for n in range(8):
                risks.append(
                    Risk(
                        organization=org,
                        title=f"リスク {n + 1}",
                        likelihood=rng.randint(1, 5),
                        days_down=rng.randint(0, 10),
                        records=rng.randint(0, 5000),
                        control_ids=rng.sample(controls, 3),
                    )
                )
            departments.extend(Department(organization=org, name=name) for name in DEPARTMENTS)
        for model, rows in (
            (CompanyProfile, profiles),
            (Assessment, assessments),
            (ControlStatus, statuses),
            (ActionItem, items),
            (Asset, assets),
            (Risk, risks),
            (Department, departments),
        ):
            model.objects.bulk_create(rows, batch_size=BATCH)
        by_org: dict[int, list] = {}
        for department in Department.objects.filter(organization__in=orgs):
            by_org.setdefault(department.organization_id, []).append(department)
        people = []
        for index, org in enumerate(orgs):
            count = measured_employees if index == 0 else rng.randint(*employees)
            for n in range(count):
                people.append(
                    Employee(
                        organization=org,
                        name=f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}",
                        email=f"e{n:04d}@{org.slug}.example" if rng.random() > 0.05 else "",
                        department=rng.choice(by_org[org.pk]),
                        joined_on=today - timedelta(days=rng.randint(10, 8000)),
                    )
                )
        Employee.objects.bulk_create(people, batch_size=BATCH)
        for extra in EXTRA:
            extra(orgs, rng)
    return orgs, advisor, owner
