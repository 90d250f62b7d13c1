"""Demo data for the reporting channel: escalation rules, designated handlers, and named and anonymous reports
(one anonymous report with a conversation, one nobody has acknowledged yet). Idempotent: filled only while
the organisation has no report. Rows are written directly so that loading the demo sends no notification."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from ippo.reporting import receipts, services
from ippo.reporting.models import (
    Acknowledgement,
    DesignatedHandler,
    EscalationContact,
    EscalationNotice,
    EscalationRule,
    ReceiptCode,
    Report,
    ReportMessage,
)


def _hour(moment):
    return moment.replace(minute=0, second=0, microsecond=0)


def load(*, org, users) -> None:
    if Report.objects.filter(organization=org).exists():
        return
    now = timezone.now()
    owner, manager, member, advisor = users["owner"], users["manager"], users["member"], users["advisor"]
    settings_row = services.reportsettings_get(org=org)

    serious = EscalationRule.objects.create(
        organization=org,
        name="重大なおそれがあるもの（ランサムウェア・不正ログイン・パスワード入力）",
        position=1,
        kinds=["ransom", "strange_signin", "clicked", "virus"],
        min_severity=0,
        reescalate_minutes=15,
        notify_chat=True,
    )
    everyday = EscalationRule.objects.create(
        organization=org, name="その他の報告", position=10, kinds=[], min_severity=0, reescalate_minutes=60
    )
    contacts = [
        (serious, 1, "day", manager),
        (serious, 1, "night", manager),
        (serious, 1, "night", advisor),
        (serious, 2, "day", owner),
        (serious, 2, "night", owner),
        (everyday, 1, "day", manager),
        (everyday, 1, "night", advisor),
        (everyday, 2, "day", owner),
    ]
    EscalationContact.objects.bulk_create(
        [EscalationContact(organization=org, rule=r, step=s, shift=sh, user=u) for r, s, sh, u in contacts]
    )
    for person in (owner, advisor):
        DesignatedHandler.objects.get_or_create(
            organization=org, user=person, defaults={"designated_by": owner}
        )

    def report(**fields):
        created = fields.pop("created_at")
        row = Report.objects.create(organization=org, created_at=created, **fields)
        ack = fields.get("status", "new") != "new"
        EscalationNotice.objects.create(
            organization=org,
            report=row,
            step=1,
            shift="day",
            recipient_ids=[manager.pk],
            chat=row.kind != "misconduct",
            created_at=created,
        )
        if ack:
            at = created + timedelta(minutes=12)
            Report.objects.filter(pk=row.pk).update(acknowledged_at=at, escalation_step=1)
            Acknowledgement.objects.create(organization=org, report=row, user=manager, created_at=at)
        else:
            Report.objects.filter(pk=row.pk).update(
                escalation_step=1, next_escalation_at=now + timedelta(minutes=45)
            )
        return row

    def receipt(row):
        code = receipts.code_new()  # never shown: the demo reporter "kept" it
        ReceiptCode.objects.create(
            organization=org,
            report=row,
            code_hash=receipts.code_hash(salt=settings_row.receipt_salt, code=code),
            confirmed=True,
        )

    named = report(
        kind="suspicious_mail",
        happened="today",
        description="宅配業者を名乗るメールで「不在のため再配達の手続きを」とリンクが付いていました。リンクは開いていません。",
        identity="named",
        reporter=member,
        severity_guess=1,
        severity=1,
        status="closed",
        channel="signed_in",
        escalation_rule=everyday,
        created_at=now - timedelta(days=9, hours=3),
    )
    ReportMessage.objects.create(
        organization=org,
        report=named,
        author_kind="handler",
        author=manager,
        body="報告ありがとうございます。同じメールが他の人にも届いていたので、全員に注意を呼びかけました。開かずに報告してくれたおかげで早く対応できました。",
        created_at=named.created_at + timedelta(minutes=40),
    )

    clicked = report(
        kind="clicked",
        happened="yesterday",
        description="取引先からの請求書だと思って添付のリンクを開き、Microsoft のサインイン画面にパスワードを入力してしまいました。",
        identity="anonymous",
        severity_guess=3,
        severity=3,
        status="in_progress",
        channel="link",
        escalation_rule=serious,
        created_at=_hour(now - timedelta(days=2)),
    )
    receipt(clicked)
    for offset, kind, body in (
        (
            1,
            "handler",
            "正直に報告してくれてありがとうございます。責めることはありません。念のため確認させてください。入力したのは会社のメールアドレスのパスワードですか？",
        ),
        (3, "reporter", "はい、会社のメールのパスワードです。そのあと画面が真っ白になりました。"),
        (
            4,
            "handler",
            "ありがとうございます。該当しそうなアカウントのパスワードを変更し、不審なサインインがないことを確認しました。早く知らせてくれたおかげで被害を防げました。",
        ),
    ):
        ReportMessage.objects.create(
            organization=org,
            report=clicked,
            author_kind=kind,
            author=manager if kind == "handler" else None,
            body=body,
            created_at=clicked.created_at + timedelta(hours=offset),
        )

    waiting = report(
        kind="wrong_recipient",
        happened="just_now",
        description="見積書を送る相手を間違えて、別のお客様に送ってしまいました。",
        identity="anonymous",
        severity_guess=2,
        severity=2,
        status="new",
        channel="link",
        escalation_rule=everyday,
        created_at=_hour(now - timedelta(minutes=30)),
    )
    receipt(waiting)

    concern = report(
        kind="misconduct",
        happened="this_week",
        description="経費精算で、実際にはなかった出張の領収書が使われているように見えます。",
        identity="anonymous",
        severity_guess=2,
        severity=2,
        status="acknowledged",
        channel="link",
        created_at=_hour(now - timedelta(days=4)),
    )
    receipt(concern)

    report(
        kind="suspicious_mail",
        happened="today",
        description="不審なメールが報告されました。件名:「【重要】アカウントの確認が必要です」",
        identity="named",
        reporter=owner,
        severity_guess=0,
        severity=0,
        status="acknowledged",
        channel="mail",
        escalation_rule=everyday,
        created_at=now - timedelta(days=1, hours=5),
    )
