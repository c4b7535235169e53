"""Forms of the self-declaration pages (C7). They parse the shape of input only — texts, one model, GTIN or
standard per line, dates; the rules (the catalogue on the day, the report's lab and signatory, GTIN check
digits, standard codes) are the action's, whose refusals stand next to the fields they name
(docs/architecture.md convention 7)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from certhub.core.errors import Conflict, NotPermitted, ValidationFailed
from certhub.core.forms import DateInput, FilterForm

# An action's item of a list field: product_models[2] → the product_models field, its third line.
ITEM = re.compile(r"^(?P<field>\w+)\[(?P<index>\d+)\]$")


def lines(text: str) -> list[str]:
    """One entry per line (also separated by ；, ; or 、 as people type lists); blank lines dropped."""
    return [part.strip() for part in re.split(r"[\r\n;；、]+", text or "") if part.strip()]


class DomainForm(forms.Form):
    """A form whose submission goes to an action: its refusals stand next to our fields; an item of a list
    field (product_models[1]) is named by its line; a field the form does not have goes above the form."""

    def add_domain_errors(self, error: ValidationFailed | Conflict | NotPermitted) -> None:
        messages = getattr(error, "errors", None) or {"": [error.message]}
        for name, field_messages in messages.items():
            match = ITEM.match(name)
            field = match["field"] if match else name
            for message in field_messages:
                if match:
                    message = gettext("第%(line)d行：%(message)s") % {
                        "line": int(match["index"]) + 1,
                        "message": message,
                    }
                self.add_error(field if field in self.fields else None, message)


class DeclarationForm(DomainForm):
    """What a producer declares: the catalogue product, what it is called, its models, trademark and GTINs,
    the standards, the type-test report (or why it cannot be checked here), and the declaration day."""

    ccc_product_code = forms.CharField(
        label=_("CCC目录代码"),
        max_length=20,
        help_text=_("目录中标注*或**、可采用自我声明的产品代码，如0704"),
        widget=forms.TextInput(attrs={"list": "declarable-products", "inputmode": "numeric", "autocomplete": "off"}),
    )
    product_name = forms.CharField(label=_("产品名称"), max_length=200)
    product_models = forms.CharField(
        label=_("型号"), max_length=20_000, help_text=_("每行一个型号"), widget=forms.Textarea(attrs={"rows": 3})
    )
    trademark = forms.CharField(label=_("商标"), max_length=100, required=False)
    gtins = forms.CharField(
        label=_("商品条码"),
        max_length=4_000,
        required=False,
        help_text=_("每行一个（EAN-13等），可不填"),
        widget=forms.Textarea(attrs={"rows": 2, "inputmode": "numeric"}),
    )
    standards = forms.CharField(
        label=_("依据标准"),
        max_length=4_000,
        help_text=_("每行一个，如 GB 4706.1-2005"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    test_report_number = forms.CharField(
        label=_("型式试验报告编号"), max_length=64, required=False, help_text=_("在CertHub登记的报告")
    )
    lab_cma_number = forms.CharField(
        label=_("检验检测机构资质认定证书编号"), max_length=32, required=False, help_text=_("出具报告的机构")
    )
    report_note = forms.CharField(
        label=_("报告无法核验的原因"),
        max_length=2_000,
        required=False,
        help_text=_("报告不在CertHub中时填写，如出具报告的实验室不在本省"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    declared_on = forms.DateField(label=_("声明日期"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"declared_on": timezone.localdate()})
        super().__init__(*args, **kwargs)

    def arguments(self) -> dict[str, Any]:
        """The action's arguments from the cleaned form (lists split by line)."""
        data = self.cleaned_data
        return {
            "ccc_product_code": data["ccc_product_code"],
            "product_name": data["product_name"],
            "product_models": lines(data["product_models"]),
            "trademark": data["trademark"],
            "gtins": lines(data["gtins"]),
            "standards": lines(data["standards"]),
            "test_report_number": data["test_report_number"],
            "lab_cma_number": data["lab_cma_number"],
            "report_note": data["report_note"],
            "declared_on": data["declared_on"],
        }


class WithdrawalForm(DomainForm):
    reason = forms.CharField(label=_("撤回原因"), max_length=2_000, widget=forms.Textarea(attrs={"rows": 3}))
    withdrawn_on = forms.DateField(label=_("撤回日期"), widget=DateInput(), help_text=_("自该日起声明不再有效"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"withdrawn_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class DeclarationSearchForm(FilterForm):
    q = forms.CharField(
        label=_("查询"),
        max_length=200,
        required=False,
        help_text=_("自我声明编号、生产者、产品或型号"),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    producer = forms.CharField(label=_("生产者"), max_length=200, required=False)
    product = forms.CharField(label=_("产品"), max_length=200, required=False)
    model = forms.CharField(label=_("型号"), max_length=100, required=False)
