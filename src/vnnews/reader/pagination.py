"""Pages of a list without COUNT(*): fetch one row more than shown to know if there is a next."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MAX_PAGE = 500


@dataclass
class ListPage:
    number: int
    per_page: int
    items: list[Any] = field(default_factory=list)
    has_next: bool = False

    @property
    def next_number(self) -> int | None:
        return self.number + 1 if self.has_next else None


def page_number(request, name: str = "trang") -> int:
    """The requested page number; anything odd falls back to 1 instead of an error page."""
    try:
        number = int(request.GET.get(name, "1"))
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)


def page_of(queryset, number: int, per_page: int) -> ListPage:
    start = (number - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    return ListPage(
        number=number, per_page=per_page, items=rows[:per_page], has_next=len(rows) > per_page
    )
