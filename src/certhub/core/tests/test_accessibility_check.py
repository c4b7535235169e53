"""The accessibility check every browser test runs (core.testing.assert_accessible): axe-core's WCAG 2.1 A and
AA rules in a real browser. A page that breaks them fails with a list a developer can act on; a page that
keeps them passes; and the check loads nothing from the network (axe-core comes inside the installed package)."""

from __future__ import annotations

import pytest

from certhub.core.testing import assert_accessible

pytestmark = [pytest.mark.browser]

GOOD = (
    '<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8"><title>证书查询</title></head>'
    '<body><main><h1>证书查询</h1><form><label for="q">证书编号</label><input id="q" name="q">'
    "<button>查询</button></form></main></body></html>"
)
BAD = (
    '<!doctype html><html><head><meta charset="utf-8"></head>'
    '<body><main><h1>证书查询</h1><p style="color:#aaaaaa;background:#ffffff">浅色的说明</p>'
    '<input id="q" name="q"><a href="/certificates/"></a></main></body></html>'
)


def test_an_accessible_page_passes_and_nothing_is_fetched(phone):
    phone.set_content(GOOD)
    requests: list[str] = []
    phone.on("request", lambda request: requests.append(request.url))
    assert_accessible(phone, context="a good page")
    assert requests == []


def test_a_page_breaking_the_rules_fails_with_rule_impact_help_and_elements(phone):
    phone.set_content(BAD)
    with pytest.raises(AssertionError) as failure:
        assert_accessible(phone, context="a bad page")
    lines = str(failure.value).splitlines()
    assert lines[:8] == [
        "a bad page (about:blank) is not accessible:",
        "color-contrast (serious): Elements must meet minimum color contrast ratio thresholds",
        "    p: Element has insufficient color contrast of 2.32 (foreground color: #aaaaaa, background color: "
        "#ffffff, font size: 12.0pt (16px), font weight: normal). Expected contrast ratio of 4.5:1",
        "document-title (serious): Documents must have <title> element to aid in navigation",
        "    html: Document does not have a non-empty <title> element",
        "html-has-lang (serious): <html> element must have a lang attribute",
        "    html: The <html> element does not have a lang attribute",
        "label (critical): Form elements must have labels",
    ]
    assert lines[8].startswith("    #q: Element does not have an implicit (wrapped) <label>; ")
    assert lines[9:] == [
        "link-name (serious): Links must have discernible text",
        "    a: Element is in tab order and does not have accessible text; Element does not have text that is "
        "visible to screen readers; aria-label attribute does not exist or is empty; aria-labelledby attribute "
        "does not exist, references elements that do not exist or references elements that are empty; Element "
        "has no title attribute",
    ]
