"""Forms of the warnings and cases pages. They parse the shape of input only; the rules (working days, known
departments, dates, measures before closing) live in cases.actions, whose refusals `add_domain_errors` puts
next to the fields they name."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from certhub.cases import queries
from certhub.cases.actions import DEFAULT_WORKING_DAYS, MAX_WORKING_DAYS
from certhub.core.display import localized_name
from certhub.core.errors import Conflict, NotPermitted, ValidationFailed
from certhub.core.forms import DateInput
from certhub.core.models import User


class DomainForm(forms.Form):
    """A form whose submission goes to an action: the action's refusals stand next to our fields, or
    above the form for a field the form does not have (a case's measures, a warning's status)."""

    def add_domain_errors(self, error: ValidationFailed | Conflict | NotPermitted) -> None:
        messages = getattr(error, "errors", None) or {"": [error.message]}
        for name, field_messages in messages.items():
            for message in field_messages:
                self.add_error(name if name in self.fields else None, message)


def officer_label(user: User) -> str:
    name = user.get_full_name() or user.get_username()
    return f"{name}（{user.department or '—'}，{user.get_username()}）"


class OfficerChoiceField(forms.ChoiceField):
    """An officer covering a region, by id; `officer` gives the chosen User."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.officers: dict[str, User] = {}

    def set_officers(self, officers: list[User], blank: str | None) -> None:
        self.officers = {str(u.pk): u for u in officers}
        self.choices = ([("", blank)] if blank is not None else []) + [(str(u.pk), officer_label(u)) for u in officers]


def _assignee(form: forms.Form) -> OfficerChoiceField:
    """The form's own copy of its assignee field, which holds the officers offered."""
    return cast(OfficerChoiceField, form.fields["assignee"])


class WarningFilterForm(forms.Form):
    prefecture = forms.ChoiceField(label=_("市州"), required=False)

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["prefecture"]).choices = [("", gettext("全部"))] + [
            (r.code, f"{localized_name(r)}（{r.code}）") for r in queries.prefectures_visible_to(actor)
        ]


class OpenCaseForm(DomainForm):
    """The inputs of do_open_case."""

    title = forms.CharField(label=_("案由"), max_length=200, required=False)
    working_days = forms.IntegerField(
        label=_("处置时限（工作日）"),
        initial=DEFAULT_WORKING_DAYS,
        help_text=_("1到%(max)d个工作日，节假日和调休按国务院安排计算") % {"max": MAX_WORKING_DAYS},
    )
    departments = forms.MultipleChoiceField(
        label=_("责任部门（立案即通报）"), required=False, widget=forms.CheckboxSelectMultiple
    )
    assignee = OfficerChoiceField(label=_("承办人"), required=False)

    def __init__(self, *args: Any, warning: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "title": gettext("%(name)s风险预警处置") % {"name": warning.subject_name},
                "working_days": DEFAULT_WORKING_DAYS,
            },
        )
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["departments"]).choices = [
            (d, d) for d in queries.known_departments(warning.region_code)
        ]
        _assignee(self).set_officers(queries.officers_covering(warning.region_code), gettext("暂不指派"))

    def chosen_assignee(self) -> User | None:
        return _assignee(self).officers.get(self.cleaned_data.get("assignee") or "")


class DismissForm(DomainForm):
    reason = forms.CharField(
        label=_("排除理由"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class MeasureForm(DomainForm):
    taken_on = forms.DateField(label=_("采取日期"), widget=DateInput())
    description = forms.CharField(
        label=_("处置措施"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如约谈、责令整改、暂停证书、立案调查，写明依据和结果"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"taken_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class AssignForm(DomainForm):
    assignee = OfficerChoiceField(label=_("承办人"))

    def __init__(self, *args: Any, case: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"assignee": str(case.assignee_id or "")})
        super().__init__(*args, **kwargs)
        _assignee(self).set_officers(queries.officers_covering(case.region_code), None)

    def chosen_assignee(self) -> User | None:
        return _assignee(self).officers.get(self.cleaned_data.get("assignee") or "")


class CloseForm(DomainForm):
    conclusion = forms.CharField(
        label=_("办结意见"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ComplaintCaseForm(OpenCaseForm):
    """The inputs of do_open_case_from_complaint: those of a case from a warning, offered for the region
    handling the complaint."""

    def __init__(self, *args: Any, complaint: Any, **kwargs: Any) -> None:
        name = complaint.organization.name if complaint.organization_id else complaint.subject_name
        kwargs.setdefault(
            "initial",
            {"title": gettext("%(name)s投诉举报查证属实") % {"name": name}, "working_days": DEFAULT_WORKING_DAYS},
        )
        forms.Form.__init__(self, *args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["departments"]).choices = [
            (d, d) for d in queries.known_departments(complaint.region_code)
        ]
        _assignee(self).set_officers(queries.officers_covering(complaint.region_code), gettext("暂不指派"))


class JoinCaseForm(DomainForm):
    """The input of do_join_case_from_complaint: one of the open cases about the same organization."""

    case = forms.ChoiceField(label=_("并入案件"))

    def __init__(self, *args: Any, cases: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cases = {c.number: c for c in cases}
        cast(forms.ChoiceField, self.fields["case"]).choices = [
            (c.number, f"{c.number} {c.title}") for c in self.cases.values()
        ]
