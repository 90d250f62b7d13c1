from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ippo.questionnaires import exchange
from ippo.questionnaires.models import DEFAULT_ANSWER_WORDS, MAX_FILE_BYTES, Language


class UploadForm(forms.Form):
    name = forms.CharField(
        label=_("Who sent it"),
        max_length=200,
        required=False,
        help_text=_("The buyer's name, e.g. “ABC Corporation 2026”. Empty: the file name."),
    )
    file = forms.FileField(
        label=_("The buyer's Excel workbook (.xlsx)"),
        help_text=_("At most 5 MB. Upload it as you received it; ippo writes the answers into a copy."),
        error_messages={"required": _("Choose the workbook to upload.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(max)s MB.") % {"max": MAX_FILE_BYTES // (1024 * 1024)}
            )
        return upload


MAX_COLUMN = 16384  # XFD, the last column Excel has


def _column_choices(sheet: exchange.Sheet, header_row: int, extra: int) -> list[tuple[int, str]]:
    """ "C — 質問内容": each column's letter and its heading, so a person recognises it."""
    choices = []
    for col in range(1, max(sheet.max_col, 1) + extra + 1):
        heading = sheet.cell(header_row, col)[:40] if header_row else ""
        letter = exchange.column_letter(col)
        choices.append((col, f"{letter} — {heading}" if heading else letter))
    return choices


class ColumnField(forms.TypedChoiceField):
    """A column chosen by letter. A value outside the sheet is reported by its letter in the service."""

    def __init__(self, **kwargs):
        super().__init__(coerce=int, empty_value=None, **kwargs)

    def valid_value(self, value) -> bool:
        # Any column number is accepted here; whether it lies inside the sheet is checked with the sheet.
        try:
            return 1 <= int(value) <= MAX_COLUMN
        except (TypeError, ValueError):
            return False


class MappingForm(forms.Form):
    sheet = forms.ChoiceField(label=_("Sheet"))
    header_row = forms.IntegerField(
        label=_("Heading row"),
        min_value=1,
        max_value=exchange.MAX_ROWS,
        help_text=_("The row with the column headings. The questions are in the rows below it."),
    )
    question_col = ColumnField(label=_("Question column"))
    answer_col = ColumnField(
        label=_("Answer column"), help_text=_("Where the buyer wants the answer (はい／いいえ, ○／×).")
    )
    remarks_col = ColumnField(
        label=_("Remarks column (optional)"),
        required=False,
        help_text=_("Where ippo writes the newest evidence as a remark. Leave empty to write no remarks."),
    )
    language = forms.ChoiceField(label=_("Language of the answers"), choices=Language.choices)
    word_implemented = forms.CharField(label=_("Answer when in place"), max_length=50, required=False)
    word_partial = forms.CharField(label=_("Answer when partly in place"), max_length=50, required=False)
    word_not_implemented = forms.CharField(label=_("Answer when not in place"), max_length=50, required=False)
    word_unknown = forms.CharField(label=_("Answer when not known yet"), max_length=50, required=False)

    WORD_FIELDS = ("implemented", "partial", "not_implemented", "unknown")

    def __init__(self, *args, sheets: list[str], sheet: exchange.Sheet, header_row: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sheet"].choices = [(s, s) for s in sheets]
        columns = _column_choices(sheet, header_row, 0)
        wider = _column_choices(sheet, header_row, exchange.EXTRA_COLUMNS)
        self.fields["question_col"].choices = columns
        self.fields["answer_col"].choices = wider
        self.fields["remarks_col"].choices = [("", "—"), *wider]
        for key in self.WORD_FIELDS:
            self.fields[f"word_{key}"].widget.attrs["placeholder"] = " / ".join(
                words[key] for words in DEFAULT_ANSWER_WORDS.values()
            )

    def answer_words(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(f"word_{key}", "") for key in self.WORD_FIELDS}
