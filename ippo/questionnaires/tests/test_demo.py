"""The demo company has a buyer's checklist, mostly answered, with three questions left to check."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django_scopes import scope, scopes_disabled
from openpyxl import load_workbook

from ippo.questionnaires import demo, exchange, services
from ippo.questionnaires.models import QuestionMatch, Questionnaire, QuestionnaireItem

pytestmark = pytest.mark.django_db


def test_the_demo_questionnaire_is_loaded_once_with_three_questions_to_check():
    call_command("demo")
    call_command("demo")  # idempotent
    with scopes_disabled():
        questionnaire = Questionnaire.objects.get(organization__slug="demo")
        items = list(QuestionnaireItem.objects.filter(questionnaire=questionnaire))
        assert QuestionMatch.objects.filter(organization__slug="demo").count() == 17
    assert questionnaire.status == "review" and questionnaire.sheet == "チェックシート"
    assert (questionnaire.header_row, questionnaire.question_col, questionnaire.answer_col) == (4, 3, 4)
    assert questionnaire.remarks_col == 5 and questionnaire.words()["implemented"] == "○"
    assert len(items) == 20
    assert sum(1 for i in items if not i.control_ids and not i.no_match) == 3


def test_the_demo_workbook_exports_with_the_buyers_symbols():
    call_command("demo")
    with scopes_disabled():
        questionnaire = Questionnaire.objects.get(organization__slug="demo")
    with scope(organization=questionnaire.organization):
        export = services.questionnaire_export(questionnaire=questionnaire, actor=None)
    ws = load_workbook(io.BytesIO(export.data))["チェックシート"]
    answers = {ws.cell(row=r, column=4).value for r in range(5, 25)}
    assert answers <= {"○", "△", "×", "確認中", None}
    assert ws["A1"].value == "情報セキュリティに関する確認事項（取引先様向けチェックシート）"


def test_the_demo_workbook_is_guessed_right():
    data = demo.build_workbook()
    sheet, guess = exchange.first_guess(data, exchange.check_upload("x.xlsx", data))
    assert sheet.name == "チェックシート"
    assert (guess.header_row, guess.question_col, guess.answer_col, guess.remarks_col) == (4, 3, 4, 5)
    assert guess.language == "ja"
