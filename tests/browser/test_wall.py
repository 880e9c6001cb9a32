"""The wall display: fits any screen without scrolling, has nothing to click, and comes back
live by itself after the server restarts."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import STAGES, assert_not_reloaded, card, mark

pytestmark = [pytest.mark.browser, pytest.mark.live]

COUNTIES = ["鹤城区", "中方县", "沅陵县", "麻阳苗族自治县", "靖州苗族侗族自治县",
            "怀化高新技术产业开发区"]
NAMES = ["新能源电池材料生产基地", "智能装备制造产业园", "电子信息元器件项目",
         "冷链物流及跨境电商产业园", "怀化国际陆港多式联运物流枢纽及跨境电商产业园二期项目",
         "碣滩茶产业融合发展项目", "通道万佛山康养旅游项目",
         "年产十万吨高性能铝合金精密压铸件及汽车轻量化零部件项目"]
SECTORS = ["industry", "agriculture", "tourism", "services"]


@pytest.fixture
def fill_board(live_server):
    """``fill_board(60)`` or ``fill_board({"contact": 4, ...})``: projects of team 一组, every
    stage entered today, written by the shared writer (``wallchart/cli/dataset.py``) in this
    process against the live server's database: one transaction, not one change each."""

    def fill(per_column: int | dict[str, int]) -> None:
        counts = per_column if isinstance(per_column, dict) else dict.fromkeys(STAGES, per_column)
        from tests.helpers import TEAM
        from wallchart.cli.dataset import Spec
        from wallchart.core.timeutil import today

        day = today()
        stages = [stage for stage, count in counts.items() for _ in range(count)]
        specs = [Spec(name=f"{NAMES[n % len(NAMES)]}{n}", investor=f"示例投资集团第{n}有限公司",
                      county=COUNTIES[n % len(COUNTIES)], sector=SECTORS[n % len(SECTORS)],
                      investment_wan=1000 * (n * 37 % 500 + 1), team=TEAM,
                      dates=dict.fromkeys(STAGES[:STAGES.index(stage) + 1], day))
                 for n, stage in enumerate(stages, 1)]
        live_server.write_projects(COUNTIES, specs)

    return fill


FIT_REPORT = """() => {
    const problems = [];
    const scrolls = (e) => e.scrollHeight > e.clientHeight || e.scrollWidth > e.clientWidth;
    const size = (e) => `${e.scrollWidth}x${e.scrollHeight} in ${e.clientWidth}x${e.clientHeight}`;
    const html = document.documentElement;
    if (scrolls(html)) problems.push(`page scrolls: ${size(html)}`);
    let cards = 0, shown = 0, minFont = Infinity;
    const pages = {};
    for (const column of document.querySelectorAll('.column')) {
        const stage = column.dataset.stage;
        const outer = column.getBoundingClientRect();
        if (outer.right > innerWidth + 0.5 || outer.bottom > innerHeight + 0.5)
            problems.push(`page: ${stage} column sticks out of the screen`);
        const list = column.querySelector('.cards');
        if (scrolls(list)) problems.push(`${stage} scrolls: ${size(list)}`);
        const mark = column.querySelector('.column-page:not([hidden])');
        pages[stage] = mark ? mark.textContent : '';
        const box = list.getBoundingClientRect();
        for (const card of list.querySelectorAll('.card')) {
            cards++;
            const r = card.getBoundingClientRect();
            const id = `${stage} card ${card.dataset.projectId}`;
            if (card.classList.contains('off-page')) {
                // on another page of a column that pages
                if (!mark) problems.push(`${id} not shown, and its column does not page`);
                if (r.width > 0) problems.push(`${id} is off its page but shown`);
                continue;
            }
            shown++;
            if (r.width < 1 || r.height < 1 || getComputedStyle(card).visibility === 'hidden')
                problems.push(`${id} not shown`);
            else if (r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5
                     || r.left < box.left - 0.5 || r.right > box.right + 0.5)
                problems.push(`${id} outside its column`);
            const title = card.querySelector('.card-title');
            const font = parseFloat(getComputedStyle(title).fontSize);
            minFont = Math.min(minFont, font);
            // A name must show at least its first three characters (or all, if shorter).
            const wanted = Math.min(3, title.textContent.trim().length) * font;
            if (title.getBoundingClientRect().width < wanted - 0.5)
                problems.push(`${id} title squeezed to ${title.getBoundingClientRect().width}px`);
        }
    }
    return {problems, cards, shown, minFont, pages};
}"""


def fit_report(page: Page) -> dict:
    """Everything that would scroll or stick out, measured in the page; the cards shown (a
    column with more than fit shows them a page at a time) and each column's page mark."""
    return page.evaluate(FIT_REPORT)


def assert_wall_is_read_only(page: Page) -> None:
    expect(page.locator("button, input, select, textarea, form, a[href], [hx-get], [hx-post]")
           ).to_have_count(0)


def test_full_wall_fits_the_screen(live_server, fill_board, open_wall, artifacts):
    """300 cards: more than a column can show legibly, so each column shows them a page at a
    time, every page inside the column, in type no smaller than 1/60 of the screen."""
    fill_board(60)
    reports = {}
    for width, height in ((1920, 1080), (3840, 2160)):
        wall = open_wall(width, height)
        for stage in STAGES:
            expect(wall.locator(f'.column[data-stage="{stage}"] .card')).to_have_count(60)
            expect(wall.locator(f'.column[data-stage="{stage}"] .count')).to_have_text("60")
        assert_wall_is_read_only(wall)
        wall.screenshot(path=artifacts / f"wall-300-cards-{width}x{height}.png")
        reports[height] = report = fit_report(wall)
        assert report["cards"] == 300
        # Legible from across a room: the type keeps its share of the screen's height.
        assert report["minFont"] >= height / 60 - 0.05, report
        for stage, page_mark in report["pages"].items():
            assert re.fullmatch(r"1/[2-9]", page_mark), (stage, page_mark)
            shown, pages = wall.evaluate("""(stage) => {
                const cards = [...document.querySelectorAll(
                    `.column[data-stage="${stage}"] .card`)];
                return [cards.filter(c => !c.classList.contains('off-page')).length,
                        Number(document.querySelector(`.column[data-stage="${stage}"]
                            .column-page`).textContent.split('/')[1])];
            }""", stage)
            assert shown * pages >= 60 > shown * (pages - 1), (stage, shown, pages)
        whole_page = [p for p in report["problems"] if p.startswith("page")]
        assert whole_page == []
        wall.context.close()
    assert reports[1080]["problems"] == []
    assert reports[2160]["problems"] == []


def test_wall_type_shrinks_only_as_columns_fill(fill_board, open_wall, artifacts):
    """A column with fewer cards is never set in smaller type than a fuller one."""
    counts = {"contact": 4, "negotiating": 12, "signed": 16, "started": 24, "producing": 30}
    fill_board(counts)
    wall = open_wall(1920, 1080)
    expect(wall.locator(".card")).to_have_count(sum(counts.values()))
    report = fit_report(wall)
    wall.screenshot(path=artifacts / "wall-mixed-columns-1920x1080.png")
    assert [p for p in report["problems"] if p.startswith("page")] == []
    sizes = wall.evaluate("""() => [...document.querySelectorAll('.column')].map(c =>
        parseFloat(getComputedStyle(c.querySelector('.card-title')).fontSize))""")
    by_count = sorted(zip(counts.values(), sizes, strict=True))
    assert all(a[1] >= b[1] - 0.5 for a, b in zip(by_count, by_count[1:], strict=False)), \
        f"type is smaller in emptier columns: (cards, title px) {by_count}"
    assert report["problems"] == []
    assert report["minFont"] >= 1080 / 60 - 0.05, report


def test_wall_with_few_cards(api, open_wall, artifacts):
    member = api("member")
    for name, stage in (("新能源电池材料生产基地", "contact"), ("智能装备制造产业园", "signed"),
                        ("怀化国际陆港多式联运物流枢纽及跨境电商产业园二期项目", "signed")):
        project = member.create(name)
        if stage != "contact":
            member.move(project["id"], stage)
    wall = open_wall(1920, 1080)
    expect(wall.locator(".card")).to_have_count(3)
    report = fit_report(wall)
    wall.screenshot(path=artifacts / "wall-few-cards-1920x1080.png")
    assert report["problems"] == []
    assert report["minFont"] >= 1080 / 50, report   # roomy cards keep a large type size
    assert report["pages"] == dict.fromkeys(STAGES, "")
    assert_wall_is_read_only(wall)


def record_states(page: Page) -> None:
    """Keep every state the live indicator passes through in ``window.__states``."""
    page.evaluate("""() => {
        window.__states = [];
        const indicator = document.querySelector('.live-indicator');
        new MutationObserver(() => window.__states.push(indicator.dataset.state))
            .observe(indicator, {attributes: true, attributeFilter: ['data-state']});
    }""")


def test_wall_reconnects_by_itself_after_a_restart(live_server, api, open_wall, open_board):
    member = api("member")
    first, second = member.create("侗族文化旅游度假区"), member.create("城市商业综合体")
    wall = open_wall()
    board = open_board("lead")
    mark(wall, board)

    for page in (wall, board):
        record_states(page)
    live_server.stop()
    for page in (wall, board):
        # Seen at some point, however briefly: a poll of the current state could miss it.
        page.wait_for_function("() => window.__states.includes('offline')")
        assert page.evaluate("window.__states")[0] == "offline", page.evaluate("window.__states")
    live_server.start()
    # A change made while the screens are still reconnecting: they learn it on reconnect.
    member.move(first["id"], "negotiating")
    for page in (wall, board):
        expect(page.locator(".live-indicator")).to_have_attribute(
            "data-state", "live", timeout=25_000)
        expect(card(page, first["id"], "negotiating")).to_be_visible()
    # And one made after: it arrives live.
    member.move(second["id"], "signed")
    for page in (wall, board):
        expect(card(page, second["id"], "signed")).to_be_visible()
        expect(page.locator('.column[data-stage="contact"] .count')).to_have_text("0")
    assert_not_reloaded(wall, board)


