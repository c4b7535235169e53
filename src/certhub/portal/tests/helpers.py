"""Small readers for rendered pages: the tests assert on what a person sees, not on status codes alone."""

from __future__ import annotations

import html
import re

from django.http import HttpResponse

TAG = re.compile(r"<[^>]+>")


def text_of(fragment: str) -> str:
    """The visible text of an HTML fragment, with whitespace collapsed."""
    return " ".join(html.unescape(TAG.sub(" ", fragment)).split())


def page_text(response: HttpResponse) -> str:
    return text_of(response.content.decode())


def element_text(response: HttpResponse, element_id: str) -> str:
    """The text of the element with `id`, up to its closing tag (our templates do not nest the same tag
    inside the elements the tests read)."""
    content = response.content.decode()
    match = re.search(rf'<(\w+)[^>]*\bid="{re.escape(element_id)}"[^>]*>(.*?)</\1>', content, re.S)
    assert match, f"no element with id={element_id!r}"
    return text_of(match.group(2))


def by_class(response: HttpResponse, class_name: str) -> list[str]:
    """The texts of the <p>, <span>, <li> or <section> elements carrying `class_name`."""
    content = response.content.decode()
    pattern = rf'<(p|span|li|section|div|td|ul)[^>]*\bclass="[^"]*\b{re.escape(class_name)}\b[^"]*"[^>]*>(.*?)</\1>'
    return [text_of(m.group(2)) for m in re.finditer(pattern, content, re.S)]


def table_rows(response: HttpResponse) -> list[list[str]]:
    """The body rows of every data table, as lists of cell texts."""
    content = response.content.decode()
    rows = []
    for body in re.findall(r"<tbody>(.*?)</tbody>", content, re.S):
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
            rows.append([text_of(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)])
    return rows
