"""Demo data for tabletop exercises: a ransomware exercise held three weeks ago (notes for every inject, a hot
wash and two actions already in the action plan), and an invoice-fraud exercise planned for next month.
Idempotent: nothing is added once the demo company has an exercise."""

from __future__ import annotations

from datetime import time, timedelta

from django.utils import timezone, translation

from ippo.tabletop import services
from ippo.tabletop.models import Exercise
from ippo.tabletop.services import PlayerSpec

VENDOR_CONTACT = "木村 誠（株式会社みどりITサポート）"

NOTES = {
    "briefing": "参加者6名。冒頭で「点数はつけない、わからないことが見つかれば成功」と確認した。",
    "first-signs": (
        "鈴木さんの立場では、まず隣の席の人に話し、その後に総務へ電話するという意見。"
        "IT 担当への直通の連絡先を知らない人が多かった。\n"
        "「電源を切る」か「LAN ケーブルを抜く」かで意見が分かれた。IT 業者からは、調査のために電源は入れたまま"
        "ネットワークから外してほしいとの説明があった。"
    ),
    "ransom-note": (
        "身代金は払わない方針で全員一致。ただし、社長が不在のときに誰が判断するかが決まっていなかった。\n"
        "警察とサイバー保険の連絡先は、総務のファイルに紙で1枚あるだけで、最新かどうか不明。"
    ),
    "backups": (
        "実際にも NAS のバックアップは USB ディスクにつなぎっぱなしで、クラウドへのバックアップの失敗通知は"
        "IT 業者にしか届いていないことがわかった。最後に復元を試した記録はない。\n"
        "再開の優先順位は、受注と出荷、次に給与という意見でまとまった。"
    ),
    "customers-ask": (
        "取引先への説明は社長が行い、事実だけを伝えるという方針を確認。お知らせ文のひな形はない。\n"
        "個人情報保護委員会への報告の期限が、気づいた時点から始まることを知っていた人はいなかった。"
    ),
    "recovery": (
        "VPN 装置の更新は「IT 業者がやってくれていると思っていた」と「契約に入っていない」で食い違いがあった。"
        "役割分担の表を作ることになった。"
    ),
}

WENT_WELL = (
    "異常に気づいたらすぐ報告する、という意識は全員にあった。\n"
    "身代金は払わない方針で経営者と社員の考えがそろっていた。\n"
    "IT 業者が参加してくれたことで、初動の技術的な説明が具体的になった。"
)
TO_IMPROVE = (
    "IT 担当・IT 業者への緊急連絡先が全員に伝わっていない。\n"
    "バックアップが切り離されておらず、復元テストもしていない。\n"
    "社長不在時の判断者と、個人情報の漏えい時の報告の流れが決まっていない。\n"
    "VPN 装置など機器の更新の責任分担があいまい。"
)


def load(*, org, users) -> None:
    if Exercise.objects.filter(organization=org).exists():
        return
    owner, manager, member = users["owner"], users["manager"], users["member"]
    advisor, viewer = users["advisor"], users["viewer"]
    today = timezone.localdate()
    with translation.override("ja"):
        done = services.exercise_plan(
            org=org,
            actor=manager,
            scenario_id="ransomware-file-server",
            scheduled_on=today - timedelta(days=21),
            start_time=time(14, 0),
            duration_minutes=90,
            location="本社 2階 会議室",
            facilitator=advisor,
            notify=False,
            players=[
                PlayerSpec("owner", user=owner),
                PlayerSpec("it", user=manager),
                PlayerSpec("general_affairs", user=viewer),
                PlayerSpec("staff", user=member),
                PlayerSpec("staff", name="伊藤 さくら（営業部）"),
                PlayerSpec("vendor", name=VENDOR_CONTACT),
            ],
        )
        started = timezone.make_aware(
            timezone.datetime.combine(done.scheduled_on, time(14, 2)), timezone.get_current_timezone()
        )
        services.exercise_start(exercise=done, actor=advisor, now=started)
        for inject_id, text in NOTES.items():
            services.inject_note_save(exercise=done, actor=advisor, inject_id=inject_id, text=text)
        services.exercise_finish(exercise=done, actor=advisor, now=started + timedelta(minutes=88))
        services.exercise_hotwash_save(
            exercise=done, actor=advisor, went_well=WENT_WELL, to_improve=TO_IMPROVE
        )
        services.exercise_action_add(
            exercise=done,
            actor=advisor,
            title="NAS のバックアップを切り離して保管し、3か月ごとに復元テストをする",
            owner=manager,
            due_date=today + timedelta(days=30),
            control_id="pr-restore-test",
        )
        services.exercise_action_add(
            exercise=done,
            actor=advisor,
            title="緊急連絡先一覧（IT 業者・警察・保険会社・IPA）と社長不在時の判断者を決めて全員に配る",
            owner=owner,
            due_date=today + timedelta(days=14),
            control_id="rs-incident-plan",
        )
        services.exercise_actions_to_plan(exercise=done, actor=manager)
        services.exercise_action_add(
            exercise=done,
            actor=advisor,
            title="IT 業者との契約に、VPN 装置などの更新の担当を書き加える",
            owner=owner,
            due_date=today + timedelta(days=60),
            control_id="gv-vendor-contracts",
        )
        services.exercise_plan(
            org=org,
            actor=manager,
            scenario_id="invoice-fraud",
            scheduled_on=today + timedelta(days=24),
            start_time=time(15, 0),
            duration_minutes=90,
            location="本社 2階 会議室",
            facilitator=manager,
            notify=False,
            players=[
                PlayerSpec("owner", user=owner),
                PlayerSpec("it", user=advisor),
                PlayerSpec("general_affairs", user=viewer),
                PlayerSpec("staff", user=member),
                PlayerSpec("staff", name="経理 中村 由美"),
                PlayerSpec("vendor", name=VENDOR_CONTACT),
            ],
        )
