from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ippo.people.models import Department, Employee
from ippo.training.models import AssignmentRule, CustomModule

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AssignForm(forms.Form):
    EVERYONE, DEPARTMENT, PEOPLE = "everyone", "department", "people"

    module_id = forms.ChoiceField(label=_("Training module"))
    audience = forms.ChoiceField(
        label=pgettext_lazy("assign lessons to", "Who"),
        widget=forms.RadioSelect,
        initial=EVERYONE,
        choices=[
            (EVERYONE, _("Everyone")),
            (DEPARTMENT, _("One department")),
            (PEOPLE, _("Chosen people")),
        ],
    )
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none(), required=False)
    employees = forms.ModelMultipleChoiceField(
        label=_("Employees"),
        queryset=Employee.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    due_on = forms.DateField(label=_("Due date"), widget=DATE)

    def __init__(self, *args, org, module_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module_id"].choices = [("", "—"), *module_choices]
        self.fields["department"].queryset = Department.objects.filter(organization=org)
        self.fields["employees"].queryset = Employee.objects.filter(organization=org, is_active=True).order_by("name")
        self.fields["due_on"].initial = timezone.localdate() + timedelta(days=30)
        self.org = org

    def clean_due_on(self):
        due = self.cleaned_data["due_on"]
        if due < timezone.localdate():
            raise forms.ValidationError(_("The due date cannot be in the past."))
        return due

    def clean(self):
        data = super().clean()
        audience = data.get("audience")
        if audience == self.DEPARTMENT and not data.get("department"):
            self.add_error("department", _("Choose a department."))
        if audience == self.PEOPLE and not data.get("employees"):
            self.add_error("employees", _("Choose at least one person."))
        return data

    def chosen_employees(self):
        audience = self.cleaned_data["audience"]
        people = Employee.objects.filter(organization=self.org, is_active=True)
        if audience == self.DEPARTMENT:
            return list(people.filter(department=self.cleaned_data["department"]))
        if audience == self.PEOPLE:
            return list(self.cleaned_data["employees"])
        return list(people)


class RuleForm(forms.ModelForm):
    class Meta:
        model = AssignmentRule
        fields = ["kind", "module_id", "month", "days", "is_active"]
        widgets = {"kind": forms.RadioSelect}

    def __init__(self, *args, module_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module_id"] = forms.ChoiceField(label=_("Training module"), choices=[("", "—"), *module_choices])
        self.fields["month"] = forms.TypedChoiceField(
            label=_("Month"),
            required=False,
            coerce=int,
            empty_value=None,
            choices=[("", "—")] + [(m, _("Month %(m)s") % {"m": m}) for m in range(1, 13)],
            help_text=_("Yearly rules: the month the lesson is assigned to everyone."),
        )
        self.fields["days"].min_value = 1
        self.fields["days"].widget.attrs.update(min=1, max=365)


class GroupSessionForm(forms.Form):
    held_on = forms.DateField(label=_("Date held"), widget=DATE)
    module_id = forms.ChoiceField(label=_("Training module"))
    facilitator = forms.CharField(label=_("Led by"), max_length=100)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    attendees = forms.ModelMultipleChoiceField(
        label=_("Who attended"),
        queryset=Employee.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    pasted = forms.CharField(
        label=_("Or paste the attendance list"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One person per line: name, e-mail address or employee number (e.g. copied from a sign-in sheet)."),
    )

    def clean(self):
        data = super().clean()
        lines = [line.strip() for line in (data.get("pasted") or "").splitlines() if line.strip()]
        if not lines:
            return data
        people = list(self.fields["attendees"].queryset)
        index: dict[str, list] = {}
        for e in people:
            for key in {e.name, e.name.replace(" ", "").replace("\u3000", ""), e.email.lower(), e.employee_number}:
                if key:
                    index.setdefault(key, []).append(e)
        found, unknown = set(data.get("attendees") or []), []
        for line in lines:
            key = line.lower() if "@" in line else line
            matches = index.get(key) or index.get(key.replace(" ", "").replace("\u3000", ""))
            if matches and len(matches) == 1:
                found.add(matches[0])
            else:
                unknown.append(line)
        if unknown:
            self.add_error(
                "pasted",
                _("Not found in the employee list (or more than one match): %(lines)s") % {"lines": "、".join(unknown)},
            )
        data["attendees"] = list(found)
        return data

    def __init__(self, *args, org, module_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module_id"].choices = [("", "—"), *module_choices]
        self.fields["attendees"].queryset = (
            Employee.objects.filter(organization=org, is_active=True).select_related("department").order_by("name")
        )
        self.fields["attendees"].label_from_instance = lambda e: (
            f"{e.name}（{e.department.name}）" if e.department_id else e.name
        )
        self.fields["held_on"].initial = timezone.localdate()


class CustomModuleForm(forms.ModelForm):
    class Meta:
        model = CustomModule
        fields = ["title", "summary", "minutes", "body", "quiz", "pass_mark", "is_active"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 16}),
            "quiz": forms.Textarea(attrs={"rows": 12}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["minutes"].min_value = 1
        self.fields["minutes"].widget.attrs.update(min=1, max=60)
        self.fields["pass_mark"].min_value = 1
        self.fields["pass_mark"].max_value = 100
        self.fields["pass_mark"].widget.attrs.update(min=1, max=100)


class LinkRequestForm(forms.Form):
    email = forms.EmailField(label=_("Your work e-mail address"), max_length=254)
