"""The wall's ranking, attention and charts views: their figures from the mid-year dataset, what
a lobby screen never receives, a query count that does not grow with the data, and how they
look in a real browser at 1920×1080 and 3840×2160 (screenshots in test-artifacts/)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import render_template
from sqlalchemy import event, select

from bench.midyear import MIDYEAR, build_midyear
from tests.browser.helpers import ARTIFACTS
from tests.helpers import ROOT
from wallchart.cli.dataset import Spec, ensure_counties, insert_projects
from wallchart.cli.demo import COUNTIES
from wallchart.core.models import Blocker, County, CountyTarget, Project
from wallchart.extensions import db
from wallchart.reports import wall_views

#: A day well after the dataset's last stage date: plenty of cards have turned red by then.
LATE = date(2026, 11, 25)
SECRET_INVESTOR, SECRET_WAN = "机密投资集团（示例）", 123_456


@pytest.fixture
def midyear(app, users):
    return build_midyear(app)


def add_blockers(app, count: int, day: date = LATE) -> None:
    """``count`` open blockers on the first projects of the board, due around ``day``, kept on
    the project rows as the services keep them."""
    with app.app_context():
        projects = db.session.execute(
            select(Project).where(Project.status == "active", Project.deleted_at.is_(None))
            .order_by(Project.id).limit(count)).scalars().all()
        for number, project in enumerate(projects):
            due = day + timedelta(days=number * 5 - 20)
            db.session.add(Blocker(project_id=project.id, kind="land", department="自然资源局",
                                   description="用地指标", raised_on=day - timedelta(days=40),
                                   due_on=due))
            project.open_blockers, project.blocker_due = 1, due
        db.session.commit()


def set_targets(app) -> None:
    """Annual targets for every county, some easy and some hard: the pace column shows more than one
    state."""
    with app.app_context():
        for number, county_id in enumerate(db.session.execute(select(County.id)).scalars()):
            db.session.add(CountyTarget(county_id=county_id, year=LATE.year, signed_count=12,
                                        signed_investment_wan=200_000 + number * 50_000))
        db.session.commit()


def make_confidential(app, name: str) -> None:
    with app.app_context():
        project = db.session.execute(select(Project).where(Project.name == name)).scalar_one()
        project.confidential = True
        project.investor, project.investment_wan = SECRET_INVESTOR, SECRET_WAN
        db.session.commit()


def context(app, name: str, profile: str = "staff", day: date = LATE, lang: str = "en"):
    with app.test_request_context(f"/wall?lang={lang}"):
        return wall_views.view_context(name, profile, day)


def rendered(app, name: str, profile: str = "staff", day: date = LATE, lang: str = "zh") -> str:
    with app.test_request_context(f"/wall?lang={lang}"):
        return render_template(f"partials/wall_{name}.html",
                               **wall_views.view_context(name, profile, day))


# --- the figures ----------------------------------------------------------------------------------

def test_ranking_of_the_first_half_gives_the_meetings_figures(app, midyear):
    ranking = context(app, "ranking", day=MIDYEAR.end)
    total = ranking["total"]
    assert [cell.value for cell in total.cells[:3]] == ["121", "45.80", "17"]
    assert total.cells[0].change == "up 210% year on year"
    assert total.cells[1].change == "up 340% year on year"
    ranked = [row for row in ranking["rows"] if row.rank is not None]
    counts = [int(row.cells[0].value) for row in ranked]
    assert counts == sorted(counts, reverse=True) and sum(counts) <= 121
    assert [row.rank for row in ranked] == sorted(row.rank for row in ranked)
    assert ranked[0].rank == 1
    html = rendered(app, "ranking", day=MIDYEAR.end)
    assert html.count('class="top top-') == 3 and "2026年1月1日至6月30日" in html


def test_ranking_shows_the_pace_against_the_targets(app, midyear):
    assert context(app, "ranking")["with_pace"] is False
    set_targets(app)
    ranking = context(app, "ranking")
    assert ranking["with_pace"] and ranking["expected_pct"] == 90  # Nov 25: 329 of 365 days
    ranked = [row for row in ranking["rows"] if row.rank]
    assert all(row.pace for row in ranked)
    assert {"ahead", "behind"} <= {row.pace[1] for row in ranked}
    html = rendered(app, "ranking")
    assert "序时进度 90%" in html and 'class="status behind"' in html


def test_equal_figures_share_a_place_and_nothing_signed_takes_none(app, users):
    def signing(county: str, day: date, wan: int = 10_000) -> Spec:
        return Spec(name=f"{county}项目{day}", investor="示例", county=county, sector="industry",
                    investment_wan=wan, dates={"contact": day, "signed": day})

    with app.app_context():
        ensure_counties(COUNTIES)
        insert_projects([signing("鹤城区", date(2026, 3, 1)), signing("鹤城区", date(2026, 4, 1)),
                         signing("中方县", date(2026, 3, 2)), signing("中方县", date(2026, 5, 1)),
                         signing("沅陵县", date(2026, 2, 1), 50_000),
                         *(signing("沅陵县", date(2025, month, 1)) for month in (2, 3, 4))])
    rows = {row.label: row for row in context(app, "ranking", day=date(2026, 6, 30))["rows"]}
    assert [rows[name].rank for name in ("鹤城区", "中方县", "沅陵县", "辰溪县")] == [1, 1, 3, None]
    assert rows["沅陵县"].moved == -2 and rows["鹤城区"].moved is None
    assert list(rows)[:3] == ["鹤城区", "中方县", "沅陵县"]


def test_nothing_to_compare_with_is_a_dash_explained_once(app, users):
    """A county with no signings last year shows "—" where the change would be, and the view
    says once, in its heading, what the dash means: not "去年同期为零" in every other cell.
    The charts leave counties with nothing out and count them in one line."""
    def signing(county: str, day: date) -> Spec:
        return Spec(name=f"{county}项目{day}", investor="示例", county=county, sector="industry",
                    investment_wan=20_000, dates={"contact": day, "signed": day})

    with app.app_context():
        ensure_counties(COUNTIES)
        insert_projects([signing("鹤城区", date(2026, 3, 1)), signing("鹤城区", date(2025, 3, 1)),
                         signing("中方县", date(2026, 4, 1))])
    day = date(2026, 6, 30)
    rows = {row.label: row for row in context(app, "ranking", day=day)["rows"]}
    assert rows["鹤城区"].cells[0].change == "unchanged year on year"
    assert [cell.change for cell in rows["中方县"].cells] == ["—"] * 4
    html = rendered(app, "ranking", day=day)
    assert html.count("去年同期为零") == 1 and "“—”表示去年同期为零" in html
    # Every cell of the other counties; 鹤城区's and the city's ≥10亿 and started (none either
    # year).
    assert html.count('class="yoy flat">—</td>') == 4 * (len(COUNTIES) - 1) + 2 + 2
    charts = rendered(app, "charts", day=day)
    charts = charts[charts.index("chart-panel-counties"):charts.index("chart-panel-funnel")]
    assert f"其余 {len(COUNTIES) - 2} 个县区暂无" in charts and ">0 个项目<" not in charts
    assert "鹤城区" in charts and "中方县" in charts and COUNTIES[-1][0] not in charts


def test_charts_show_the_board_the_months_and_the_counties(app, midyear):
    charts = context(app, "charts", day=MIDYEAR.end, lang="zh")["charts"]
    assert set(charts) == {"funnel", "monthly", "counties"}
    assert "6月" in charts["monthly"] and "12月" in charts["monthly"]
    assert charts["monthly"].count('class="bar this-year"') == 6  # July on is still to come
    assert "个项目" in charts["funnel"] and "亿元" in charts["counties"]
    html = rendered(app, "charts", day=MIDYEAR.end)
    assert html.count("<svg") == 3 and "各县市区签约情况" in html


def test_attention_lists_overdue_blockers_first_and_red_cards(app, midyear):
    add_blockers(app, 12)
    attention = context(app, "attention")
    assert attention["blockers_total"] == 12 and attention["blockers_late"] == 4
    assert len(attention["blockers"]) == wall_views.ATTENTION_ROWS
    assert attention["blockers_more"] == 12 - wall_views.ATTENTION_ROWS
    assert attention["blockers"][0]["due"] == "20 days overdue"
    assert attention["blockers"][0]["age"] == "open 40 days"
    assert [row["late"] for row in attention["blockers"]][:5] == [True] * 4 + [False]
    assert attention["red_total"] > wall_views.ATTENTION_ROWS
    assert all(row["reason"] for row in attention["red_cards"])


def test_a_lobby_screen_never_receives_confidential_investors_or_amounts(app, midyear):
    add_blockers(app, 3)
    make_confidential(app, context(app, "attention")["red_cards"][0]["project"])
    staff = rendered(app, "attention", "staff")
    lobby = rendered(app, "attention", "lobby")
    assert SECRET_INVESTOR in staff and "12.35 亿元" in staff
    assert SECRET_INVESTOR not in lobby and "12.35" not in lobby
    red = context(app, "attention", "lobby")["red_cards"]
    hidden = [row for row in red if row["investor"] == ""]
    assert len(hidden) == 1 and hidden[0]["amount"] is None and hidden[0]["project"]


def test_a_lobby_screens_figures_leave_confidential_projects_out(app, midyear):
    """As its header does: a total with the project in it would tell its amount by difference."""
    with app.app_context():
        signed = db.session.execute(select(Project).where(Project.signed_on.is_not(None),
                                                          Project.status == "active")
                                    .order_by(Project.signed_on.desc())).scalars().first()
        name, stage = signed.name, signed.stage
    make_confidential(app, name)
    staff, lobby = context(app, "ranking"), context(app, "ranking", "lobby")
    assert int(staff["total"].cells[0].value) == int(lobby["total"].cells[0].value) + 1
    assert "confidential projects not counted" in rendered(app, "ranking", "lobby", lang="en")
    assert "confidential projects not counted" not in rendered(app, "ranking", lang="en")
    # The funnel counts as the board's columns do: the confidential card is on a lobby's board
    # too, so it counts there; its amount does not (nor in its column's total), and it says so.
    with app.test_request_context("/wall?lang=zh"):
        funnel = {redact: dict((row[0], row[1:]) for row in wall_views.stage_totals(redact))
                  for redact in (False, True)}
    assert funnel[False][stage] == (funnel[True][stage][0], funnel[True][stage][1] + SECRET_WAN)
    charts = rendered(app, "charts", "lobby", lang="en")
    assert "confidential projects counted, their amounts not" in charts
    assert "confidential projects counted" not in rendered(app, "charts", lang="en")


def test_empty_views_are_calm(app, counties):
    assert "没有待协调事项" in rendered(app, "attention")
    assert "没有红灯项目" in rendered(app, "attention")
    assert rendered(app, "charts").count("暂无数据") == 3


def test_unknown_view_is_refused(app):
    with app.test_request_context("/wall"), pytest.raises(ValueError):
        wall_views.view_context("board", "staff")


@pytest.fixture
def count_queries(app):
    """``count_queries(name)``: the statements one view costs."""
    def count(name: str) -> int:
        statements: list[str] = []
        with app.test_request_context("/wall?lang=zh"):
            engine = db.engine

            def record(*_args) -> None:
                if _args[2] != "BEGIN":
                    statements.append(_args[2])

            event.listen(engine, "before_cursor_execute", record)
            try:
                wall_views.view_context(name, "lobby", LATE)
            finally:
                event.remove(engine, "before_cursor_execute", record)
        return len(statements)

    return count


def test_query_count_does_not_grow_with_the_data(app, users, counties, count_queries):
    with app.app_context():
        db.session.add(CountyTarget(county_id=1, year=LATE.year, signed_count=10,
                                    signed_investment_wan=500_000))
        db.session.commit()
    empty = {name: count_queries(name) for name in wall_views.VIEWS}
    build_midyear(app)
    add_blockers(app, 30)
    assert {name: count_queries(name) for name in wall_views.VIEWS} == empty
    assert empty["attention"] == 2 and empty["charts"] <= 5 and empty["ranking"] <= 6


# --- in a real browser ---------------------------------------------------------------------------

def page_with(app, template: str, lang: str, wall: bool, **context) -> str:
    """A fragment in a plain page with the app's style sheets inlined (loaded by
    ``set_content``): on the wall, between stand-ins for its header and its ticker."""
    sheets = ("app.css", "wall.css", "charts.css") if wall else ("app.css", "charts.css")
    css = "".join((ROOT / "static" / "css" / sheet).read_text() for sheet in sheets)
    with app.test_request_context(f"/wall?lang={lang}"):
        fragment = render_template(template, **context)
    if not wall:
        return f"""<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
          <style>{css} body {{ padding: 1em; }}</style></head><body>{fragment}</body></html>"""
    return f"""<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><style>{css}
      .stand-in {{ flex: none; height: 11vh; background: #8c1d17; }}
      .stand-in.ticker-stand-in {{ height: 4.4vh; background: #0a0e16; }}</style></head>
      <body class="wall-page"><header class="stand-in"></header>
      <div class="wall-views"><section class="wall-view">{fragment}</section></div>
      <footer class="stand-in ticker-stand-in"></footer></body></html>"""


@pytest.mark.browser
@pytest.mark.parametrize("name", wall_views.VIEWS)
def test_views_fill_the_screen_without_scrolling(app, midyear, new_context, name):
    ARTIFACTS.mkdir(exist_ok=True)
    add_blockers(app, 12)
    set_targets(app)
    for width, height, lang in ((1920, 1080, "zh"), (3840, 2160, "zh"), (1920, 1080, "en")):
        page = new_context(viewport={"width": width, "height": height}).new_page()
        with app.test_request_context(f"/wall?lang={lang}"):
            context = wall_views.view_context(name, "lobby", LATE)
        page.set_content(page_with(app, f"partials/wall_{name}.html", lang, True, **context))
        page.wait_for_load_state("load")
        page.screenshot(path=str(ARTIFACTS / f"wall-{name}-{width}x{height}-{lang}.png"))
        assert overflow(page) == {"page": False, "pane": False, "out": []}, (name, width, lang)


def overflow(page) -> dict:
    """What sticks out of the view's pane or makes the page scroll."""
    return page.evaluate("""() => {
        const pane = document.querySelector('.wall-pane');
        const box = pane.getBoundingClientRect();
        const out = [...pane.querySelectorAll('*')].filter(el => {
            const r = el.getBoundingClientRect();
            return r.width && (r.bottom > box.bottom + 1 || r.right > box.right + 1);
        }).map(el => el.tagName + '.' + (el.className.baseVal ?? el.className));
        return {page: document.documentElement.scrollHeight > innerHeight ||
                      document.documentElement.scrollWidth > innerWidth,
                pane: pane.scrollHeight > pane.clientHeight, out};
    }""")


@pytest.mark.browser
@pytest.mark.parametrize("name", ["ranking", "charts"])
def test_a_young_year_reads_calm_and_fits(app, users, new_context, name):
    """Late January, three counties have signed: the ranking's other cells are dashes with one
    legend, the counties chart three counties and one line for the other thirteen."""
    with app.app_context():
        ensure_counties(COUNTIES)
        insert_projects([Spec(name=f"{county}项目", investor="示例", county=county,
                              sector="industry", investment_wan=wan,
                              dates={"contact": date(2026, 1, 5), "signed": date(2026, 1, 12)})
                         for county, wan in (("鹤城区", 150_000), ("中方县", 30_000),
                                             ("沅陵县", 8_000))])
    day = date(2026, 1, 25)
    for width, height in ((1920, 1080), (3840, 2160)):
        page = new_context(viewport={"width": width, "height": height}).new_page()
        with app.test_request_context("/wall?lang=zh"):
            context = wall_views.view_context(name, "staff", day)
        page.set_content(page_with(app, f"partials/wall_{name}.html", "zh", True, **context))
        page.wait_for_load_state("load")
        page.screenshot(path=str(ARTIFACTS / f"wall-{name}-young-year-{width}x{height}.png"))
        assert overflow(page) == {"page": False, "pane": False, "out": []}, (name, width)
        if name == "ranking":
            assert page.locator(".wall-pane").inner_text().count("去年同期为零") == 1
        else:
            counties = page.locator(".chart-panel-counties").inner_text()
            assert "其余 13 个县区暂无" in counties and "0 个项目" not in counties


@pytest.mark.browser
def test_charts_block_on_a_light_page(app, midyear, new_context):
    """The charts as another page shows them (``partials/charts.html``): dark text on light."""
    with app.test_request_context("/wall?lang=zh"):
        period = wall_views.year_to_date(LATE)
        context = {"charts": wall_views.charts_for(period),
                   "period_text": wall_views.period_text(period)}
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_content(page_with(app, "partials/charts.html", "zh", False, **context))
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "charts-block-1280-zh.png"), full_page=True)
    sizes = page.locator("svg.chart").evaluate_all(
        "charts => charts.map(c => c.getBoundingClientRect().height)")
    assert len(sizes) == 3 and all(size > 200 for size in sizes)
