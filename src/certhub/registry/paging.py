"""Pagination whose count is bounded: counting every match of a broad search over millions of
certificates costs a full scan, while nobody pages past the first few hundred results."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import cached_property

from certhub.registry.queries import TwoStepSlices

PER_PAGE = 20
COUNT_CAP = 1000


class BoundedPaginator(Paginator):
    """A Django paginator that counts at most `cap` + 1 rows (`SELECT COUNT(*)` over a LIMIT subquery).

    When there are more, `count` is `cap` + 1 and `capped` is true: the page says "more than 1,000"
    and asks for a narrower search."""

    def __init__(self, object_list: TwoStepSlices, per_page: int = PER_PAGE, cap: int = COUNT_CAP) -> None:
        # Django's Paginator only counts and slices object_list; the stubs' protocol also demands __iter__.
        super().__init__(object_list, per_page)  # type: ignore[arg-type]
        self.slices = object_list
        self.cap = cap

    @cached_property
    def count(self) -> int:
        return self.slices.bounded_count(self.cap)

    @property
    def capped(self) -> bool:
        return self.count > self.cap


def paginate(request: HttpRequest, queryset: QuerySet[Any], per_page: int = PER_PAGE) -> Page:
    """The page named by `?page=` (out-of-range and malformed numbers give the nearest valid page). The
    rows of a page are fetched in two steps (registry.queries.TwoStepSlices)."""
    return BoundedPaginator(TwoStepSlices(queryset), per_page).get_page(request.GET.get("page"))
