"""Creating a project from the board, and text that looks like HTML staying text everywhere."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import assert_not_reloaded, card, mark

pytestmark = [pytest.mark.browser, pytest.mark.live]

NEW_PROJECT = "button[hx-get$='/board/projects/new']"


def submit(page: Page, form):
    with page.expect_response(lambda r: r.url.endswith("/board/projects")
                              and r.request.method == "POST") as response:
        form.locator("button[type=submit]").click()
    return response.value


def test_create_project_validates_inline_then_appears_everywhere(api, open_board, artifacts):
    member = api("member")
    before = len(member.projects())
    a = open_board("member")
    b = open_board("lead")
    mark(a, b)

    a.click(NEW_PROJECT)
    form = a.locator("dialog#dialog .project-form")
    expect(form).to_be_visible()
    form.locator("input[name=name]").fill("")
    form.locator("input[name=investment_wan]").fill("abc")
    response = submit(a, form)
    assert response.status == 422, response.status

    form = a.locator("dialog#dialog .project-form")
    for field in ("name", "investment_wan"):
        field_input = form.locator(f"input[name={field}]")
        expect(field_input).to_have_attribute("aria-invalid", "true")
        error = form.locator(f"label:has(input[name={field}]) + .field-error")
        expect(error).to_be_visible()
        expect(error).not_to_be_empty()
        expect(field_input).to_have_attribute("aria-describedby", error.get_attribute("id"))
    expect(form.locator("input[name=investment_wan]")).to_have_value("abc")  # nothing typed is lost
    a.screenshot(path=artifacts / "board-new-project-errors.png")
    assert len(member.projects()) == before

    name = "湘江智能网联汽车零部件项目"
    form.locator("input[name=name]").fill(name)
    form.locator("input[name=investor]").fill("远航汽车科技有限公司")
    form.locator("input[name=investment_wan]").fill("12,000")
    response = submit(a, form)
    assert response.status in (200, 204), response.status
    expect(a.locator("dialog#dialog")).not_to_have_attribute("open", "")

    stored = [p for p in member.projects() if p["name"] == name]
    assert len(stored) == 1, stored
    assert (stored[0]["stage"], stored[0]["investment_wan"]) == ("contact", 12000)
    for page in (a, b):
        new = card(page, stored[0]["id"], "contact")
        expect(new).to_be_visible()
        expect(new.locator(".card-title")).to_have_text(name)
    assert len(member.projects()) == before + 1
    assert_not_reloaded(a, b)


XSS_NAME = '<img src=x onerror="window.__xss=1">'
XSS_INVESTOR = "<script>window.__xss=2</script>"
# Markup that htmx itself would act on, a javascript: link and a template expression.
XSS_HTMX = '<a href="javascript:window.__xss=3" hx-get="/xss-probe" hx-trigger="load">{{7*7}}</a>'


def broken_image_settled(page: Page) -> None:
    """Load the payload's own bad image URL: once that has failed, an injected one would have."""
    page.evaluate("""() => new Promise(done => {
        const img = new Image(); img.onerror = img.onload = done; img.src = 'x'; })""")


def test_html_in_names_is_shown_as_text(api, open_board, open_wall, artifacts):
    member = api("member")
    before = member.create(XSS_NAME, investor=XSS_INVESTOR)        # in the first HTML
    dialogs: list[str] = []
    a = open_board("member")
    b = open_board("lead")
    wall = open_wall()
    pages = (a, b, wall)
    probes: list[str] = []
    for page in pages:
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("request", lambda r: probes.append(r.url) if "xss-probe" in r.url else None)
    pushed = member.create(XSS_NAME + " 2", investor=XSS_INVESTOR)  # through the live push
    htmx_bait = member.create(XSS_HTMX, investor=XSS_HTMX)
    for page in pages:
        shown = card(page, htmx_bait["id"], "contact")
        expect(shown.locator(".card-title")).to_have_text(XSS_HTMX)
        expect(shown.locator("a")).to_have_count(0)

    for page in pages:
        for project, name in ((before, XSS_NAME), (pushed, XSS_NAME + " 2")):
            shown = card(page, project["id"], "contact")
            expect(shown.locator(".card-title")).to_have_text(name)
            expect(shown.locator(".card-investor")).to_have_text(XSS_INVESTOR)
            expect(shown.locator("img, script")).to_have_count(0)

    # The panel and the edit form show it as text too.
    card(b, pushed["id"]).locator(".card-title").click()
    panel = b.locator(f'dialog [data-panel-project="{pushed["id"]}"]')
    expect(panel.locator("h2")).to_have_text(XSS_NAME + " 2")
    expect(panel.locator(".record")).to_contain_text(XSS_INVESTOR)
    expect(panel.locator("img, script")).to_have_count(0)
    b.screenshot(path=artifacts / "board-xss-panel.png")
    panel.locator("button[hx-get$='/edit']").click()
    expect(b.locator("dialog input[name=name]")).to_have_value(XSS_NAME + " 2")
    expect(b.locator("dialog input[name=investor]")).to_have_value(XSS_INVESTOR)

    for page in pages:
        broken_image_settled(page)
        assert page.evaluate("typeof window.__xss") == "undefined"
    assert dialogs == []
    assert probes == []  # no injected hx-get fired
    wall.screenshot(path=artifacts / "wall-xss.png")
