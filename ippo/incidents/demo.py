"""Demo data for incidents: an incident in progress (a password typed into a fake sign-in page) with its playbook
checklist partly done, a timeline and running PPC deadlines; a closed near miss (a fake bank-details change
caught by a phone call) whose review became an action item; and the contacts directory. Idempotent: nothing is
added while the organisation has incidents."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from ippo.incidents import services
from ippo.incidents.models import EntryKind, ExternalContact, Incident, Status


def _contacts(org, users) -> None:
    services.contacts_seed(org=org, actor=users["manager"])
    it = ExternalContact.objects.filter(organization=org, seed_key="it_vendor", name="").first()
    if it:
        services.contact_update(
            contact=it,
            actor=users["manager"],
            name="株式会社みどりITサポート",
            person="木村 誠",
            email="support@midori-it.example.jp",
            phone="03-0000-1234",
            notes="平日 9〜18 時。夜間・休日は保守契約の緊急窓口（090-0000-0000）へ。",
        )
    insurer = ExternalContact.objects.filter(organization=org, seed_key="insurer", name="").first()
    if insurer:
        services.contact_update(
            contact=insurer,
            actor=users["manager"],
            name="さくら損害保険（サイバー保険）",
            phone="0120-000-000",
            notes="証券番号 CY-0000-1234。事故を知ったら 48 時間以内に連絡すること（約款より）。",
        )


def _near_miss(org, users, now) -> None:
    aware = now - timedelta(days=40)
    incident = services.incident_create(
        org=org,
        actor=users["manager"],
        title="取引先を名乗る「振込先変更」メール（送金前に電話で確認して発覚）",
        kind="invoice-fraud",
        severity=5,
        near_miss=True,
        owner=users["owner"],
        aware_at=aware,
        occurred_at=aware - timedelta(hours=3),
        description="仕入先の担当者名で、来月から振込先口座が変わるというメールと新しい請求書が届いた。"
        "経理担当が登録済みの電話番号で仕入先に確認したところ、変更の事実はなかった。送金はしていない。",
        apply_playbook=False,
    )
    services.entry_add(
        incident=incident,
        actor=users["manager"],
        kind=EntryKind.OBSERVATION,
        at=aware,
        text="経理担当から「振込先変更のメールが来たが不自然」と報告あり。",
    )
    services.entry_add(
        incident=incident,
        actor=users["manager"],
        kind=EntryKind.COMMUNICATION,
        at=aware + timedelta(minutes=20),
        text="仕入先に登録済みの番号で電話。先方は変更を依頼していないとのこと。先方にもメールの乗っ取りを確認してもらう。",
    )
    services.entry_add(
        incident=incident,
        actor=users["owner"],
        kind=EntryKind.DECISION,
        at=aware + timedelta(hours=1),
        text="送金は保留のまま。偽メールは削除せず保存し、全社に注意喚起する。",
    )
    services.incident_status_change(
        incident=incident, actor=users["manager"], status=Status.TRIAGE, now=aware + timedelta(minutes=10)
    )
    services.incident_status_change(
        incident=incident, actor=users["manager"], status=Status.REVIEW, now=aware + timedelta(days=1)
    )
    services.incident_review_save(
        incident=incident,
        actor=users["owner"],
        what_happened="仕入先を名乗る偽の振込先変更メールが届いたが、経理担当が電話で確認したため送金前に気づけた。",
        went_well="経理担当が「急ぎ」と書かれていても確認の手順を省かなかった。すぐに報告してくれた。",
        to_improve="電話で確認するルールが明文化されておらず、担当者の経験に頼っていた。",
        lessons=["振込先の変更は登録済みの電話番号で必ず確認することを経理の規程に追加する"],
        owner=users["owner"],
        due_date=timezone.localdate() + timedelta(days=30),
    )
    services.incident_status_change(
        incident=incident, actor=users["owner"], status=Status.CLOSED, now=aware + timedelta(days=3)
    )


def _in_progress(org, users, now) -> None:
    from ippo.registers.models import Asset

    aware = now - timedelta(days=2, hours=3)
    assets = list(Asset.objects.filter(organization=org, asset_type="cloud", personal_data=True)[:1])
    incident = services.incident_create(
        org=org,
        actor=users["manager"],
        title="営業担当が偽のログイン画面に Microsoft 365 のパスワードを入力",
        kind="phishing-click",
        severity=2,
        owner=users["manager"],
        aware_at=aware,
        occurred_at=aware - timedelta(minutes=40),
        assets=assets,
        description="「共有ファイルのお知らせ」というメールのリンクを開き、表示されたログイン画面にパスワードを入力した。"
        "その後、海外からのサインインが 2 回記録されていた。メールボックスには顧客とのやり取りが保存されている。",
    )
    services.incident_status_change(
        incident=incident, actor=users["manager"], status=Status.TRIAGE, now=aware + timedelta(minutes=25)
    )
    services.incident_status_change(
        incident=incident, actor=users["manager"], status=Status.CONTAINMENT, now=aware + timedelta(hours=1)
    )
    tasks = list(incident.tasks.order_by("position"))
    for n, task in enumerate(tasks[:4]):
        services.task_update(
            task=task, actor=users["manager"], done=True, now=aware + timedelta(minutes=30 + 15 * n)
        )
    for task in tasks[4:6]:
        services.task_update(task=task, actor=users["manager"], assignee=users["advisor"])
    for minutes, kind, who, text in (
        (
            5,
            EntryKind.OBSERVATION,
            "manager",
            "本人から「パスワードを入れてしまった」と電話で報告。報告してくれたことにお礼を伝えた。",
        ),
        (
            35,
            EntryKind.ACTION,
            "manager",
            "パスワードを変更し、全セッションからサインアウト。二段階認証を有効化。",
        ),
        (
            50,
            EntryKind.OBSERVATION,
            "advisor",
            "サインイン履歴に海外からのサインインが 2 回。受信ルールに外部への自動転送が追加されていた。",
        ),
        (
            55,
            EntryKind.EVIDENCE,
            "advisor",
            "サインイン履歴と転送ルールの画面を保存（共有フォルダー「インシデント2」）。",
        ),
        (
            70,
            EntryKind.DECISION,
            "owner",
            "顧客の個人データが見られた可能性があるため、個人情報保護委員会への報告が必要と判断。",
        ),
        (90, EntryKind.COMMUNICATION, "manager", "保険会社に事故の第一報を電話で連絡。"),
    ):
        services.entry_add(
            incident=incident, actor=users[who], kind=kind, text=text, at=aware + timedelta(minutes=minutes)
        )
    services.incident_personal_data_save(
        incident=incident,
        actor=users["manager"],
        personal_data=True,
        appi_malicious=True,
        people_affected=320,
        data_kinds="顧客担当者の氏名、会社名、メールアドレス、電話番号（メール本文と署名）",
        cause="フィッシングメールにより認証情報が盗まれ、第三者が不正にサインインした。",
        secondary_harm="現時点で確認されていない。なりすましメールの送信に注意。",
        measures="パスワード変更、全セッションの無効化、二段階認証の有効化、自動転送ルールの削除。",
    )
    clock = services.clock_add(
        incident=incident, actor=users["manager"], kind="insurer", label="さくら損害保険", hours=48
    )
    services.clock_done(clock=clock, actor=users["manager"], when=aware + timedelta(minutes=90))


def load(*, org, users) -> None:
    settings = services.incident_settings_get(org)
    if settings.pk is None:
        services.incident_settings_save(
            org=org, actor=users["owner"], appi_preliminary_days=3, insurer_hours=48
        )
    _contacts(org, users)
    if Incident.objects.filter(organization=org).exists():
        return
    now = timezone.now()
    _near_miss(org, users, now)
    _in_progress(org, users, now)
