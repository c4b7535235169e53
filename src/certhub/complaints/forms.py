"""Forms of the complaint pages (C10). They parse the shape of input only — types, presence of the fields a
form must have, lengths; the rules (a subject or words, the region, the evidence files, duplicates, limits)
are the actions', whose refusals stand next to the fields they name (docs/architecture.md convention 7)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from certhub.complaints.choices import ComplaintKind, ComplaintState
from certhub.core.display import localized_name
from certhub.core.errors import Conflict, NotPermitted, ValidationFailed
from certhub.core.models import Region


class DomainForm(forms.Form):
    """A form whose submission goes to an action: the action's refusals stand next to our fields (its field
    names mapped onto ours by DOMAIN_FIELDS), or above the form for a field the form does not have."""

    DOMAIN_FIELDS: Mapping[str, str | None] = {}

    def add_domain_errors(self, error: ValidationFailed | Conflict | NotPermitted) -> None:
        messages = getattr(error, "errors", None) or {"": [error.message]}
        for name, field_messages in messages.items():
            field = self.DOMAIN_FIELDS.get(name, name if name in self.fields else None)
            for message in field_messages:
                self.add_error(field, message)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe); the checks are the action's."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/png,image/jpeg,application/pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


def region_choices() -> list[tuple[str, Any]]:
    """The province's prefectures and counties, each under its own name, in code order."""
    regions = Region.objects.exclude(level="province").order_by("code")
    return [("", _("（由系统根据对象确定）")), *((r.code, f"{localized_name(r)}") for r in regions)]


class ComplaintForm(DomainForm):
    """The public form: what kind, about whom, what happened, evidence, and whether and how to reply."""

    DOMAIN_FIELDS = {"subject": "subject_name", "proof": None, "": None}

    kind = forms.ChoiceField(
        label=_("类型"), choices=ComplaintKind.choices, widget=forms.RadioSelect, initial=ComplaintKind.TIP_OFF
    )
    certificate_number = forms.CharField(
        label=_("证书编号"), required=False, max_length=64, help_text=_("证书、标志或报告上的编号（如有）")
    )
    subject_name = forms.CharField(
        label=_("企业、店铺或机构"),
        required=False,
        max_length=200,
        help_text=_("名称或统一社会信用代码；检验检测机构也可填资质认定证书编号"),
    )
    product = forms.CharField(label=_("产品"), required=False, max_length=200)
    region_code = forms.ChoiceField(
        label=_("事发地"), required=False, help_text=_("登记库中找不到对象时，按事发地转交当地市场监管部门")
    )
    text = forms.CharField(
        label=_("发生了什么"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 6})
    )
    evidence = MultipleFileField(
        label=_("证据材料"), required=False, help_text=_("照片（JPG、PNG）或PDF，最多5个，每个不超过5 MB")
    )
    wants_reply = forms.BooleanField(label=_("需要答复办理结果"), required=False)
    contact_name = forms.CharField(label=_("联系人（可不填）"), required=False, max_length=50)
    contact_phone = forms.CharField(label=_("联系电话"), required=False, max_length=20)
    contact_email = forms.CharField(label=_("电子邮件"), required=False, max_length=120)
    proof_token = forms.CharField(required=False, widget=forms.HiddenInput)
    proof_nonce = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = region_choices()  # type: ignore[attr-defined]


class TrackForm(forms.Form):
    number = forms.CharField(label=_("受理编号"), max_length=32)
    code = forms.CharField(label=_("查询码"), max_length=32)


class ReasonForm(DomainForm):
    reason = forms.CharField(label=_("理由"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AcceptForm(DomainForm):
    note = forms.CharField(label=_("说明（可不填）"), max_length=2000, required=False)


class ForwardForm(DomainForm):
    region_code = forms.ChoiceField(label=_("移送至"))
    reason = forms.CharField(label=_("移送理由"), max_length=2000, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = region_choices()[1:]  # type: ignore[attr-defined]


class ConcludeForm(DomainForm):
    outcome = forms.ChoiceField(
        label=_("办理结果"),
        choices=[
            (ComplaintState.SUBSTANTIATED.value, ComplaintState.SUBSTANTIATED.label),
            (ComplaintState.NOT_SUBSTANTIATED.value, ComplaintState.NOT_SUBSTANTIATED.label),
            (ComplaintState.MEDIATED.value, ComplaintState.MEDIATED.label),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("处理结果（投诉举报人可见）"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class DueFilterForm(forms.Form):
    overdue = forms.BooleanField(label=_("只看逾期"), required=False)
