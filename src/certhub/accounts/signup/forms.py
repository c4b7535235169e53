"""Forms of sign-up and organization links: they parse and check the shape of input; the rules live in
accounts.signup.actions, whose refusals stand next to the fields they name."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from certhub.accounts.models import LinkMethod
from certhub.accounts.users.forms import DomainForm


class SignUpForm(DomainForm):
    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        help_text=_("登录时使用：3到30个字母、数字或 . _ -"),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    name = forms.CharField(label=_("姓名"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    # The address is checked by the action (one rule, one message), not by Django's EmailField.
    email = forms.CharField(
        label=_("电子邮件"),
        max_length=254,
        help_text=_("确认链接发到这里"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        help_text=_("至少12个字符，不要用常见密码或纯数字"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    accepted_terms = forms.BooleanField(label=_("我已阅读并同意用户协议"), required=False)


class LinkRequestForm(DomainForm):
    uscc = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=40,
        help_text=_("18位，见营业执照"),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"}),
    )
    method = forms.ChoiceField(
        label=_("确认方式"),
        choices=LinkMethod.choices,
        initial=LinkMethod.CODE,
        widget=forms.RadioSelect,
        help_text=_("机构没有登记联系邮箱时，由监管人员审核"),
    )
    note = forms.CharField(
        label=_("申请说明（选填）"),
        required=False,
        max_length=500,
        help_text=_("给审核人员看：你在该机构的职务、联系电话等"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class LinkCodeForm(DomainForm):
    code = forms.CharField(
        label=_("验证码"),
        max_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*", "maxlength": "6"}
        ),
    )


class RefusalForm(DomainForm):
    reason = forms.CharField(label=_("驳回理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
