"""The portal's forms: the certificate search of the home page and the search page."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from certhub.core.forms import FilterForm, region_choice_list, with_all
from certhub.core.models import Region
from certhub.registry.forms import PUBLIC_STATUS_CHOICES, scheme_choices


class CertificateSearchForm(FilterForm):
    q = forms.CharField(
        label=_("证书编号、组织名称或统一社会信用代码"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "enterkeyhint": "search"}),
    )
    scheme = forms.ChoiceField(label=_("认证制度"), required=False)
    status = forms.ChoiceField(label=_("证书状态"), required=False)
    region = forms.ChoiceField(label=_("所在地区"), required=False)
    # Set by the "certificates of this body" link on a body's page.
    body = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, regions: Iterable[Region] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["scheme"]).choices = with_all(_("全部认证制度"), scheme_choices())
        cast(forms.ChoiceField, self.fields["status"]).choices = with_all(_("全部状态"), PUBLIC_STATUS_CHOICES)
        cast(forms.ChoiceField, self.fields["region"]).choices = with_all(_("全省"), region_choice_list(regions))
