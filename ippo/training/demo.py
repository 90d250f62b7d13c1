"""Demo training: this year's lessons for everyone (some done, some in progress, a few overdue), new-staff
lessons, a finished group session for the factory floor, one own lesson and the rules behind it all.
Idempotent: nothing is added once the demo company has any assignment. Needs the demo employees
(ippo/people/demo.py); does nothing without them."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from ippo.people.models import Employee
from ippo.training import lessons, services
from ippo.training.content import quiz_grade
from ippo.training.models import Assignment, AssignmentRule, CustomModule, QuizAttempt, Reason

YEARLY = ("phishing-bec", "passwords-mfa")

OWN_LESSON_BODY = """## 当社の情報セキュリティのきまり（要点）

入社したときと毎年一回、次の点を確認してください。

- パソコンから離れるときは、必ず画面をロックします（Windows キー + L）。
- 会社のデータを、個人のメールや個人のクラウドに送りません。
- 不審なメールや、うっかりミスに気づいたら、**すぐに総務部の佐藤さん（内線 201）に相談**します。
  叱られることはありません。早く知らせてくれることが一番の助けになります。

## 図面と顧客情報の持ち出し

図面や顧客名簿を社外に持ち出すときは、事前に上長の許可を取り、暗号化した USB メモリーを使います。
私物の USB メモリーは使いません。

## 相談先

| 内容 | 相談先 |
|---|---|
| 不審なメール・ウイルス | 総務部 佐藤（内線 201） |
| パソコンの故障 | みどりITサポート（03-0000-1234） |
"""

OWN_LESSON_QUIZ = """? 席を離れるとき、パソコンはどうしますか。
- そのままにする
* 画面をロックする
- 電源を切る
> 短い時間でも画面をロックします。Windows キー + L が簡単です。

? 不審なメールを開いてしまいました。最初にすることは何ですか。
- 誰にも言わずに削除する
- 自分でウイルス対策ソフトを入れ直す
* すぐに総務部の佐藤さんに相談する
> 早く知らせることで被害を小さくできます。叱られることはありません。

? 顧客名簿を社外に持ち出すときに使うものはどれですか。
- 私物の USB メモリー
* 会社の暗号化した USB メモリー
- 個人のクラウドストレージ
> 会社の暗号化した USB メモリーを、上長の許可を取ってから使います。"""


def _answers(module_id: str, *, wrong: int, offset: int) -> dict[str, str]:
    """A plausible answer sheet with `wrong` wrong answers, most often on the second question (the one
    people find hard)."""
    module = lessons.builtin_modules()[module_id]
    answers = {q.id: q.answer for q in module.questions}
    picks = [1] if offset % 3 or wrong > 1 else []
    picks.append(offset % (len(module.questions) - 2) + 2)
    for q in [module.questions[i] for i in picks[:wrong]]:
        answers[q.id] = next(c.id for c in q.choices if c.id != q.answer)
    return answers


def _at(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def load(*, org, users) -> None:
    employees = list(Employee.objects.filter(organization=org, is_active=True).select_related("department"))
    if not employees or Assignment.objects.filter(organization=org).exists():
        return
    today = timezone.localdate()
    manager = users.get("manager")
    start = today - timedelta(days=40)

    custom = CustomModule.objects.create(
        organization=org,
        title="当社の情報セキュリティのきまり",
        summary="入社時と毎年一回確認する、当社独自のルールと相談先です。",
        body=OWN_LESSON_BODY,
        quiz=OWN_LESSON_QUIZ,
        minutes=5,
        pass_mark=100,
        created_by=manager,
    )
    AssignmentRule.objects.bulk_create(
        [
            AssignmentRule(organization=org, kind=AssignmentRule.Kind.YEARLY, module_id=m, month=start.month, days=60)
            for m in YEARLY
        ]
        + [
            AssignmentRule(organization=org, kind=AssignmentRule.Kind.NEW_HIRE, module_id=custom.module_id, days=30),
            AssignmentRule(organization=org, kind=AssignmentRule.Kind.DRILL, module_id="phishing-bec", days=14),
        ]
    )

    with_mail = [e for e in employees if e.email]
    rows = []
    for n, module_id in enumerate(YEARLY):
        for i, e in enumerate(with_mail):
            # About two thirds done; a few started and failed once; the rest not started.
            done = (i + n) % 3 != 2
            tried = not done and i % 2 == 0
            completed = _at(start + timedelta(days=3 + (i * 5) % 30)) if done else None
            rows.append(
                Assignment(
                    organization=org,
                    employee=e,
                    module_id=module_id,
                    reason=Reason.YEARLY,
                    rule_key=f"yearly:{start.year}:{module_id}",
                    due_on=start + timedelta(days=30 if module_id == "phishing-bec" else 60),
                    assigned_at=_at(start, 9),
                    announced_at=_at(start, 9),
                    assigned_by=manager,
                    completed_at=completed,
                    completed_via=Assignment.Via.QUIZ if done else "",
                    score=None,  # set from the answer sheet below
                    attempts=(1 + i % 2) if done else (1 if tried else 0),
                    certificate_code=services.certificate_code_new() if done else "",
                )
            )
    recent = [e for e in employees if e.joined_on and e.joined_on >= today - timedelta(days=60) and e.email]
    for e in recent:
        rows.append(
            Assignment(
                organization=org,
                employee=e,
                module_id=custom.module_id,
                custom_module=custom,
                reason=Reason.NEW_HIRE,
                rule_key=f"new_hire:{custom.module_id}",
                due_on=e.joined_on + timedelta(days=30),
                assigned_at=_at(e.joined_on, 9),
                announced_at=_at(e.joined_on, 9),
            )
        )
    created = Assignment.objects.bulk_create(rows)
    attempts = []
    for a in created:
        if not a.attempts or a.custom_module_id:
            continue
        sheet = _answers(a.module_id, wrong=1 if a.completed_at else 2, offset=a.employee_id)
        score, passed, _per = quiz_grade(lessons.builtin_modules()[a.module_id], sheet)
        a.score = score
        attempts.append(
            QuizAttempt(
                organization=org,
                assignment=a,
                submitted_at=a.completed_at or _at(start + timedelta(days=10)),
                score=score,
                passed=passed,
                answers=sheet,
            )
        )
    QuizAttempt.objects.bulk_create(attempts)
    Assignment.objects.bulk_update([q.assignment for q in attempts], ["score"])

    # The factory floor has no mailboxes: a group session in the canteen covered them.
    floor = [e for e in employees if not e.email]
    if floor:
        services.groupsession_save(
            org=org,
            actor=manager,
            held_on=today - timedelta(days=14),
            module_id="ransomware-backup",
            facilitator="石川 浩",
            notes="朝礼後に食堂で 20 分。資料を読み上げ、小テストは口頭で確認しました。",
            attendees=floor + [e for e in employees if e.department and e.department.name == "製造部" and e.email][:2],
        )
