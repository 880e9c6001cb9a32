"""The wall read from across the room, held to a legibility bar in Chromium at 1920x1080 and
3840x2160 with 10, 60 and 200 projects:

- **no text under 1/60 of the screen's height** (18 px at 1080p, 36 px at 4K), on the board,
  in the header and in the ticker;
- **names whole, two lines before an ellipsis**: no name is cut across (one line with an
  ellipsis), a name cut short has had at least two lines, and most names are whole;
- **the same card size in every column while every column fits**;
- **a crowded column is full**: a column with more cards than fit at the smallest legible size
  shows them a page at a time, and its page leaves at most 20 % of the column empty; while one
  column pages, no other column is more than 20 % empty unless its type is as large as the
  wall sets it, or its names or its width keep it from growing.

static/js/wall.js names the same bar. Screenshots land in ``test-artifacts/wall-legibility-*``.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import STAGES
from tests.browser.test_wall import fill_board  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.live]

#: The legibility bar.
MIN_TEXT_SHARE = 1 / 60          # of the screen's height: 18 px at 1080p
NAME_LINES = 2                   # lines a name takes before an ellipsis
MAX_EMPTY_SHARE = 0.20           # of a column's height, while a column pages
MAX_TYPE_SHARE = 0.032           # the largest type the wall sets (wall.js), of the height
WHOLE_NAMES_SHARE = 0.5          # at least this share of the names on screen shown whole

SIZES = ((1920, 1080), (3840, 2160))
#: Cards per column: a few, a board in full swing (one layout for all), a crowded and uneven one.
BOARDS = {
    10: {"contact": 4, "negotiating": 3, "signed": 1, "started": 1, "producing": 1},
    60: dict.fromkeys(STAGES, 12),
    200: {"contact": 70, "negotiating": 55, "signed": 40, "started": 25, "producing": 10},
}

REPORT = """(minText) => {
    const small = [];
    // Every piece of text a person can see, and the size it is set in.
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode;
        if (!node.textContent.trim()) continue;
        const element = node.parentElement;
        if (element.closest('.visually-hidden, script, style, template, [hidden]')) continue;
        const style = getComputedStyle(element);
        if (style.visibility === 'hidden' || style.color === 'rgba(0, 0, 0, 0)') continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        const box = range.getBoundingClientRect();
        if (box.width < 1 || box.height < 1 || box.bottom <= 0 || box.top >= innerHeight
            || box.right <= 0 || box.left >= innerWidth) continue;
        const size = parseFloat(style.fontSize);
        if (size < minText - 0.05)
            small.push(`${element.className || element.tagName} ${size.toFixed(1)}px: `
                       + node.textContent.trim().slice(0, 24));
    }
    const columns = [];
    const names = [];
    for (const column of document.querySelectorAll('.column')) {
        const list = column.querySelector('.cards');
        const style = getComputedStyle(list);
        const box = list.getBoundingClientRect();
        const top = box.top + parseFloat(style.paddingTop);
        const bottom = box.bottom - parseFloat(style.paddingBottom);
        let lowest = top;
        const sizes = new Set(), heights = new Set();
        let shown = 0;
        for (const card of list.querySelectorAll('.card')) {
            const r = card.getBoundingClientRect();
            if (r.width < 1) continue;
            shown++;
            lowest = Math.max(lowest, r.bottom);
            heights.add(Math.round(r.height));
            const title = card.querySelector('.card-title');
            const titleStyle = getComputedStyle(title);
            const lineHeight = parseFloat(titleStyle.lineHeight);
            sizes.add(parseFloat(titleStyle.fontSize));
            // The lines the whole name takes, and the lines its box shows.
            const range = document.createRange();
            range.selectNodeContents(title);
            const tops = new Set([...range.getClientRects()].map(q => Math.round(q.top)));
            const visible = title.getBoundingClientRect();
            names.push({name: title.textContent.trim(), stage: column.dataset.stage,
                        lines: tops.size,
                        shownLines: Math.round(Math.min(visible.height, r.bottom - visible.top)
                                               / lineHeight),
                        across: title.scrollWidth > title.clientWidth + 1});
        }
        const mark = column.querySelector('.column-page:not([hidden])');
        columns.push({stage: column.dataset.stage, shown,
                      count: column.querySelectorAll('.card').length,
                      page: mark ? mark.textContent : '', layout: list.dataset.layout,
                      limit: list.dataset.limit, sizes: [...sizes], heights: [...heights],
                      empty: (bottom - lowest) / (bottom - top),
                      overflow: lowest > bottom + 0.5});
    }
    return {small, columns, names};
}"""


def legibility(page: Page, height: int) -> dict:
    return page.evaluate(REPORT, height * MIN_TEXT_SHARE)


def check_bar(report: dict, height: int) -> list[str]:
    """What falls short of the bar, in words."""
    problems = [f"text under {height * MIN_TEXT_SHARE:.1f} px: {text}"
                for text in report["small"]]
    columns = report["columns"]
    for column in columns:
        if column["overflow"]:
            problems.append(f"{column['stage']}: cards run out of the column")
        if column["shown"] < column["count"] and not column["page"]:
            problems.append(f"{column['stage']}: {column['count'] - column['shown']} cards "
                            "hidden without pages")
        if len(column["sizes"]) > 1 or len(column["heights"]) > 1:
            problems.append(f"{column['stage']}: cards of different sizes {column}")
    for name in report["names"]:
        if name["across"]:
            problems.append(f"name cut across: {name}")
        if name["lines"] > name["shownLines"] and name["shownLines"] < NAME_LINES:
            problems.append(f"name cut before its second line: {name}")
    whole = sum(n["lines"] <= n["shownLines"] for n in report["names"])
    if whole < WHOLE_NAMES_SHARE * len(report["names"]):
        problems.append(f"only {whole} of {len(report['names'])} names whole")
    paging = [c for c in columns if c["page"]]
    if not paging:
        sizes = {size for c in columns for size in c["sizes"]}
        heights = {h for c in columns for h in c["heights"]}
        if len(sizes) > 1 or max(heights, default=0) - min(heights, default=0) > 1:
            problems.append(f"every column fits, yet the cards differ: {sizes} px, {heights}")
    for column in columns:
        if not paging or column["empty"] <= MAX_EMPTY_SHARE or not column["shown"]:
            continue
        largest = max(column["sizes"]) >= height * MAX_TYPE_SHARE - 0.5
        if column["page"] or not (largest or column["limit"] in ("largest", "names", "width", "order")):
            problems.append(f"{column['stage']} is {column['empty']:.0%} empty while "
                            f"{', '.join(c['stage'] for c in paging)} page: {column}")
    return problems


@pytest.mark.parametrize("projects", list(BOARDS))
def test_the_wall_meets_the_legibility_bar(projects, fill_board, open_wall,  # noqa: F811
                                           artifacts):
    counts = BOARDS[projects]
    fill_board(counts)
    for width, height in SIZES:
        wall = open_wall(width, height)
        expect(wall.locator(".card")).to_have_count(projects)
        wall.screenshot(path=artifacts / f"wall-legibility-{projects}-{width}x{height}.png")
        report = legibility(wall, height)
        problems = check_bar(report, height)
        layouts = {c["stage"]: (c["layout"], c["sizes"], c["page"], f"{c['empty']:.0%}")
                   for c in report["columns"]}
        assert problems == [], f"{width}x{height}, {projects} projects: {layouts}"
        if projects == 60:   # one layout and one size for every column
            assert not any(c["page"] for c in report["columns"]), layouts
        if projects == 200:
            assert all(c["page"] for c in report["columns"] if c["count"] >= 40), layouts
        wall.context.close()


def test_a_crowded_column_turns_its_pages_and_shows_a_new_card(fill_board, api, live_server,  # noqa: F811
                                                               new_context, page_errors,
                                                               wall_path, artifacts):
    """A column that pages turns to its next page by itself; a card moved into it is shown at
    once (its page), not left on a page the column is not showing."""
    fill_board({"contact": 3, "negotiating": 40})
    context = new_context(viewport={"width": 1920, "height": 1080})
    wall = context.new_page()
    wall.on("pageerror", lambda error: page_errors.append(str(error)))
    wall.clock.install()
    wall.goto(live_server.url + wall_path)
    expect(wall.locator(".live-indicator")).to_have_attribute("data-state", "live")
    column = wall.locator('.column[data-stage="negotiating"]')
    mark = column.locator(".column-page")
    expect(mark).to_have_text("1/3")
    first_page = column.locator(".card:not(.off-page)").evaluate_all(
        "cards => cards.map(c => c.dataset.projectId)")
    wall.clock.run_for(13_000)
    expect(mark).to_have_text("2/3")
    second_page = column.locator(".card:not(.off-page)").evaluate_all(
        "cards => cards.map(c => c.dataset.projectId)")
    assert not set(first_page) & set(second_page)

    member = api("member")
    moved = next(p for p in member.projects() if p["stage"] == "contact")
    member.move(moved["id"], "negotiating")
    arrived = column.locator(f'.card[data-project-id="{moved["id"]}"]')
    expect(arrived).to_be_visible()
    expect(arrived).not_to_have_class("off-page")
    expect(mark).to_have_text("3/3")
    expect(column.locator(".count")).to_have_text("41")
    wall.screenshot(path=artifacts / "wall-legibility-paged-move-1920x1080.png")
    report = legibility(wall, 1080)
    assert check_bar(report, 1080) == []
