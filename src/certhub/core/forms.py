"""Form pieces every app's pages share: the date input, GET filter forms and region choices."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from certhub.core.display import localized_name
from certhub.core.models import Region


def with_all(label: Any, choices: Iterable[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """Choices headed by the empty "all" choice of a filter."""
    return [("", label), *choices]


def region_choice_list(regions: Iterable[Region]) -> list[tuple[str, str]]:
    return [(r.code, localized_name(r)) for r in regions]


class FilterForm(forms.Form):
    """A GET filter form: every field optional, and `criteria()` gives the values that were set."""

    def criteria(self) -> dict[str, str]:
        if not self.is_bound or not self.is_valid():
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)
