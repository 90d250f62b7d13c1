"""Partner questionnaire pages: list, upload, choose the columns, check the matches, export, delete."""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePath
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from ippo.catalog.loader import catalog_get
from ippo.core.roles import role_has_permission
from ippo.core.tenancy import org_view
from ippo.lib.text import join_list, quote
from ippo.questionnaires import exchange, selectors, services
from ippo.questionnaires.forms import MappingForm, UploadForm
from ippo.questionnaires.models import Questionnaire, QuestionnaireItem


def _can_change(request) -> bool:
    return role_has_permission(request.role, "program.change")


def _get(request, pk: int, *, with_file: bool = False) -> Questionnaire:
    qs = Questionnaire.objects.filter(organization=request.org)
    if not with_file:
        qs = qs.defer("file_data")
    return get_object_or_404(qs, pk=pk)


# --- List and upload ---------------------------------------------------------------------------------------


@require_safe
@org_view("program.view")
def questionnaire_list(request):
    context = {
        "questionnaires": list(selectors.questionnaires_for_list(request.org)),
        "can_change": _can_change(request),
    }
    return render(request, "questionnaires/questionnaire_list.html", context)


@org_view("program.change")
def questionnaire_upload(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            questionnaire = services.questionnaire_upload(
                org=request.org,
                actor=request.user,
                name=form.cleaned_data["name"],
                filename=PurePath(upload.name or "").name,
                data=upload.read(),
            )
        except exchange.FileProblems as exc:
            problems = exc.problems
        else:
            messages.success(
                request, _("The workbook was uploaded. Now tell ippo where the questions and answers go.")
            )
            return redirect("org:questionnaire_mapping", request.org.slug, questionnaire.pk)
    return render(request, "questionnaires/questionnaire_upload.html", {"form": form, "problems": problems})


# --- Columns -----------------------------------------------------------------------------------------------


def _int(value, default: int) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return default


@org_view("program.change")
def questionnaire_mapping(request, pk: int):
    questionnaire = _get(request, pk, with_file=True)
    data = bytes(questionnaire.file_data)
    try:
        sheets = exchange.sheet_names(data)
    except exchange.FileProblems as exc:
        for problem in exc.problems:
            messages.error(request, problem)
        return redirect("org:questionnaire_list", request.org.slug)
    # "Show this sheet" posts the form without saving it (no JavaScript needed to switch sheets).
    bound = request.method == "POST" and "preview" not in request.POST
    params = request.POST if request.method == "POST" else request.GET
    sheet_name = params.get("sheet") or questionnaire.sheet
    if sheet_name not in sheets:
        sheet_name = questionnaire.sheet if questionnaire.sheet in sheets else sheets[0]
    sheet = exchange.read_sheet(data, sheet_name)
    if sheet_name == questionnaire.sheet:
        initial = {
            "header_row": questionnaire.header_row,
            "question_col": questionnaire.question_col,
            "answer_col": questionnaire.answer_col,
            "remarks_col": questionnaire.remarks_col,
            "language": questionnaire.language,
        }
    else:  # another sheet: start from a fresh guess
        guess = exchange.guess_columns(sheet)
        initial = {
            "header_row": guess.header_row,
            "question_col": guess.question_col,
            "answer_col": guess.answer_col,
            "remarks_col": guess.remarks_col,
            "language": guess.language,
        }
    initial["sheet"] = sheet_name
    if not bound and "header_row" in params:
        initial["header_row"] = _int(params["header_row"], initial["header_row"])
    initial.update({f"word_{k}": v for k, v in questionnaire.words().items()})
    header_row = _int(params.get("header_row"), initial["header_row"])
    form = MappingForm(
        request.POST if bound else None,
        initial=initial,
        sheets=sheets,
        sheet=sheet,
        header_row=header_row,
    )
    if bound and form.is_valid():
        try:
            count = services.questionnaire_map(
                questionnaire=questionnaire,
                actor=request.user,
                sheet=sheet,
                header_row=form.cleaned_data["header_row"],
                question_col=form.cleaned_data["question_col"],
                answer_col=form.cleaned_data["answer_col"],
                remarks_col=form.cleaned_data["remarks_col"],
                language=form.cleaned_data["language"],
                answer_words=form.answer_words(),
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                form.add_error(None, exc)
            else:
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)s question was found. Check the suggested controls.",
                    "%(count)s questions were found. Check the suggested controls.",
                    count,
                )
                % {"count": count},
            )
            return redirect("org:questionnaire_review", request.org.slug, questionnaire.pk)
    chosen = {
        "header_row": header_row,
        "question_col": _int(form["question_col"].value(), 0),
        "answer_col": _int(form["answer_col"].value(), 0),
        "remarks_col": _int(form["remarks_col"].value(), 0) if form["remarks_col"].value() else 0,
    }
    context = {
        "questionnaire": questionnaire,
        "form": form,
        "sheet": sheet,
        "letters": [exchange.column_letter(c) for c in range(1, sheet.max_col + 1)],
        "preview": _preview(sheet, chosen),
        "preview_rows": exchange.PREVIEW_ROWS,
        "chosen": chosen,
        "has_items": questionnaire.status == Questionnaire.Status.REVIEW,
    }
    template = (
        "questionnaires/_mapping_form.html" if request.htmx else "questionnaires/questionnaire_mapping.html"
    )
    return render(request, template, context)


def _preview(sheet: exchange.Sheet, chosen: dict) -> list[dict]:
    """The first rows, each cell with the role it plays in the current choice (for highlighting)."""
    roles = {chosen["question_col"]: "question", chosen["answer_col"]: "answer"}
    if chosen["remarks_col"]:
        roles.setdefault(chosen["remarks_col"], "remarks")
    rows = []
    for number, cells in sheet.preview():
        rows.append(
            {
                "number": number,
                "is_header": number == chosen["header_row"],
                "cells": [
                    {"text": text[:80] + ("…" if len(text) > 80 else ""), "role": roles.get(col, "")}
                    for col, text in enumerate(cells, start=1)
                ],
            }
        )
    return rows


# --- Review ------------------------------------------------------------------------------------------------


# Questions per page. A page is one form; with about eight fields a question, 50 stay well below Django's
# DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000).
PAGE_SIZE = 50


def _review_context(request, questionnaire: Questionnaire, show: str) -> dict:
    rows = selectors.questionnaire_rows(questionnaire)
    shown = [r for r in rows if r.state == "todo"] if show == "todo" else rows
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "questionnaire": questionnaire,
        "rows": page.object_list,
        "page": page,
        "summary": selectors.summary(questionnaire, rows),
        "show": show,
        "can_change": _can_change(request),
        "controls": catalog_get().controls,
        "words": list(questionnaire.words().values()),
        "answer_column": exchange.column_letter(questionnaire.answer_col),
        "remarks_column": exchange.column_letter(questionnaire.remarks_col)
        if questionnaire.remarks_col
        else "",
    }


@require_safe
@org_view("program.view")
def questionnaire_review(request, pk: int):
    questionnaire = _get(request, pk)
    if questionnaire.status == Questionnaire.Status.MAPPING and _can_change(request):
        return redirect("org:questionnaire_mapping", request.org.slug, questionnaire.pk)
    show = "todo" if request.GET.get("show") == "todo" else "all"
    return render(
        request, "questionnaires/questionnaire_review.html", _review_context(request, questionnaire, show)
    )


def _control_id(text: str, controls) -> str | None:
    """A control typed into "another control": its id, or its title in Japanese or English."""

    def norm(value: str) -> str:
        return unicodedata.normalize("NFKC", value or "").strip().casefold()

    text = norm(text)
    if not text:
        return None
    for control in controls:
        if text in (control.id, norm(control.title.ja), norm(control.title.en)):
            return control.id
    first = text.split()[0]
    return first if any(c.id == first for c in controls) else None


def _changes(request, pks) -> tuple[dict[int, services.ItemChange], list[str]]:
    """The posted choices for each question (field names carry the item's id)."""
    controls = catalog_get().controls
    changes, unknown = {}, []
    for pk in pks:
        chosen = request.POST.getlist(f"controls-{pk}")
        added = request.POST.get(f"add-{pk}", "").strip()
        if added:
            control_id = _control_id(added, controls)
            if control_id:
                chosen.append(control_id)
            else:
                unknown.append(added[:60])
        changes[pk] = services.ItemChange(
            control_ids=chosen,
            no_match=bool(request.POST.get(f"none-{pk}")),
            override_answer=request.POST.get(f"answer-{pk}", ""),
            override_remark=request.POST.get(f"remark-{pk}", ""),
        )
    return changes, unknown


def _unknown_message(request, unknown: list[str]) -> None:
    if unknown:
        messages.warning(
            request,
            _("Not found in the control catalog: %(names)s. Choose a control from the list.")
            % {"names": join_list(quote(u) for u in unknown)},
        )


def _review_url(request, questionnaire: Questionnaire, anchor: str = "") -> str:
    """Back to the review page, on the same filter and page."""
    url = reverse("org:questionnaire_review", args=[request.org.slug, questionnaire.pk])
    query = {}
    if request.POST.get("show") == "todo":
        query["show"] = "todo"  # confirmed questions leave this list: start again at its first page
    elif request.POST.get("page", "").isdigit() and request.POST["page"] != "1":
        query["page"] = request.POST["page"]
    if query:
        url += "?" + urlencode(query)
    return url + (f"#{anchor}" if anchor else "")


@require_POST
@org_view("program.change")
def questionnaire_save(request, pk: int):
    questionnaire = _get(request, pk)
    pks = sorted({int(v) for v in request.POST.getlist("item") if v.isdigit()})
    changes, unknown = _changes(request, pks)
    count = services.items_save(questionnaire=questionnaire, actor=request.user, changes=changes)
    _unknown_message(request, unknown)
    if count:
        messages.success(
            request,
            ngettext("%(count)s question was saved.", "%(count)s questions were saved.", count)
            % {"count": count},
        )
    elif not unknown:
        messages.info(request, _("Nothing had changed."))
    return redirect(_review_url(request, questionnaire))


@require_POST
@org_view("program.change")
def questionnaire_accept(request, pk: int):
    questionnaire = _get(request, pk)
    count = services.questionnaire_accept_high(questionnaire=questionnaire, actor=request.user)
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)s question was confirmed with its high match.",
                "%(count)s questions were confirmed with their high match.",
                count,
            )
            % {"count": count},
        )
    else:
        messages.info(request, _("No question left to check has a high match or one used before."))
    return redirect(_review_url(request, questionnaire))


@require_POST
@org_view("program.change")
def questionnaireitem_edit(request, pk: int):
    item = get_object_or_404(QuestionnaireItem.objects.filter(organization=request.org), pk=pk)
    questionnaire = _get(request, item.questionnaire_id)
    changes, unknown = _changes(request, [item.pk])
    services.items_save(questionnaire=questionnaire, actor=request.user, changes=changes)
    if request.htmx:
        item.refresh_from_db()
        context = {
            "row": selectors.rows_for(questionnaire, [item])[0],
            "questionnaire": questionnaire,
            "can_change": True,
            "saved": True,
            "unknown": unknown,
            "show": request.POST.get("show", "all"),
        }
        return render(request, "questionnaires/_item.html", context)
    _unknown_message(request, unknown)
    messages.success(request, _("Row %(row)s was saved.") % {"row": item.row})
    return redirect(_review_url(request, questionnaire, f"item-{item.pk}"))


# --- Export and delete -------------------------------------------------------------------------------------


def _export_name(questionnaire: Questionnaire) -> str:
    stem = re.sub(r"[\x00-\x1f\x7f]", "", PurePath(questionnaire.filename).stem) or "questionnaire"
    return f"{stem}_{timezone.localdate():%Y%m%d}.xlsx"


@require_safe
@org_view("program.view")
def questionnaire_export(request, pk: int):
    questionnaire = _get(request, pk, with_file=True)
    if questionnaire.status == Questionnaire.Status.MAPPING:
        messages.warning(request, _("Choose the columns first: ippo does not know yet where the answers go."))
        return redirect("org:questionnaire_list", request.org.slug)
    try:
        export = services.questionnaire_export(questionnaire=questionnaire, actor=request.user)
    except exchange.FileProblems as exc:
        for problem in exc.problems:
            messages.error(request, problem)
        return redirect("org:questionnaire_review", request.org.slug, questionnaire.pk)
    response = HttpResponse(export.data, content_type=exchange.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, _export_name(questionnaire))
    return response


@org_view("program.change")
def questionnaire_delete(request, pk: int):
    questionnaire = _get(request, pk)
    if request.method == "POST":
        services.questionnaire_delete(questionnaire=questionnaire, actor=request.user)
        messages.success(
            request, _("The questionnaire %(name)s was deleted.") % {"name": quote(questionnaire.name)}
        )
        return redirect("org:questionnaire_list", request.org.slug)
    return render(request, "questionnaires/questionnaire_delete.html", {"questionnaire": questionnaire})
