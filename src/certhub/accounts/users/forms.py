"""Forms of the user pages: they parse and check the shape of input; the rules live in
accounts.users.actions, whose refusals `add_domain_errors` puts next to the fields they name."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from certhub.accounts.users import queries
from certhub.core.actions import API_KEY_ROLES
from certhub.core.actors import Actor
from certhub.core.choices import ApiScope, Role
from certhub.core.errors import Conflict, NotPermitted, ValidationFailed
from certhub.core.forms import FilterForm, region_choice_list, with_all
from certhub.core.models import DEFAULT_API_KEY_RATE_LIMIT
from certhub.inspections.models import Inspector
from certhub.registry.models import Organization


class DomainForm(forms.Form):
    """A form whose submission goes to an action: the action's refusals are shown next to our fields."""

    def add_domain_errors(self, error: ValidationFailed | Conflict | NotPermitted) -> None:
        for name, field_messages in (getattr(error, "errors", None) or {"": [error.message]}).items():
            for message in field_messages:
                self.add_error(name if name in self.fields else None, message)


class UserFilterForm(FilterForm):
    q = forms.CharField(label=_("用户名、姓名或部门"), required=False, max_length=100)
    role = forms.ChoiceField(label=_("角色"), required=False, choices=with_all(_("全部角色"), Role.choices))
    active = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), ("yes", _("启用")), ("no", _("已停用"))]
    )


class OrganizationField(forms.CharField):
    """An organization named by its credit code (the code people have on paper)."""

    def clean(self, value: Any) -> Organization | None:
        code = (super().clean(value) or "").strip().upper()
        if not code:
            return None
        organization = Organization.objects.filter(uscc=code).first()
        if organization is None:
            raise forms.ValidationError(_("登记库中没有统一社会信用代码为“%(uscc)s”的机构") % {"uscc": code[:40]})
        return organization


class AssignmentForm(DomainForm):
    """Role, region, department and organization: what decides a user's scope (C14)."""

    role = forms.ChoiceField(label=_("角色"))
    region = forms.ChoiceField(label=_("辖区"), required=False, help_text=_("监管人员和执法检查人员必填"))
    department = forms.CharField(label=_("部门"), required=False, max_length=64)
    organization = OrganizationField(
        label=_("所属机构（统一社会信用代码）"),
        required=False,
        max_length=18,
        help_text=_("认证机构、检验检测机构和企业的用户必填"),
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = [
            (r.value, r.label) for r in queries.grantable_roles(actor)
        ]
        regions = region_choice_list(queries.regions_for(actor))
        cast(forms.ChoiceField, self.fields["region"]).choices = with_all(_("无"), regions)


class InspectorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Inspector) -> str:
        return f"{obj.code} {obj.name}"


class UserCreateForm(AssignmentForm):
    username = forms.CharField(label=_("用户名"), max_length=150)
    name = forms.CharField(label=_("姓名"), max_length=150)
    email = forms.EmailField(label=_("电子邮件"), help_text=_("设置密码的一次性链接发到这里"))
    inspector = InspectorChoiceField(
        label=_("对应名录库中的检查人员"),
        queryset=Inspector.objects.none(),
        required=False,
        help_text=_("执法检查人员账号：关联后只能看到并录入本人的检查任务"),
    )
    field_order = ["username", "name", "email", "role", "region", "department", "organization", "inspector"]

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, actor=actor, **kwargs)
        cast(InspectorChoiceField, self.fields["inspector"]).queryset = queries.unlinked_inspectors(actor)


class InspectorLinkForm(DomainForm):
    """Link an officer's or inspector's account to their entry in the inspector pool."""

    inspector = InspectorChoiceField(label=_("对应名录库中的检查人员"), queryset=Inspector.objects.none())

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(InspectorChoiceField, self.fields["inspector"]).queryset = queries.unlinked_inspectors(actor)


class ReasonForm(DomainForm):
    reason = forms.CharField(label=_("理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ApiKeyIssueForm(DomainForm):
    name = forms.CharField(label=_("用途"), max_length=100)
    role = forms.ChoiceField(label=_("角色"), choices=[(r, Role(r).label) for r in API_KEY_ROLES])
    scopes = forms.MultipleChoiceField(
        label=_("权限范围"),
        choices=ApiScope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选则为该角色的默认范围"),
        required=False,
    )
    days = forms.IntegerField(label=_("有效期（天）"), required=False, min_value=1)
    rate_limit = forms.IntegerField(label=_("每分钟请求上限"), initial=DEFAULT_API_KEY_RATE_LIMIT, min_value=1)
