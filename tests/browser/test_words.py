"""The words and small cues a person reads: Chinese never slanted, one message where two said
the same, full-width brackets in Chinese, required fields marked, the displays' table."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.test_report_print import midyear_server  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.live]

#: Every element with text of its own that is set in italic (or oblique), and every style rule
#: of the page's own stylesheets that asks for it: a browser slants Chinese, which has no italic.
SLANTED = """() => {
  const shown = Array.from(document.querySelectorAll("body *")).filter(element =>
    Array.from(element.childNodes).some(node => node.nodeType === 3 && node.textContent.trim())
    && getComputedStyle(element).fontStyle !== "normal").map(element => element.textContent.trim());
  const rules = Array.from(document.styleSheets).flatMap(sheet => Array.from(sheet.cssRules))
    .filter(rule => rule.style && /italic|oblique/.test(rule.style.fontStyle))
    .map(rule => rule.selectorText);
  return shown.concat(rules);
}"""


def slanted(page: Page) -> list[str]:
    return page.evaluate(SLANTED)


def test_no_chinese_is_set_in_italic(midyear_server, open_board):  # noqa: F811
    page = open_board("viewer")
    for path in ("/indicators", "/board/workload"):
        page.goto(midyear_server.url + path)
        assert slanted(page) == [], path
