"""The wall read from across the room, held to a legibility bar in Chromium at 1920x1080 and
3840x2160 with 10, 60 and 200 projects:

- **no text under 1/60 of the screen's height** (18 px at 1080p, 36 px at 4K), on the board,
  in the header and in the ticker, and no figure of the header cut;
- **names whole, two lines before an ellipsis**: no name is cut across (one line with an
  ellipsis), a name cut short has had at least two lines, and most names are whole;
- **the same card size in every column while every column fits**;
- **a crowded column is full**: a column with more cards than fit at the smallest legible size
  shows them a page at a time, and a page (but the last) leaves at most 20 % of the column
  empty; while one column pages, no other column is more than 20 % empty unless its type is
  as large as the wall sets it, or its names or its width keep it from growing.

static/js/wall.js names the same bar. Screenshots land in ``test-artifacts/wall-legibility-*``.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import STAGES
from tests.browser.test_wall import fill_board  # noqa: F401 - the fixture
from tests.helpers import printed_wall_path

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
    const cutFigures = [...document.querySelectorAll('.figure-value')]
        .filter(v => v.scrollWidth > v.clientWidth + 1 || v.getBoundingClientRect().right
                     > v.parentElement.getBoundingClientRect().right + 0.5)
        .map(v => v.textContent.trim());
    return {small, columns, names, cutFigures};
}"""


def legibility(page: Page, height: int) -> dict:
    return page.evaluate(REPORT, height * MIN_TEXT_SHARE)


def check_bar(report: dict, height: int) -> list[str]:
    """What falls short of the bar, in words."""
    problems = [f"text under {height * MIN_TEXT_SHARE:.1f} px: {text}"
                for text in report["small"]]
    problems += [f"a figure in the header is cut: {value}" for value in report["cutFigures"]]
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
        page, pages = column["page"].split("/") if column["page"] else ("", "")
        if page and page == pages:   # the last page holds what is left
            continue
        largest = max(column["sizes"]) >= height * MAX_TYPE_SHARE - 0.5
        held = column["limit"] in ("largest", "names", "width", "order")
        if column["page"] or not (largest or held):
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
    wall.clock.run_for(20_000)
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


# --- the other views and the header ----------------------------------------------------------

CITY = ["鹤城区", "中方县", "沅陵县", "辰溪县", "溆浦县", "会同县", "麻阳苗族自治县",
        "新晃侗族自治县", "芷江侗族自治县", "靖州苗族侗族自治县", "通道侗族自治县", "洪江市",
        "怀化高新技术产业开发区"]


@pytest.fixture
def city_board(live_server):
    """Every county of a city with projects signed this year, red cards with long investors
    (stalled in negotiation for months), and open blockers with long descriptions: written
    in one transaction by the shared writer, as ``fill_board`` does."""
    from datetime import timedelta

    from tests.helpers import TEAM
    from wallchart.cli.dataset import BlockerSpec, Spec
    from wallchart.core.timeutil import today

    day = today()
    specs = []
    for n, county in enumerate(CITY * 3):
        signed = {"contact": day - timedelta(days=60), "negotiating": day - timedelta(days=40),
                  "signed": day - timedelta(days=n % 20)}
        stalled = {"contact": day - timedelta(days=400), "negotiating": day - timedelta(days=300)}
        red = n % 3 == 1
        what = "新能源电池材料生产基地" if n % 2 else "冷链物流及跨境电商产业园"
        trade = "智能装备制造" if n % 2 else "现代农业科技"
        spec = Spec(name=f"{county[:2]}{what}{n}",
                    investor=f"湖南五溪{trade}产业投资发展集团股份有限公司第{n}分公司",
                    county=county, sector="industry", investment_wan=20_000 + 1_000 * n,
                    dates=stalled if red else signed, team=TEAM)
        if n % 4 == 0:
            spec.blockers.append(BlockerSpec(
                "land", "自然资源和规划局", day - timedelta(days=20),
                day - timedelta(days=n % 5),
                "用地指标尚未落实，影响项目开工，需协调省厅追加新增建设用地计划指标"))
        specs.append(spec)
    live_server.write_projects(CITY, specs)


VIEW_REPORT = """() => {
    const problems = [];
    const ticker = document.getElementById('ticker').getBoundingClientRect();
    const pane = document.querySelector('.wall-view:not([hidden]) .wall-pane');
    const box = pane.getBoundingClientRect();
    const total = pane.querySelector('.ranking tfoot tr');
    if (total) {
        const r = total.getBoundingClientRect();
        const gap = ticker.top - r.bottom;
        if (gap < innerHeight * 0.01)
            problems.push(`the total row is ${gap.toFixed(1)} px from the ticker`);
        for (const row of pane.querySelectorAll('.ranking tr')) {
            const q = row.getBoundingClientRect();
            if (q.bottom > box.bottom + 0.5)
                problems.push(`a ranking row is cut: ${row.textContent.trim().slice(0, 20)}`);
        }
        if (r.height < parseFloat(getComputedStyle(total.querySelector('.num')).fontSize) * 1.2)
            problems.push(`the total row is squeezed to ${r.height.toFixed(1)} px`);
    }
    for (const element of pane.querySelectorAll('.reason, .investor, .item-name')) {
        const item = element.closest('.attention-item').getBoundingClientRect();
        const r = element.getBoundingClientRect();
        if (element.scrollWidth > element.clientWidth + 1 || r.bottom > item.bottom + 0.5
            || r.right > item.right + 0.5)
            problems.push(`cut: ${element.className} ${element.textContent.trim().slice(0, 30)}`);
    }
    return {problems, items: pane.querySelectorAll('.attention-item').length,
            rows: pane.querySelectorAll('.ranking tbody tr').length};
}"""


@pytest.mark.parametrize("view", ["ranking", "attention"])
def test_the_other_views_meet_the_bar(view, city_board, live_server, new_context, page_errors,
                                      artifacts):
    """The ranking's total row stands clear of the ticker, whole; the attention view shows
    reasons and investors whole; no text under the bar in either, at 1080p and 4K."""
    path = printed_wall_path(live_server.flask("display", "create", f"{view}-wall",
                                               "--views", view, "--profile", "staff"))
    for width, height in SIZES:
        context = new_context(viewport={"width": width, "height": height})
        wall = context.new_page()
        wall.on("pageerror", lambda error: page_errors.append(str(error)))
        wall.goto(live_server.url + path)
        expect(wall.locator(".live-indicator")).to_have_attribute("data-state", "live")
        pane = wall.locator(f".wall-view-{view} .wall-pane")
        expect(pane).to_be_visible()
        if view == "attention":
            expect(pane.locator(".attention-item").first).to_be_visible()
        wall.screenshot(path=artifacts / f"wall-legibility-{view}-{width}x{height}.png")
        report = wall.evaluate(VIEW_REPORT)
        small = legibility(wall, height)["small"]
        assert report["problems"] == [] and small == [], (report, small)
        if view == "ranking":
            assert report["rows"] >= len(CITY)
        else:
            assert report["items"] >= 8
        context.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_offline_badge_is_whole(lang, open_wall, wall_path, live_server, artifacts):
    """连接中断，正在重连… stands whole in the header, beside the clock, at 1080p and 4K."""
    for width, height in SIZES:
        wall = open_wall(width, height)
        if lang == "en":
            wall.goto(live_server.url + wall_path + "&lang=en")
            expect(wall.locator(".live-indicator")).to_have_attribute("data-state", "live")
        badge = wall.locator(".live-indicator")
        # what live.js does when the socket drops
        badge.evaluate("""(i) => { i.dataset.state = 'offline';
                                  i.textContent = i.dataset.textOffline; }""")
        expect(badge).to_have_text(
            "连接中断，正在重连…" if lang == "zh" else "Offline, reconnecting…")
        fits = badge.evaluate("""(i) => {
            const r = i.getBoundingClientRect();
            const head = document.querySelector('.wall-head').getBoundingClientRect();
            const clock = document.getElementById('clock').getBoundingClientRect();
            return {whole: i.scrollWidth <= i.clientWidth + 1
                           && i.scrollHeight <= i.clientHeight + 1,
                    inside: r.left >= head.left && r.right <= head.right + 0.5
                            && r.top >= head.top && r.bottom <= head.bottom + 0.5,
                    clearOfClock: r.top >= clock.bottom - 0.5,
                    size: parseFloat(getComputedStyle(i).fontSize)};
        }""")
        wall.screenshot(path=artifacts / f"wall-offline-{lang}-{width}x{height}.png",
                        clip={"x": width * 0.55, "y": 0, "width": width * 0.45,
                              "height": height * 0.15})
        assert fits["whole"] and fits["inside"] and fits["clearOfClock"], fits
        assert fits["size"] >= height * MIN_TEXT_SHARE - 0.05, fits
        wall.context.close()
