"""The on-site check form (C7): what an inspector reads off a product in a shop — its barcode, the certificate or
self-declaration number on its label or nameplate, the product, model and trademark — and where it was seen.
It parses the shape of input only; the rules (GTIN check digit, catalogue code, lengths, the shop's credit code)
are market.listings', applied by do_check_listings, whose refusals stand next to the fields they name
(docs/architecture.md convention 7)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from certhub.core.errors import Conflict, NotPermitted, ValidationFailed
from certhub.market.models import Campaign

# What do_check_listings names a field of the one listing a page submits: "listings[0].gtin".
_LISTING_FIELD = re.compile(r"^listings\[0\]\.(?P<field>\w+)$")


class OnsiteCheckForm(forms.Form):
    """One product on a shelf. Every field is optional here: a barcode alone, a number alone, or a product's
    name and model alone is a check; market.listings says what a listing needs."""

    gtin = forms.CharField(
        label=_("商品条码"),
        required=False,
        max_length=14,
        help_text=_("扫描条码，或输入条码下方的8至14位数字"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}),
    )
    claimed_number = forms.CharField(
        label=_("证书或自我声明编号"),
        required=False,
        max_length=64,
        help_text=_("标签、铭牌或包装上的CCC证书编号或自我声明编号（如有）"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
    )
    product_name = forms.CharField(label=_("产品名称"), required=False, max_length=200)
    model = forms.CharField(
        label=_("型号"), required=False, max_length=100, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    trademark = forms.CharField(label=_("商标"), required=False, max_length=100)
    shop = forms.CharField(label=_("店铺或经营者"), required=False, max_length=200)
    shop_uscc = forms.CharField(
        label=_("经营者统一社会信用代码"),
        required=False,
        max_length=18,
        help_text=_("营业执照上的18位代码（如有）"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
    )
    campaign = forms.ChoiceField(label=_("专项整治"), required=False)

    def __init__(self, *args: Any, campaigns: Iterable[Campaign] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.campaigns = {str(c.pk): c for c in campaigns}
        field = self.fields["campaign"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("（不属于专项整治）")), *((pk, c.name) for pk, c in self.campaigns.items())]

    def listing(self) -> dict[str, str]:
        """The listing do_check_listings takes (its keys, market.listings): what was typed, trimmed."""
        data = self.cleaned_data
        keys = ("gtin", "claimed_number", "product_name", "model", "trademark", "shop", "shop_uscc")
        return {key: data[key].strip() for key in keys if data.get(key, "").strip()}

    def chosen_campaign(self) -> Campaign | None:
        return self.campaigns.get(self.cleaned_data.get("campaign") or "")

    def add_domain_errors(self, error: ValidationFailed | Conflict | NotPermitted) -> None:
        """The action's refusals next to our fields ("listings[0].gtin" → gtin); above the form for the rest."""
        messages = getattr(error, "errors", None) or {"": [error.message]}
        for name, field_messages in messages.items():
            match = _LISTING_FIELD.match(name)
            field = match["field"] if match else name
            for message in field_messages:
                self.add_error(field if field in self.fields else None, message)
