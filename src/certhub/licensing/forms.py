"""Forms of the licensing pages (C8, 一网通办). They parse the shape of input only — types, presence, lengths;
every rule (which kinds and tracks a licence type allows, a standard code that parses, a renewal window, a
bar after a false commitment, who may decide when) is the actions', whose refusals `add_domain_errors` puts
next to the fields they name (docs/architecture.md convention 7)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, cast

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from certhub.core.errors import Conflict, NotPermitted, ValidationFailed
from certhub.core.forms import DateInput
from certhub.licensing.choices import (
    ApplicationKind,
    ApplicationState,
    CheckOutcome,
    LicenceType,
    OnSiteOutcome,
    Track,
)


class DomainForm(forms.Form):
    """A form whose submission goes to an action: the action's refusals stand next to our fields (its field
    names mapped onto ours by DOMAIN_FIELDS), or above the form for a field the form does not have."""

    DOMAIN_FIELDS: Mapping[str, str] = {}

    def add_domain_errors(self, error: ValidationFailed | Conflict | NotPermitted) -> None:
        messages = getattr(error, "errors", None) or {"": [error.message]}
        for name, field_messages in messages.items():
            field = self.DOMAIN_FIELDS.get(name, name if name in self.fields else None)
            for message in field_messages:
                self.add_error(field, message)


def _text(label: Any, max_length: int, *, required: bool = True, rows: int | None = None, **kwargs: Any) -> Any:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else None
    return forms.CharField(label=label, max_length=max_length, required=required, widget=widget, **kwargs)


# ------------------------------------------------------------------ the applicant: what is applied for


class ApplicationStartForm(DomainForm):
    """The first choice of an application: the licence type, the kind and the track."""

    licence_type = forms.ChoiceField(label=_("许可类型"), choices=LicenceType.choices, widget=forms.RadioSelect)
    kind = forms.ChoiceField(label=_("申请类型"), choices=ApplicationKind.choices)
    track = forms.ChoiceField(
        label=_("审批程序"),
        choices=Track.choices,
        widget=forms.RadioSelect,
        initial=Track.GENERAL,
        help_text=_("告知承诺：签署承诺书后当场发证，发证后3个月内核查承诺是否属实；仅部分申请类型可选。"),
    )


class CmaParticularsForm(DomainForm):
    """The lab's particulars of a CMA application (检验检测机构资质认定)."""

    lab_name = _text(_("检验检测机构名称"), 200)
    address = _text(_("检验检测场所地址"), 300)
    legal_representative = _text(_("法定代表人"), 64)
    legal_representative_id_number = _text(_("法定代表人身份证件号码"), 32, help_text=_("只保存其加密摘要，不显示"))
    technical_manager = _text(_("技术负责人"), 64)
    technical_manager_id_number = _text(_("技术负责人身份证件号码"), 32, help_text=_("只保存其加密摘要，不显示"))


class ScopeRowForm(forms.Form):
    """One row of the scope applied for: field, object, parameter, standard (its code), limits."""

    field = _text(_("检测领域"), 100)
    object = _text(_("检测对象"), 200)
    parameter = _text(_("项目/参数"), 200)
    standard = _text(_("检测标准（方法）"), 120, help_text=_("如 GB/T 5009.3-2016"))
    limits = _text(_("限制范围"), 300, required=False)


SIGNATORY_ROWS = re.compile(r"^\s*\d+(\s*[,，、 ]\s*\d+)*\s*$")


class SignatoryForm(forms.Form):
    """An authorized signatory applied for: name, identity-document number (kept only as a keyed digest),
    and which scope rows (by their numbers in the list above) they sign for."""

    name = _text(_("授权签字人姓名"), 64)
    id_number = forms.CharField(label=_("身份证件号码"), max_length=32, help_text=_("只保存其加密摘要，不显示"))
    scope_rows = forms.CharField(
        label=_("签字范围（检测范围行号）"), max_length=200, help_text=_("如 1,2；行号见上方检测范围")
    )

    def clean_scope_rows(self) -> list[int]:
        text = self.cleaned_data["scope_rows"]
        if not SIGNATORY_ROWS.match(text):
            raise forms.ValidationError(gettext("请填写检测范围的行号，用逗号分隔，如 1,2"))
        return sorted({int(number) for number in re.findall(r"\d+", text)})


class ProductForm(forms.Form):
    """A product of a production licence application and its models (型号规格)."""

    product = _text(_("产品名称"), 200)
    models = _text(_("型号规格"), 500, help_text=_("多个型号用逗号分隔"))

    def clean_models(self) -> list[str]:
        return [m.strip() for m in re.split(r"[,，、;；\n]", self.cleaned_data["models"]) if m.strip()]


class ProductionParticularsForm(DomainForm):
    """The producer's particulars of a production licence application (工业产品生产许可证)."""

    product_unit = _text(_("产品单元"), 100, help_text=_("产品目录中的产品单元名称"))
    address = _text(_("生产地址"), 300)
    licence_number = _text(
        _("生产许可证编号"), 32, required=False, help_text=_("延续、变更、注销时填写已持有的许可证编号")
    )


class RowFormSet(forms.BaseFormSet):
    """Rows entered one form each; a row left wholly blank is skipped, at least one row is required."""

    def clean(self) -> None:
        if any(self.errors):
            return
        filled = [form for form in self.forms if form.has_changed()]
        if len(filled) < self.min_num:
            raise forms.ValidationError(gettext("至少填写一行。"))

    def filled(self) -> list[forms.Form]:
        """The rows filled in, in order: the rows an action's refusal counts (rows[2] is the third of these)."""
        return [form for form in self.forms if form.has_changed() and form.cleaned_data]

    def rows(self) -> list[dict[str, Any]]:
        return [form.cleaned_data for form in self.filled()]


ScopeRowFormSet = forms.formset_factory(ScopeRowForm, formset=RowFormSet, extra=0, min_num=1, max_num=500)
SignatoryFormSet = forms.formset_factory(SignatoryForm, formset=RowFormSet, extra=0, min_num=0, max_num=200)
ProductFormSet = forms.formset_factory(ProductForm, formset=RowFormSet, extra=0, min_num=1, max_num=200)


class CommitmentForm(DomainForm):
    """Signing the 告知承诺 text: the applicant confirms, with the name of the person signing."""

    agree = forms.BooleanField(label=_("本单位已阅读并作出上述承诺，承诺内容真实，愿意承担承诺不实的法律责任"))
    signer = _text(_("签署人"), 64)


class UploadForm(DomainForm):
    """One document uploaded to an application (PDF or an image); its content is checked when it arrives
    (type from the bytes, size, no active content in a PDF)."""

    DOMAIN_FIELDS = {"materials": "file"}

    file = forms.FileField(label=_("材料文件"), help_text=_("PDF、PNG或JPEG，按文件内容检查类型"))
    title = _text(_("材料名称"), 200, required=False, help_text=_("不填则用文件名"))


class AnswerRequestForm(UploadForm):
    """The applicant's answer to a request for more documents (补正): the document asked for, and a note."""

    file = forms.FileField(label=_("补充的材料文件"), required=False, help_text=_("PDF、PNG或JPEG，按文件内容检查类型"))
    note = _text(_("补充说明"), 2000, required=False, rows=3)


class FollowForm(forms.Form):
    """Following a case by its number (按申请编号查询办理进度)."""

    number = forms.CharField(label=_("申请编号"), max_length=32)


# ------------------------------------------------------------------ the officers


class DueFilterForm(forms.Form):
    """The due list's filters: licence type, state, overdue only."""

    licence_type = forms.ChoiceField(label=_("许可类型"), required=False)
    state = forms.ChoiceField(label=_("状态"), required=False)
    overdue = forms.BooleanField(label=_("只看逾期"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["licence_type"]).choices = [("", gettext("全部")), *LicenceType.choices]
        cast(forms.ChoiceField, self.fields["state"]).choices = [("", gettext("全部")), *ApplicationState.choices]

    def criteria(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value}


class ReasonsForm(DomainForm):
    """A refusal (of acceptance or of the licence) with its reasons."""

    reasons = _text(_("理由"), 4000, rows=4)


class DecisionForm(DomainForm):
    """The licensing decision: grant or refuse, with the decision number and, for a refusal, the reasons."""

    decision = forms.ChoiceField(label=_("决定"), choices=[("GRANT", _("准予许可")), ("REFUSE", _("不予许可"))])
    decision_number = _text(_("许可决定书编号"), 64, required=False, help_text=_("不填则自动编号"))
    reasons = _text(_("理由（不予许可时必填）"), 4000, required=False, rows=3)


class RevocationForm(DomainForm):
    """撤销许可 for misconduct: the decision's number and the facts and reasons (the action requires both, with
    the same messages as the API)."""

    decision_number = _text(_("撤销决定书编号"), 64, required=False)
    reason = _text(_("撤销的事实和理由"), 4000, required=False, rows=3)


class AssignForm(DomainForm):
    """Who handles and decides the case (承办人): an officer whose region covers it."""

    assigned_to = forms.ChoiceField(label=_("承办人"))

    def __init__(self, *args: Any, officers: list[Any], required: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.officers = {str(user.pk): user for user in officers}
        field = cast(forms.ChoiceField, self.fields["assigned_to"])
        field.required = required
        field.choices = ([("", gettext("暂不指派"))] if not required else []) + [
            (
                str(user.pk),
                f"{user.get_full_name() or user.get_username()}（{user.department or '—'}，{user.get_username()}）",
            )
            for user in officers
        ]

    def chosen(self) -> Any:
        return self.officers.get(self.cleaned_data["assigned_to"])


class MaterialRequestForm(DomainForm):
    """A request for more documents, all in one notice (一次性告知)."""

    items = _text(_("需补充的材料"), 4000, rows=3)


class OpinionRequestForm(DomainForm):
    """Opinions asked of several departments at once (并联审批), each with its own deadline."""

    departments = forms.CharField(
        label=_("征求意见的部门"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一个部门"),
    )
    working_days = forms.IntegerField(
        label=_("答复期限（工作日）"), required=False, help_text=_("不填则按办事指南的默认期限")
    )
    question = _text(_("征求事项"), 2000, required=False, rows=2)

    def clean_departments(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["departments"].splitlines() if line.strip()]


class OpinionForm(DomainForm):
    """A department's answer (its officers record it)."""

    agrees = forms.TypedChoiceField(
        label=_("意见"),
        choices=[("yes", _("同意")), ("no", _("不同意"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    text = _text(_("意见内容"), 4000, rows=3)


class OnSiteScheduleForm(DomainForm):
    """The on-site review's day and its reviewers."""

    scheduled_on = forms.DateField(label=_("评审日期"), widget=DateInput())
    reviewers = _text(_("评审组"), 300, help_text=_("评审组成员，用逗号分隔"))


class OnSiteResultForm(DomainForm):
    """The on-site review's conclusion: passed, rectification within a period, or failed."""

    outcome = forms.ChoiceField(label=_("评审结论"), choices=OnSiteOutcome.choices)
    concluded_on = forms.DateField(label=_("结论日期"), widget=DateInput())
    findings = _text(_("评审发现"), 4000, required=False, rows=3)
    rectification_days = forms.IntegerField(
        label=_("整改期限（工作日）"), required=False, min_value=1, help_text=_("需整改时填写，最长30个工作日")
    )


class RectificationForm(DomainForm):
    """The applicant's rectification as the review team found it."""

    rectified_on = forms.DateField(label=_("整改完成日期"), widget=DateInput())
    passed = forms.TypedChoiceField(
        label=_("整改结论"),
        choices=[("yes", _("整改通过")), ("no", _("整改未通过"))],
        coerce=lambda value: value == "yes",
    )
    note = _text(_("说明"), 2000, required=False, rows=2)


class PostCheckForm(DomainForm):
    """The check after a 告知承诺 grant: the commitment true, or false (the licence is revoked and the applicant
    barred)."""

    outcome = forms.ChoiceField(label=_("核查结论"), choices=CheckOutcome.choices)
    done_on = forms.DateField(label=_("核查日期"), widget=DateInput())
    note = _text(_("核查说明"), 4000, rows=3)
