from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ippo.people import exchange
from ippo.people.models import Department, Employee


class EmployeeForm(forms.ModelForm):
    # Querysets are set per organisation in __init__ (tenant models cannot be queried outside a scope).
    department = forms.ModelChoiceField(label=_("Department"), queryset=None, required=False)
    manager = forms.ModelChoiceField(
        label=_("Manager"),
        queryset=None,
        required=False,
        help_text=_("Receives a reminder when this person's training is overdue."),
    )

    class Meta:
        model = Employee
        fields = ["name", "email", "department", "employment_type", "employee_number", "manager", "joined_on"]
        widgets = {"joined_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(organization=org)
        managers = Employee.objects.filter(organization=org, is_active=True)
        if self.instance.pk:
            managers = managers.exclude(pk=self.instance.pk)
        self.fields["manager"].queryset = managers
        self.fields["name"].widget.attrs["autocomplete"] = "off"

    def validate_unique(self):
        """The service checks e-mail clashes with a clear message (the model's constraint needs the org)."""


class LeaveForm(forms.Form):
    left_on = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}))


class DepartmentForm(forms.Form):
    name = forms.CharField(label=_("Department name"), max_length=100)


class EmployeeImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or Excel file (.csv, .xlsx)"),
        error_messages={"required": _("Choose a file to import.")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if name.endswith(".xls"):
            raise forms.ValidationError(
                _("This is the old Excel format (.xls). Save it as .xlsx or as CSV UTF-8.")
            )
        if not name.endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Choose a .csv or .xlsx file."))
        if upload.size > exchange.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB. Split it into several files."))
        return upload
