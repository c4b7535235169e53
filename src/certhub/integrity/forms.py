"""Page input of the integrity pages (C9): types and presence only; the rules are integrity.joint's and the
actions'."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from certhub.core.errors import Conflict, ValidationFailed
from certhub.integrity.disclosure import CATEGORIES

ITEM_KEY = re.compile(r"items\[(?P<index>\d+)\](?:\.(?P<field>\w+))?")
ITEM_FIELDS = {"uscc": _("统一社会信用代码"), "name": _("姓名"), "id_number": _("身份证件号码")}


class DomainForm(forms.Form):
    def add_domain_errors(self, error: ValidationFailed | Conflict) -> None:
        """Show an action's refusal next to the fields it names; the rest above the form."""
        for name, field_messages in (error.errors or {"": [error.message]}).items():
            for message in field_messages:
                self.add_error(name if name in self.fields else None, message)


class JointQueryForm(DomainForm):
    """One item a line: a credit code, or a name and an identity-document number separated by a comma."""

    items = forms.CharField(
        label=_("查询对象"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20000,
        help_text=_("每行一条：统一社会信用代码，或“姓名,身份证件号码”；一次最多100条。"),
    )

    def parsed(self) -> list[dict[str, Any]]:
        """The lines as the query's items (the action checks them)."""
        items: list[dict[str, Any]] = []
        for line in self.cleaned_data["items"].splitlines():
            text = line.strip()
            if not text:
                continue
            parts = [part.strip() for part in text.replace("，", ",").split(",", 1)]
            if len(parts) == 2:
                items.append({"name": parts[0], "id_number": parts[1]})
            else:
                items.append({"uscc": parts[0]})
        return items

    def add_domain_errors(self, error: ValidationFailed | Conflict) -> None:
        """A bad item is shown by its line (of the non-empty lines) and field: 第3行 身份证件号码：…"""
        for name, field_messages in (error.errors or {"": [error.message]}).items():
            match = ITEM_KEY.fullmatch(name)
            for message in field_messages:
                if match is None:
                    self.add_error("items", message)
                    continue
                line = int(match["index"]) + 1
                label = ITEM_FIELDS.get(match["field"] or "", "")
                where = _("第%(line)d行") % {"line": line} + (f" {label}" if label else "")
                self.add_error("items", f"{where}：{message}")


class DisclosureFilterForm(forms.Form):
    q = forms.CharField(label=_("名称、信用代码或决定文号"), required=False, max_length=100)
    category = forms.ChoiceField(
        label=_("类别"), required=False, choices=[("", _("全部"))] + [(k, v) for k, v in CATEGORIES.items()]
    )


class DisclosureExportForm(forms.Form):
    region = forms.CharField(label=_("地区代码（GB/T 2260）"), required=False, max_length=6)
    file_format = forms.ChoiceField(label=_("格式"), choices=[("csv", "CSV"), ("xlsx", "XLSX")], initial="csv")


class CreditRepairForm(DomainForm):
    source = forms.CharField(widget=forms.HiddenInput, max_length=120)
    decision_number = forms.CharField(label=_("信用修复决定文号"), max_length=64)
    decided_on = forms.DateField(label=_("决定日期"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_publicity_on = forms.DateField(label=_("停止公示日期"), widget=forms.DateInput(attrs={"type": "date"}))
    authority = forms.CharField(label=_("决定机关"), max_length=100)
    reason = forms.CharField(label=_("修复理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
