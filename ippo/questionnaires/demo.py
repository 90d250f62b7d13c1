"""Demo data: a buyer's security checklist (取引先向けチェックシート) in the usual Japanese layout, imported,
with most questions confirmed and three left for the visitor to check. Idempotent: loaded once."""

from __future__ import annotations

import io

from ippo.questionnaires import exchange, services
from ippo.questionnaires.models import Questionnaire

DEMO_NAME = "株式会社あおば精機 2026年度 取引先セキュリティチェック"
FILENAME = "取引先セキュリティチェックシート_あおば精機.xlsx"
WORDS = {"implemented": "○", "partial": "△", "not_implemented": "×", "unknown": "確認中"}

# (category, question, controls to confirm — None leaves the question for the visitor to check)
QUESTIONS = (
    ("組織", "情報セキュリティに関する基本方針を定め、従業員に周知していますか。", ["gv-basic-policy"]),
    ("組織", "情報セキュリティの責任者を任命していますか。", ["gv-exec-owner"]),
    ("組織", "従業員と秘密保持に関する誓約書を取り交わしていますか。", ["gv-staff-confidentiality"]),
    ("組織", "業務委託先と秘密保持契約を締結し、安全管理の状況を確認していますか。", ["gv-vendor-contracts"]),
    ("人的", "従業員に対して情報セキュリティ教育を年1回以上実施していますか。", ["pr-awareness-training"]),
    ("人的", "不審なメールを受け取ったときの報告先を従業員に周知していますか。", None),
    ("アクセス管理", "退職者や異動者のアカウントを速やかに削除・変更していますか。", ["pr-joiners-leavers"]),
    ("アクセス管理", "推測されにくいパスワードを設定し、使い回しを禁止していますか。", ["pr-passwords"]),
    ("アクセス管理", "メールやクラウドサービスに多要素認証を設定していますか。", ["pr-mfa-email"]),
    ("端末", "全てのパソコンにウイルス対策ソフトを導入し、定義ファイルを最新にしていますか。", ["pr-endpoint-protection"]),
    ("端末", "OSやソフトウェアのセキュリティパッチを速やかに適用していますか。", ["pr-os-updates", "pr-app-updates"]),
    ("端末", "ノートパソコンのディスクを暗号化していますか。", ["pr-disk-encryption"]),
    ("端末", "USBメモリ等の外部記録媒体の利用を制限していますか。", ["pr-removable-media"]),
    ("データ", "重要なデータのバックアップを定期的に取得していますか。", ["pr-backup"]),
    ("データ", "バックアップから復元できることを定期的に確認していますか。", ["pr-restore-test"]),
    ("データ", "パソコンや書類を廃棄する際、データを復元できないよう消去していますか。", ["pr-disposal"]),
    ("物理", "事務所の施錠や来訪者の管理を行っていますか。", ["pr-office-access"]),
    ("事故対応", "情報漏えい等の事故が起きたときの連絡体制と対応手順を定めていますか。", ["rs-incident-plan"]),
    ("事故対応", "個人情報の漏えい時に個人情報保護委員会へ報告する手順を把握していますか。", None),
    ("その他", "貴社の情報セキュリティ対策について、第三者認証の取得状況を記入してください。", None),
)  # fmt: skip


def build_workbook() -> bytes:
    """The buyer's workbook as a buyer would make it: a title, the supplier's details, the checklist with a
    drop-down in the answer column, and an instructions sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    guide = wb.active
    guide.title = "記入要領"
    for line in (
        "取引先様向け 情報セキュリティチェックシート 記入要領",
        "1. 「チェックシート」の各項目について、回答欄に ○・△・× のいずれかを選択してください。",
        "2. △ または × の場合は、備考欄に現在の状況や今後の予定を記入してください。",
        "3. ご記入後、担当者宛にメールでご返送ください。",
    ):
        guide.append([line])
    guide["A1"].font = Font(bold=True, size=12)
    guide.column_dimensions["A"].width = 90

    ws = wb.create_sheet("チェックシート")
    ws["A1"] = "情報セキュリティに関する確認事項（取引先様向けチェックシート）"
    ws["A1"].font = Font(bold=True, size=14)
    ws.merge_cells("A1:E1")
    ws["A2"], ws["C2"] = "貴社名：", "記入日：　　年　　月　　日"
    ws.append([])
    header = ["No.", "分類", "確認項目", "回答（○・△・×）", "備考・根拠"]
    ws.append(header)
    thin = Side(style="thin", color="999999")
    fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in ws[4]:
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for number, (category, question, _controls) in enumerate(QUESTIONS, start=1):
        ws.append([number, category, question, None, None])
        for cell in ws[ws.max_row]:
            cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    choices = DataValidation(type="list", formula1='"○,△,×"', allow_blank=True)
    ws.add_data_validation(choices)
    choices.add(f"D5:D{ws.max_row}")
    for column, width in zip("ABCDE", (6, 12, 60, 14, 40), strict=True):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = "A5"
    wb.active = 1
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def load(*, org, users) -> None:
    if Questionnaire.objects.filter(organization=org, name=DEMO_NAME).exists():
        return
    actor = users.get("manager") or next(iter(users.values()))
    data = build_workbook()
    questionnaire = services.questionnaire_upload(
        org=org, actor=actor, name=DEMO_NAME, filename=FILENAME, data=data
    )
    sheet = exchange.read_sheet(data, "チェックシート")
    guess = exchange.guess_columns(sheet)
    services.questionnaire_map(
        questionnaire=questionnaire,
        actor=actor,
        sheet=sheet,
        header_row=guess.header_row,
        question_col=guess.question_col,
        answer_col=guess.answer_col,
        remarks_col=guess.remarks_col,
        language="ja",
        answer_words=WORDS,
    )
    wanted = {question: controls for _category, question, controls in QUESTIONS if controls}
    changes = {
        item.pk: services.ItemChange(control_ids=wanted[item.question])
        for item in questionnaire.items.all()
        if item.question in wanted
    }
    services.items_save(questionnaire=questionnaire, actor=actor, changes=changes)
