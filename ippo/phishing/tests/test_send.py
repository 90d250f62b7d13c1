"""Real drill mail through a real SMTP server on loopback: headers, Japanese encoding, per-recipient links,
the report link and the open image, events, throttling, and never sending anyone twice."""

from __future__ import annotations

import hashlib
import re
import threading
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from ippo.phishing import sending, services
from ippo.phishing.models import Drill, DrillEvent, Recipient
from ippo.phishing.tests.send_fixtures import make_employees

pytestmark = pytest.mark.django_db

URL = re.compile(r"https?://[^\s\"<>]+")


def _scheduled_drill(
    org, actor, profile, *, templates=("delivery-notice",), now=None, minutes=60, name="冬の訓練"
):
    """A drill for everyone, scheduled over `minutes` from `now`, outside business hours allowed."""
    now = now or timezone.now()
    with scope(organization=org):
        drill = services.drill_draft_create(org=org, actor=actor, name=name)
        services.drill_audience_save(
            drill=drill, actor=actor, name=name, mode="everyone", departments=[], employees=[]
        )
        services.drill_templates_save(
            drill=drill, actor=actor, template_ids=list(templates), random_template=len(templates) > 1
        )
        services.drill_window_save(
            drill=drill,
            actor=actor,
            profile=profile,
            window_start=now,
            window_end=now + timedelta(minutes=minutes),
            business_hours_only=False,
            now=now,
        )
        services.drill_schedule(drill=drill, actor=actor, now=now)
    return drill


def _send_all(org, *, at, **kwargs):
    with scope(organization=org):
        return sending.send_due(org=org, clock=lambda: at, sleep=lambda s: None, **kwargs)


def test_each_person_gets_one_well_formed_japanese_mail(
    personas, employees, profile, smtp_sink, public_urls, settings
):
    settings.BASE_URL = "https://ippo.example.jp"
    now = timezone.now()
    drill = _scheduled_drill(personas.org, personas.owner, profile, now=now)
    result = _send_all(personas.org, at=now + timedelta(hours=2))
    assert result["sent"] == len(employees) and result["failed"] == 0

    received = smtp_sink.wait_for(len(employees))
    assert sorted(r.rcpt_tos[0] for r in received) == sorted(e.email for e in employees)
    assert all(r.mail_from == "info@drill-mail.example" for r in received)

    clicks = set()
    for r in received:
        raw = r.data.decode("ascii")  # every header and body line is 7-bit: RFC 2047 words and base64
        headers = re.sub(r"\r\n[ \t]+", " ", raw.split("\r\n\r\n", 1)[0])  # unfolded
        assert re.search(r"^Subject: =\?utf-8\?[bq]\?", headers, re.M | re.I), headers
        assert re.search(
            r"^From: =\?utf-8\?[bq]\?.*<delivery-info@drill-mail\.example>", headers, re.M | re.I
        )
        assert re.search(r"^To: =\?utf-8\?[bq]\?", headers, re.M | re.I)
        assert re.search(r"^Message-ID: <[^>]+@drill-mail\.example>\r?$", headers, re.M)
        assert not re.search(r"^X-", headers, re.M | re.I), "no header may give the drill away"
        assert "ippo" not in headers.lower()

        msg = r.message
        assert msg["Subject"] == "【さくら便】お荷物をお届けにあがりましたが、ご不在のため持ち帰りました"
        assert msg["From"].addresses[0].display_name == "さくら便 配送センター"
        employee = next(e for e in employees if e.email == r.rcpt_tos[0])
        assert msg["To"].addresses[0].display_name == employee.name
        assert msg.get_content_type() == "multipart/alternative"
        text = msg.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
        page = msg.get_body(preferencelist=("html",)).get_content()
        assert f"{employee.name.split()[0]} 様" in text

        text_urls = URL.findall(text)
        click, report = text_urls
        assert click.startswith("https://ippo.example.jp/drill/") and report.startswith(
            "https://ippo.example.jp/drill/"
        )
        # the click link sits exactly where the template's {link} is: between these two lines of the template
        assert re.search(r"お願いいたします。\n\n" + re.escape(click) + r"\n\n※本メール", text)
        assert f'href="{click}"' in page and f'href="{report}"' in page
        img = re.search(r'<img src="([^"]+)" width="1" height="1" alt="">', page)
        assert img and img.group(1).startswith("https://ippo.example.jp/drill/")
        token = click.rstrip("/").split("/")[-1]
        assert len(token) >= 22 and token in report and token in img.group(1)
        with scopes_disabled():
            assert Recipient.objects.filter(
                token_hash=hashlib.sha256(token.encode()).hexdigest(), email=employee.email
            ).exists()
        clicks.add(click)
    assert len(clicks) == len(employees), "every person has their own link"

    with scopes_disabled():
        drill.refresh_from_db()
        assert drill.status == Drill.Status.RUNNING and drill.started_at is not None
        assert Recipient.objects.filter(drill=drill, sent_at__isnull=True).count() == 0
        assert DrillEvent.objects.filter(recipient__drill=drill, kind="sent").count() == len(employees)
        assert set(DrillEvent.objects.filter(recipient__drill=drill).values_list("kind", flat=True)) == {
            "sent"
        }


def test_english_mail_uses_the_english_template(personas, employees, profile, smtp_sink, public_urls):
    now = timezone.now()
    drill = _scheduled_drill(personas.org, personas.owner, profile, now=now)
    with scopes_disabled():
        Recipient.objects.filter(drill=drill).update(language="en")
    _send_all(personas.org, at=now + timedelta(hours=2))
    msg = smtp_sink.wait_for(len(employees))[0].message
    assert msg["Subject"] == "[Sakura Express] We missed you: your parcel has been taken back"
    assert "report it here" in msg.get_body(preferencelist=("plain",)).get_content()


def test_nothing_is_sent_before_its_time(personas, employees, profile, smtp_sink, public_urls):
    now = timezone.now()
    _scheduled_drill(personas.org, personas.owner, profile, now=now, minutes=60)
    result = _send_all(personas.org, at=now + timedelta(seconds=1))
    assert (
        result["sent"] == 1
    )  # the first send time is the window's start; the others are spread over the hour
    assert len(smtp_sink.wait_for(1)) == 1


def test_a_refused_recipient_is_recorded_and_the_batch_goes_on(
    personas, employees, profile, smtp_sink, public_urls
):
    smtp_sink.refuse.add(employees[0].email)
    now = timezone.now()
    drill = _scheduled_drill(personas.org, personas.owner, profile, now=now)
    result = _send_all(personas.org, at=now + timedelta(hours=2))
    assert result == {"sent": len(employees) - 1, "failed": 1}
    with scopes_disabled():
        failed = Recipient.objects.get(drill=drill, email=employees[0].email)
        assert failed.sent_at is None and failed.claimed_at is not None and "550" in failed.send_error
        assert not DrillEvent.objects.filter(recipient=failed).exists()
    # and it is not retried: sending again sends nothing
    assert _send_all(personas.org, at=now + timedelta(hours=3)) == {"sent": 0, "failed": 0}
    assert len(smtp_sink.messages) == len(employees) - 1


def test_an_unreachable_server_sends_nothing_and_keeps_the_mail_for_later(
    personas, employees, profile, public_urls
):
    with scopes_disabled():
        profile.port = 1  # nothing listens on loopback port 1
        profile.save()
    now = timezone.now()
    drill = _scheduled_drill(personas.org, personas.owner, profile, now=now)
    result = _send_all(personas.org, at=now + timedelta(hours=2))
    assert result["sent"] == 0 and result.get("unavailable") == 1
    with scopes_disabled():
        assert Recipient.objects.filter(drill=drill, claimed_at__isnull=True).count() == len(employees)
        assert Recipient.objects.filter(drill=drill).exclude(send_error="").count() == len(employees)


def test_throttle_holds_across_claims(personas, employees, profile, public_urls):
    with scopes_disabled():
        profile.messages_per_minute = 2
        profile.save()
    now = timezone.now()
    _scheduled_drill(personas.org, personas.owner, profile, now=now, minutes=600)
    later = now + timedelta(hours=11)  # everything is due
    with scope(organization=personas.org):
        first = sending.recipients_claim(profile_id=profile.pk, now=later)
        second = sending.recipients_claim(profile_id=profile.pk, now=later + timedelta(seconds=30))
        third = sending.recipients_claim(profile_id=profile.pk, now=later + timedelta(seconds=61))
    assert len(first) == 2 and second == [] and len(third) == 2
    assert not set(first) & set(third)


def test_sending_paces_messages_per_minute(personas, employees, profile, smtp_sink, public_urls):
    with scopes_disabled():
        profile.messages_per_minute = 2
        profile.save()
    start = timezone.now()
    drill = _scheduled_drill(personas.org, personas.owner, profile, now=start, minutes=600)
    clock = {"now": start + timedelta(hours=11)}

    def sleep(seconds):
        clock["now"] += timedelta(seconds=seconds)

    with scope(organization=personas.org):
        result = sending.send_due(org=personas.org, clock=lambda: clock["now"], sleep=sleep, max_seconds=60)
    assert result["sent"] == len(employees)
    assert len(smtp_sink.wait_for(len(employees))) == len(employees)
    with scopes_disabled():
        times = sorted(Recipient.objects.filter(drill=drill).values_list("sent_at", flat=True))
    for i, t in enumerate(times):
        in_minute = [u for u in times[i:] if u - t < timedelta(seconds=60)]
        assert len(in_minute) <= 2, "never more than messages-per-minute in any 60 seconds"
    assert times[-1] - times[0] >= timedelta(seconds=120)


def test_a_claim_lost_to_another_worker_is_skipped(
    personas, employees, profile, smtp_sink, public_urls, monkeypatch
):
    """Worker B read the due list before worker A claimed it (a stale read): B's conditional UPDATE claims
    nothing, so B sends nothing, and A sends everyone exactly once."""
    now = timezone.now()
    _scheduled_drill(personas.org, personas.owner, profile, now=now)
    at = now + timedelta(hours=2)
    with scope(organization=personas.org):
        a = sending.recipients_claim(profile_id=profile.pk, now=at)
        stale = Recipient.objects.filter(drill__profile=profile)  # what B saw before A's claim
        with monkeypatch.context() as m:
            m.setattr(sending, "due_recipients", lambda now: stale)
            b = sending.recipients_claim(profile_id=profile.pk, now=at)
        assert len(a) == len(employees) and b == []
        result = sending.send_due(org=personas.org, clock=lambda: at, sleep=lambda s: None)
    assert result == {"sent": 0, "failed": 0}  # everything is claimed by A, which has not sent yet
    with scope(organization=personas.org):
        conn = sending.smtp_connect(profile)
        try:
            for r in Recipient.objects.filter(pk__in=a).select_related("employee", "organization"):
                assert sending._send_one(conn, r, profile=profile, now=at) == ""
        finally:
            conn.quit()
    received = smtp_sink.wait_for(len(employees))
    assert sorted(r.rcpt_tos[0] for r in received) == sorted(e.email for e in employees)


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="in-memory SQLite test databases fail concurrent writers instead of queueing",
)
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_never_send_anyone_twice(personas, profile, smtp_sink, public_urls):
    people = make_employees(personas.org, {"営業部": 20, "総務部": 10})
    now = timezone.now()
    _scheduled_drill(personas.org, personas.owner, profile, now=now)
    at = now + timedelta(hours=2)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            with scope(organization=personas.org):
                results.append(sending.send_due(org=personas.org, clock=lambda: at, sleep=lambda s: None))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    assert sum(r["sent"] for r in results) == len(people)
    received = smtp_sink.wait_for(len(people))
    recipients = [r.rcpt_tos[0] for r in received]
    assert len(recipients) == len(set(recipients)) == len(people)
    with scopes_disabled():
        assert DrillEvent.objects.filter(kind="sent").count() == len(people)


def test_a_cancelled_drill_sends_no_more(personas, employees, profile, smtp_sink, public_urls):
    now = timezone.now()
    drill = _scheduled_drill(personas.org, personas.owner, profile, now=now)
    with scope(organization=personas.org):
        services.drill_cancel(drill=drill, actor=personas.owner)
    assert _send_all(personas.org, at=now + timedelta(hours=2)) == {"sent": 0, "failed": 0}
    assert smtp_sink.messages == []


def test_random_templates_per_person(personas, profile, public_urls):
    make_employees(personas.org, {"営業部": 30})
    drill = _scheduled_drill(
        personas.org,
        personas.owner,
        profile,
        templates=("delivery-notice", "password-expiry", "shared-document"),
    )
    with scopes_disabled():
        used = set(Recipient.objects.filter(drill=drill).values_list("template_id", flat=True))
    assert used <= {"delivery-notice", "password-expiry", "shared-document"} and len(used) >= 2


def test_a_sample_goes_to_the_person_preparing_the_drill_and_records_nothing(
    client, personas, employees, profile, smtp_sink, public_urls
):
    from ippo.core.models import AuditEvent

    now = timezone.now()
    with scope(organization=personas.org):
        drill = services.drill_draft_create(org=personas.org, actor=personas.manager, name="見本")
        services.drill_audience_save(
            drill=drill, actor=personas.manager, name="見本", mode="everyone", departments=[], employees=[]
        )
        services.drill_templates_save(
            drill=drill,
            actor=personas.manager,
            template_ids=["delivery-notice", "password-expiry"],
            random_template=True,
        )
        services.drill_window_save(
            drill=drill,
            actor=personas.manager,
            profile=profile,
            window_start=now,
            window_end=now + timedelta(hours=1),
            business_hours_only=False,
            now=now,
        )
    client.force_login(personas.manager)
    assert client.get(f"/o/org-a/drills/{drill.pk}/sample/").status_code == 405
    response = client.post(f"/o/org-a/drills/{drill.pk}/sample/", follow=True)
    assert "A sample of the drill mail was sent to manager@a.example" in response.content.decode()
    received = smtp_sink.wait_for(2)
    assert [r.rcpt_tos for r in received] == [["manager@a.example"], ["manager@a.example"]]
    assert len({r.message["Subject"] for r in received}) == 2  # one of each chosen template
    with scopes_disabled():
        assert not Recipient.objects.filter(drill=drill).exists()
        assert not DrillEvent.objects.exists()
        assert AuditEvent.objects.get(action="sendingprofile.tested").data["sample_of"] == [
            "delivery-notice",
            "password-expiry",
        ]
        drill.refresh_from_db()
        assert drill.status == "draft"
