"""Forms of the market office pages (C7): the checks list's filters and a new campaign. They parse the shape
of input only; the rules (the officer's region, catalogue codes in force, dates) are
market.actions.do_create_campaign's, whose refusals stand next to the fields they name."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from certhub.core.errors import Conflict, NotPermitted, ValidationFailed
from certhub.core.forms import DateInput, FilterForm, with_all
from certhub.market.choices import CheckChannel, Verdict
from certhub.market.models import Campaign


class CheckFilterForm(FilterForm):
    verdict = forms.ChoiceField(label=_("结论"), required=False)
    campaign = forms.ChoiceField(label=_("专项整治"), required=False)
    channel = forms.ChoiceField(label=_("发现渠道"), required=False)
    since = forms.DateField(label=_("检查日期自"), required=False, widget=DateInput())
    until = forms.DateField(label=_("检查日期至"), required=False, widget=DateInput())
    number = forms.CharField(label=_("所称编号"), required=False, max_length=64)

    def __init__(self, *args: Any, campaigns: list[Campaign], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.campaigns = {str(c.pk): c for c in campaigns}
        verdicts = [("negative", gettext("全部违法情形")), *Verdict.choices]
        self.fields["verdict"].choices = with_all(gettext("全部"), verdicts)  # type: ignore[attr-defined]
        self.fields["campaign"].choices = with_all(  # type: ignore[attr-defined]
            gettext("全部"), [(key, c.name) for key, c in self.campaigns.items()]
        )
        self.fields["channel"].choices = with_all(gettext("全部"), CheckChannel.choices)  # type: ignore[attr-defined]

    def chosen_campaign(self) -> Campaign | None:
        return self.campaigns.get(self.criteria().get("campaign", ""))


def _codes(text: str) -> list[str]:
    """Catalogue codes as people list them: separated by spaces, commas or 、."""
    return [code for code in re.split(r"[\s,，、;；]+", text) if code]


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("专项整治名称"), max_length=200)
    region_code = forms.CharField(
        label=_("地区代码"), max_length=6, help_text=_("本辖区或其下级地区的行政区划代码，如430100")
    )
    product_codes = forms.CharField(
        label=_("CCC目录产品代码"),
        required=False,
        help_text=_("以空格或逗号分隔，如 0701 0703；留空表示全部目录产品"),
    )
    starts_on = forms.DateField(label=_("开始日期"), widget=DateInput())
    ends_on = forms.DateField(label=_("结束日期"), widget=DateInput())
    description = forms.CharField(label=_("说明"), required=False, max_length=2000, widget=forms.Textarea)

    def codes(self) -> list[str]:
        return _codes(self.cleaned_data["product_codes"])

    def add_domain_errors(self, error: ValidationFailed | Conflict | NotPermitted) -> None:
        """The action's refusals next to their fields; a refused code (product_codes[1]) next to the codes."""
        messages = getattr(error, "errors", None) or {"": [error.message]}
        for name, field_messages in messages.items():
            field = name.split("[", 1)[0]
            for message in field_messages:
                self.add_error(field if field in self.fields else None, message)
