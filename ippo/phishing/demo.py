"""Demo data for drills: a sending profile on loopback (never used to send), a finished drill of about 25
demo employees with realistic results (reports, opens, verified clicks, a few link-scanner clicks, two
submits), and an active recurring drill. Needs the demo employees (ippo/people/demo.py); does nothing
without them. Idempotent; no network."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from ippo.people.models import Employee
from ippo.phishing.models import Drill, DrillEvent, DrillProgramme, Recipient, SendingProfile
from ippo.phishing.schedule import JST, next_business_day

DRILL_NAME = "2026年 秋の標的型メール訓練"
TEMPLATES = ["delivery-notice", "invoice-bank-change", "password-expiry"]


def load(*, org, users) -> None:
    people = list(
        Employee.objects.filter(organization=org, is_active=True)
        .exclude(email="")
        .select_related("department")
        .order_by("pk")[:25]
    )
    if not people:
        return
    owner = users.get("owner") if isinstance(users, dict) else None
    profile, _created = SendingProfile.objects.get_or_create(
        organization=org,
        name="訓練用メールサーバー",
        defaults={
            "host": "127.0.0.1",
            "port": 2525,
            "security": SendingProfile.Security.NONE,
            "from_address": "info@drill.ippo-demo.example",
            "messages_per_minute": 20,
        },
    )
    if Drill.objects.filter(organization=org, name=DRILL_NAME).exists():
        return
    rng = random.Random(20261015)  # noqa: S311 — demo data, not security
    now = timezone.now()
    day = next_business_day((now - timedelta(days=42)).astimezone(JST).date())
    start = datetime.combine(day, time(10, 0), tzinfo=JST)
    end = start + timedelta(hours=6)
    programme, _created = DrillProgramme.objects.get_or_create(
        organization=org,
        name="四半期ごとの標的型メール訓練",
        defaults={
            "every_months": 3,
            "template_ids": [
                "delivery-notice",
                "invoice-bank-change",
                "password-expiry",
                "shared-document",
                "year-end-adjustment",
            ],
            "random_template": True,
            "profile": profile,
            "next_run_on": next_business_day((start + timedelta(days=91)).date()),
            "created_by": owner,
        },
    )
    drill = Drill.objects.create(
        organization=org,
        name=DRILL_NAME,
        status=Drill.Status.FINISHED,
        programme=programme,
        audience={"mode": "everyone", "departments": [], "employees": []},
        template_ids=TEMPLATES,
        random_template=True,
        landing=Drill.Landing.FORM,
        profile=profile,
        window_start=start,
        window_end=end,
        created_by=owner,
        started_at=start,
        finished_at=start + timedelta(days=14),
    )
    recipients, events = [], []
    step = (end - start) / max(len(people), 1)
    for i, person in enumerate(people):
        sent = start + step * i + timedelta(seconds=rng.randint(0, 50))
        r = Recipient(
            organization=org,
            drill=drill,
            employee=person,
            department_name=person.department.name if person.department else "",
            email=person.email,
            template_id=rng.choice(TEMPLATES),
            language="ja",
            send_after=sent,
            claimed_at=sent,
            sent_at=sent,
        )
        happened = [(DrillEvent.Kind.SENT, sent, False)]
        roll = rng.random()
        if rng.random() < 0.7:
            r.opened_at = sent + timedelta(minutes=rng.randint(3, 180))
            happened.append((DrillEvent.Kind.OPENED, r.opened_at, False))
        if i % 9 == 4:  # a mail gateway's link scanner, seconds after delivery, no human action
            r.clicked_at = sent + timedelta(seconds=rng.randint(2, 8))
            happened.append((DrillEvent.Kind.CLICKED, r.clicked_at, True))
        if roll < 0.45:
            r.reported_at = (r.opened_at or sent) + timedelta(minutes=rng.randint(2, 90))
            happened.append((DrillEvent.Kind.REPORTED, r.reported_at, False))
        elif roll < 0.65 and r.opened_at:
            clicked = r.opened_at + timedelta(minutes=rng.randint(1, 20))
            r.clicked_at = r.clicked_at or clicked
            r.verified_click_at = clicked + timedelta(seconds=rng.randint(3, 30))
            happened += [
                (DrillEvent.Kind.CLICKED, clicked, False),
                (DrillEvent.Kind.CLICK_CONFIRMED, r.verified_click_at, False),
            ]
            if roll < 0.52:
                r.submitted_at = r.verified_click_at + timedelta(seconds=rng.randint(20, 120))
                happened.append((DrillEvent.Kind.SUBMITTED, r.submitted_at, False))
            if rng.random() < 0.5:  # noticed afterwards and reported: still worth it
                r.reported_at = r.verified_click_at + timedelta(minutes=rng.randint(5, 60))
                happened.append((DrillEvent.Kind.REPORTED, r.reported_at, False))
        recipients.append(r)
        events.append(happened)
    Recipient.objects.bulk_create(recipients)
    DrillEvent.objects.bulk_create(
        [
            DrillEvent(organization=org, recipient=r, kind=kind, at=at, likely_scanner=scanner)
            for r, happened in zip(recipients, events, strict=True)
            for kind, at, scanner in happened
        ]
    )
    try:
        from ippo.phishing.results import drill_results_compute
    except ImportError:
        return
    drill.summary = drill_results_compute(drill, for_storage=True)
    drill.save(update_fields=["summary"])
