"""The registry pages' forms: the filters of the public lists and the back-office lists, a certification body's
status change, an officer's organization correction and an enterprise's own contact and products. They
parse and check the shape of input; the rules live in the actions, whose errors
`add_domain_errors` puts next to the fields they name."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certhub.core.display import localized_name
from certhub.core.errors import Conflict, ValidationFailed
from certhub.core.forms import DateInput, FilterForm, region_choice_list, with_all
from certhub.core.models import Region
from certhub.registry.choices import (
    CERTIFICATE_TRANSITIONS,
    PUBLIC_CERTIFICATE_STATUSES,
    BanKind,
    CertificateStatus,
    PersonRole,
    RegistrationStatus,
)
from certhub.registry.models import Scheme

PUBLIC_STATUS_CHOICES = [(s.value, s.label) for s in CertificateStatus if s.value in PUBLIC_CERTIFICATE_STATUSES]


def scheme_choices() -> list[tuple[str, str]]:
    return [(s.code, localized_name(s)) for s in Scheme.objects.order_by("code")]


class LabFinderForm(FilterForm):
    q = forms.CharField(
        label=_("机构名称或资质认定证书编号"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    parameter = forms.CharField(
        label=_("检测项目/参数"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("例如：铅")}),
    )
    standard = forms.CharField(
        label=_("依据标准/方法"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("例如：GB 5009.12")}),
    )
    region = forms.ChoiceField(label=_("所在地区"), required=False)

    def __init__(self, *args: Any, regions: Iterable[Region] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["region"]).choices = with_all(_("全省"), region_choice_list(regions))


class ScopeFilterForm(FilterForm):
    q = forms.CharField(
        label=_("在资质认定范围中查找"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("领域、对象、参数或标准")}),
    )


class BodyFilterForm(FilterForm):
    scheme = forms.ChoiceField(label=_("认证制度"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["scheme"]).choices = with_all(_("全部认证制度"), scheme_choices())


class OfficeFilterForm(FilterForm):
    """The filter of a back-office list; fields a registry has no use for are removed."""

    q = forms.CharField(
        label=_("查找"), max_length=100, required=False, widget=forms.TextInput(attrs={"type": "search"})
    )
    region = forms.ChoiceField(label=_("地区"), required=False)
    status = forms.ChoiceField(label=_("状态"), required=False)
    scheme = forms.ChoiceField(label=_("认证制度"), required=False)

    def __init__(
        self,
        *args: Any,
        regions: Iterable[Region] = (),
        statuses: Iterable[tuple[str, Any]] = (),
        status_label: Any = None,
        schemes: bool = False,
        search_help: Any = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].help_text = search_help
        cast(forms.ChoiceField, self.fields["region"]).choices = with_all(_("全部"), region_choice_list(regions))
        statuses = list(statuses)
        if statuses:
            cast(forms.ChoiceField, self.fields["status"]).choices = with_all(_("全部"), statuses)
            if status_label:
                self.fields["status"].label = status_label
        else:
            del self.fields["status"]
        if schemes:
            cast(forms.ChoiceField, self.fields["scheme"]).choices = with_all(_("全部认证制度"), scheme_choices())
        else:
            del self.fields["scheme"]


class OwnCertificateFilterForm(FilterForm):
    q = forms.CharField(
        label=_("证书编号、组织名称或统一社会信用代码"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    status = forms.ChoiceField(label=_("状态"), required=False, choices=with_all(_("全部"), CertificateStatus.choices))


class StatusChangeForm(forms.Form):
    """Suspend, restore, withdraw, cancel or expire a certificate: the inputs of
    registry.actions.do_change_certificate_status. Which transitions are allowed is the action's rule."""

    # The action's errors name its own fields; this maps them onto ours.
    DOMAIN_FIELDS: Mapping[str, str] = {
        "status": "to_status",
        "effective_date": "effective_date",
        "reason": "reason",
    }

    to_status = forms.ChoiceField(
        label=_("变更为"),
        choices=[(s.value, s.label) for s in CertificateStatus if s != CertificateStatus.DRAFT],
        # portal.js (loaded by the base layout) asks for confirmation before a status no transition leads out of.
        widget=forms.Select(
            attrs={
                "data-final-statuses": ",".join(s for s, after in CERTIFICATE_TRANSITIONS.items() if not after),
                "data-confirm": _("撤销、注销和过期失效是终止状态，不能恢复。确定提交吗？"),
            }
        ),
    )
    effective_date = forms.DateField(label=_("生效日期"), widget=DateInput(), input_formats=["%Y-%m-%d"])
    reason = forms.CharField(
        label=_("原因"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("将在证书的公开状态记录中显示"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"effective_date": timezone.localdate()})
        super().__init__(*args, **kwargs)

    def add_domain_errors(self, error: ValidationFailed | Conflict) -> None:
        """Show an action's refusal next to the fields it names; the rest above the form."""
        messages = error.errors or {"": [error.message]}
        for name, field_messages in messages.items():
            field = self.DOMAIN_FIELDS.get(name)
            for message in field_messages:
                self.add_error(field, message)


# ---------------------------------------------------------------- people (C1)


class UnechoedInput(forms.TextInput):
    """A text input that never writes its value back into the page: an ID-document number typed into a
    refused form is not sent back to the browser (C14; registry.person_ids)."""

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        return super().get_context(name, None, attrs)


class StartAffiliationForm(forms.Form):
    """A person starts in a role at an organization: the inputs of registry.actions.people.do_start_affiliation."""

    DOMAIN_FIELDS: Mapping[str, str] = {
        "name": "name",
        "id_number": "id_number",
        "role": "role",
        "start": "start",
        "decision": "decision",
    }

    name = forms.CharField(label=_("姓名"), max_length=64)
    id_number = forms.CharField(
        label=_("身份证件号码"),
        max_length=40,
        widget=UnechoedInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("只用于识别同一人员：系统只保存其加密摘要，不保存、不显示号码本身"),
    )
    role = forms.ChoiceField(label=_("角色"), choices=PersonRole.choices)
    start = forms.DateField(label=_("起始日期"), widget=DateInput(), input_formats=["%Y-%m-%d"])
    decision = forms.CharField(
        label=_("依据"),
        max_length=64,
        required=False,
        help_text=_("如许可决定文号；检验检测机构的关键人员须经许可变更"),
    )

    def add_domain_errors(self, error: ValidationFailed | Conflict) -> None:
        for name, field_messages in (error.errors or {"": [error.message]}).items():
            for message in field_messages:
                self.add_error(self.DOMAIN_FIELDS.get(name), message)


class EndAffiliationForm(forms.Form):
    """A person leaves a role: the inputs of registry.actions.people.do_end_affiliation."""

    end = forms.DateField(label=_("离任日期"), widget=DateInput(), input_formats=["%Y-%m-%d"])
    reason = forms.CharField(label=_("原因"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"end": timezone.localdate()})
        super().__init__(*args, **kwargs)

    def add_domain_errors(self, error: ValidationFailed | Conflict) -> None:
        for name, field_messages in (error.errors or {"": [error.message]}).items():
            for message in field_messages:
                self.add_error(name if name in self.fields else None, message)


class DomainErrorsMixin:
    """Shows an action's refusal next to the fields it names (the rest above the form)."""

    DOMAIN_FIELDS: Mapping[str, str] = {}

    def add_domain_errors(self, error: ValidationFailed | Conflict) -> None:
        form = cast(forms.Form, self)
        messages = error.errors or {"": [error.message]}
        for name, field_messages in messages.items():
            field = self.DOMAIN_FIELDS.get(name, name if name in form.fields else None)
            for message in field_messages:
                form.add_error(field, message)


class OrganizationCorrectionForm(DomainErrorsMixin, forms.Form):
    """An officer's correction of one organization (C1). Only the shape is read here: every value is checked
    by the registry's one organization rule (OrganizationInput), as the bulk file and the API check it."""

    DOMAIN_FIELDS = {"region": "region_code"}

    name = forms.CharField(label=_("名称"), required=False, help_text=_("名称变更时原名称作为曾用名保留"))
    region_code = forms.CharField(label=_("行政区划代码"), required=False, help_text=_("GB/T 2260六位代码"))
    address = forms.CharField(label=_("住所"), required=False)
    industry_section = forms.CharField(label=_("行业门类"), required=False, help_text=_("GB/T 4754 门类字母A–T"))
    industry_division = forms.CharField(label=_("行业大类"), required=False, help_text=_("两位数字"))
    above_designated_size = forms.BooleanField(label=_("规模以上工业企业"), required=False)
    registration_status = forms.CharField(
        label=_("登记状态"),
        required=False,
        widget=forms.Select(choices=RegistrationStatus.choices),
    )


class ContactForm(DomainErrorsMixin, forms.Form):
    contact_email = forms.CharField(
        label=_("联系邮箱"),
        required=False,
        widget=forms.TextInput(attrs={"type": "email", "autocomplete": "email", "inputmode": "email"}),
        help_text=_("不公开；账号关联验证码发送到此邮箱"),
    )
    contact_phone = forms.CharField(
        label=_("联系电话"),
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )


class DeclareProductForm(DomainErrorsMixin, forms.Form):
    ccc_product = forms.CharField(
        label=_("CCC目录产品代码"),
        required=False,
        help_text=_("如0701（家用电冰箱和食品冷冻箱）"),
        widget=forms.TextInput(attrs={"list": "ccc-products", "inputmode": "numeric"}),
    )


# ---------------------------------------------------------------- certification bodies (officers, C1)


class DomainErrorsForm(forms.Form):
    """A form whose action's refusals are shown next to the fields they name (DOMAIN_FIELDS maps the action's
    field names onto the form's; the rest go above the form)."""

    DOMAIN_FIELDS: Mapping[str, str] = {}

    def add_domain_errors(self, error: ValidationFailed | Conflict) -> None:
        messages = error.errors or {"": [error.message]}
        for name, field_messages in messages.items():
            field = self.DOMAIN_FIELDS.get(name)
            for message in field_messages:
                self.add_error(field, message)


class BodyParticularsForm(DomainErrorsForm):
    """A body's particulars and schemes as a national announcement states them: the inputs of
    registry.actions.do_update_certification_body."""

    DOMAIN_FIELDS = {f: f for f in ("name", "accreditation", "valid_from", "valid_until", "schemes")}

    name = forms.CharField(label=_("名称"), max_length=200)
    accreditation = forms.CharField(label=_("认可证书"), max_length=64, required=False)
    valid_from = forms.DateField(label=_("批准日期"), required=False, widget=DateInput(), input_formats=["%Y-%m-%d"])
    valid_until = forms.DateField(
        label=_("批准有效期至"), required=False, widget=DateInput(), input_formats=["%Y-%m-%d"]
    )
    schemes = forms.MultipleChoiceField(label=_("可认证制度"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["schemes"]).choices = scheme_choices()


# What an officer may record of a body's approval, in the words of CNCA's decisions (domain-facts §2.2).
BODY_STATUS_CHOICES = [
    ("SUSPENDED", _("暂停批准（暂停）")),
    ("ACTIVE", _("恢复批准（恢复）")),
    ("REVOKED", _("撤销批准（撤销）：其全部证书随即撤销")),
    ("CLOSED", _("注销（机构自行终止）：证书在最后一次审核后一年零两个月内有效")),
]


class BodyStatusForm(DomainErrorsForm):
    """A change of a body's status: the inputs of the body status actions (registry.actions.bodies)."""

    DOMAIN_FIELDS = {
        "status": "to_status",
        "effective_date": "effective_date",
        "reason": "reason",
        "decision": "decision",
    }

    to_status = forms.ChoiceField(
        label=_("变更为"),
        choices=BODY_STATUS_CHOICES,
        # portal.js asks for confirmation before a status no change leads out of.
        widget=forms.Select(
            attrs={
                "data-final-statuses": "REVOKED,CLOSED",
                "data-confirm": _("撤销和注销是终止状态，不能恢复；撤销将同时撤销该机构的全部证书。确定提交吗？"),
            }
        ),
    )
    effective_date = forms.DateField(label=_("生效日期"), widget=DateInput(), input_formats=["%Y-%m-%d"])
    decision = forms.CharField(
        label=_("决定或公告文号"),
        max_length=200,
        help_text=_("国家认监委的决定或公告，例如：国家认监委公告2025年第18号"),
    )
    reason = forms.CharField(
        label=_("原因"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("将在认证机构的公开状态记录中显示"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"effective_date": timezone.localdate()})
        super().__init__(*args, **kwargs)


class TransferForm(DomainErrorsForm):
    """A certificate's transfer to another body: the inputs of registry.actions.do_transfer_certificate."""

    DOMAIN_FIELDS = {"to_body": "to_body", "effective_date": "effective_date", "reason": "reason"}

    to_body = forms.ChoiceField(label=_("接收机构"))
    effective_date = forms.DateField(label=_("生效日期"), widget=DateInput(), input_formats=["%Y-%m-%d"])
    reason = forms.CharField(
        label=_("原因"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("将在证书的公开状态记录中显示"),
    )

    def __init__(self, *args: Any, bodies: Iterable[tuple[str, str]] = (), **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"effective_date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["to_body"]).choices = [("", "—"), *bodies]


# ---------------------------------------------------------------- bans (officers, C9)


class BanForm(DomainErrorsMixin, forms.Form):
    """A ban decided by an authority: the inputs of registry.actions.bans.do_impose_ban. The subject is an
    organization by its credit code, or a person by name and ID-document number (found by its keyed digest;
    the number is never shown back, C14)."""

    DOMAIN_FIELDS: Mapping[str, str] = {"organization": "organization_uscc", "person": "person_name"}

    kind = forms.ChoiceField(label=_("限制类型"), choices=BanKind.choices)
    organization_uscc = forms.CharField(
        label=_("被限制机构的统一社会信用代码"), max_length=40, required=False, help_text=_("限制机构时填写")
    )
    person_name = forms.CharField(
        label=_("被限制人员姓名"), max_length=64, required=False, help_text=_("终身禁入时填写")
    )
    person_id_number = forms.CharField(
        label=_("被限制人员身份证件号码"),
        max_length=40,
        required=False,
        widget=UnechoedInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("只用于识别登记库中的人员，不保存、不显示号码本身"),
    )
    decision_number = forms.CharField(label=_("决定文号"), max_length=64, required=False)
    decided_on = forms.DateField(label=_("决定日期"), widget=DateInput(), input_formats=["%Y-%m-%d"])
    authority = forms.CharField(label=_("决定机关"), max_length=100, required=False)
    starts = forms.DateField(label=_("起始日期"), widget=DateInput(), input_formats=["%Y-%m-%d"])
    ends = forms.DateField(
        label=_("截止日期"),
        required=False,
        widget=DateInput(),
        input_formats=["%Y-%m-%d"],
        help_text=_("永久退出和终身禁入不设截止日期；限制申请资质和限制认证不填则按规定期限（3年、1年）"),
    )
    licence_type = forms.CharField(
        label=_("限制的许可类型"), max_length=16, required=False, help_text=_("仅限制申请资质：如CMA；不填为全部")
    )
    reason = forms.CharField(label=_("事由"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    legal_basis = forms.CharField(
        label=_("法律依据"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        today = timezone.localdate()
        kwargs.setdefault("initial", {"decided_on": today, "starts": today})
        super().__init__(*args, **kwargs)


class LiftBanForm(DomainErrorsMixin, forms.Form):
    """The lifting of a ban by a decision: the inputs of registry.actions.bans.do_lift_ban."""

    DOMAIN_FIELDS: Mapping[str, str] = {}

    decision_number = forms.CharField(label=_("解除决定文号"), max_length=64, required=False)
    lifted_on = forms.DateField(label=_("解除日期"), widget=DateInput(), input_formats=["%Y-%m-%d"])
    reason = forms.CharField(
        label=_("解除原因"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"lifted_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class BanFilterForm(FilterForm):
    kind = forms.ChoiceField(label=_("限制类型"), required=False, choices=with_all(_("全部"), BanKind.choices))
    state = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部")), ("in_force", _("执行中")), ("ended", _("已届满或已解除"))],
    )
    q = forms.CharField(label=_("名称、信用代码或文号"), required=False, max_length=100)
