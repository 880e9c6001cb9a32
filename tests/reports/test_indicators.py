"""The key indicators: counted from the stage dates, year on year, per county, sector and
channel; the mid-year meeting's figures exactly, in compute(), the API and the page; the
boundary cases of the counting rules (README "Indicators: how they are counted")."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from sqlalchemy import event, select, update

from bench.midyear import (
    BILLION_PLUS,
    INVESTMENT_BEFORE_WAN,
    INVESTMENT_WAN,
    MIDYEAR,
    SIGNED,
    SIGNED_BEFORE,
    THREE500_COUNT,
    build_midyear,
)
from wallchart.core.errors import Invalid
from wallchart.core.models import County, CountyTarget, FundReceipt, Project
from wallchart.core.timeutil import today
from wallchart.extensions import db
from wallchart.reports import indicators
from wallchart.reports.indicators import GROUPS, INDICATORS, Period

H1 = "from=2026-01-01&to=2026-06-30"


@pytest.fixture
def midyear(app, counties):
    return build_midyear(app)


@pytest.fixture
def add(app, counties):
    """``add(**fields)``: one project row written directly, stage dates as given (the record
    services of issue 4 keep these dates; here the rows stand for what they leave)."""
    def make(county: str = "鹤城区", **fields) -> int:
        dates = {key: value for key, value in fields.items() if key.endswith("_on")}
        stages = [s for s in ("contact", "negotiating", "signed", "started", "producing")
                  if fields.get(f"{s}_on")]
        stage = stages[-1] if stages else "contact"
        with app.app_context():
            county_id = db.session.execute(select(County.id).where(County.name == county)
                                           ).scalar_one()
            row = Project(name=fields.pop("name", "测试项目"), county_id=county_id, stage=stage,
                          stage_entered_at=dates.get(f"{stage}_on", date(2026, 1, 1)),
                          **{"investment_wan": 10000, "sector": "industry", **fields})
            db.session.add(row)
            db.session.commit()
            return row.id
    return make


def figures(app, period: Period, county: str | None = None) -> dict:
    with app.app_context():
        row = db.session.execute(select(County).where(County.name == county)).scalar() \
            if county else None
        return indicators.compute(period, row)


def counts(app, period: Period, county: str | None = None) -> dict[str, int]:
    return {name: figure.count
            for name, figure in figures(app, period, county)["indicators"].items()}


# --- the mid-year meeting ---------------------------------------------------------------------

def test_compute_reproduces_the_midyear_meeting(app, midyear):
    result = figures(app, MIDYEAR)
    signed = result["indicators"]["signed"]
    assert (signed.count, signed.previous_count) == (SIGNED, SIGNED_BEFORE)
    assert (signed.investment_wan, signed.previous_investment_wan) == (INVESTMENT_WAN,
                                                                      INVESTMENT_BEFORE_WAN)
    assert (signed.change_count_pct, signed.change_investment_pct) == (210.3, 340.0)
    assert result["indicators"]["signed_billion_plus"].count == BILLION_PLUS
    assert result["indicators"]["signed_three500"].count == THREE500_COUNT
    # Every indicator, both years, as the fixture's own Python count says.
    expected, previous = midyear.expected(MIDYEAR), midyear.expected(MIDYEAR.previous_year())
    for name in INDICATORS:
        figure = result["indicators"][name]
        assert (figure.count, figure.investment_wan) == expected[name], name
        assert (figure.previous_count, figure.previous_investment_wan) == previous[name], name
    assert result["foreign_capital_usd_wan"] == expected["foreign_capital_usd_wan"][0] > 0
    assert result["previous_foreign_capital_usd_wan"] == previous["foreign_capital_usd_wan"][0]


def test_api_answers_the_contract_with_the_midyear_figures(clients, midyear):
    response = clients["viewer"].get(f"/api/indicators?{H1}")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["from"], body["to"]) == ("2026-01-01", "2026-06-30")
    assert (body["previous_from"], body["previous_to"]) == ("2025-01-01", "2025-06-30")
    assert set(body["indicators"]) == set(INDICATORS)
    for figure in body["indicators"].values():
        assert set(figure) == {"count", "investment_wan", "previous_count",
                               "previous_investment_wan", "change_count_pct",
                               "change_investment_pct"}
    assert body["indicators"]["signed"] == {
        "count": 121, "investment_wan": 4_580_000, "previous_count": 39,
        "previous_investment_wan": 1_040_909, "change_count_pct": 210.3,
        "change_investment_pct": 340.0}
    assert body["indicators"]["signed_billion_plus"]["count"] == 17
    assert body["indicators"]["signed_three500"]["count"] == 15
    # Nothing produced in the first half of 2025: no percentage against zero.
    producing = body["indicators"]["producing"]
    assert producing["previous_count"] == 0 and producing["count"] > 0
    assert producing["change_count_pct"] is None and producing["change_investment_pct"] is None
    expected = midyear.expected(MIDYEAR)["foreign_capital_usd_wan"][0]
    previous = midyear.expected(MIDYEAR.previous_year())["foreign_capital_usd_wan"][0]
    assert (body["foreign_capital_usd_wan"], body["previous_foreign_capital_usd_wan"]) == (
        expected, previous)
    assert body["change_foreign_capital_pct"] == round((expected - previous) * 100 / previous, 1)


def test_api_by_county_and_its_refusals(clients, app, midyear):
    viewer = clients["viewer"]
    body = viewer.get(f"/api/indicators?{H1}&county=芷江侗族自治县").get_json()
    assert body["county"] == "芷江侗族自治县"
    mine = [s for s in midyear.counted(MIDYEAR, "signed") if s.county == "芷江侗族自治县"]
    assert body["indicators"]["signed"]["count"] == len(mine) > 0
    assert body["indicators"]["signed"]["investment_wan"] == sum(s.investment_wan for s in mine)
    for query, field, words in [
            (f"{H1}&county=火星县", "county", "火星县"),
            ("from=2026-07-01&to=2026-06-30", "to", "截止日期早于起始日期"),
            ("from=2026-01-01", "to", "起止日期"),
            ("from=2026-02-30&to=2026-06-30", "from", "没有这个日期"),
            ("from=2026/01/01&to=2026-06-30", "from", "YYYY-MM-DD"),
            ("from=2020-01-01&to=2025-01-01", "to", "最长 5 年")]:
        response = viewer.get(f"/api/indicators?{query}")
        assert response.status_code == 422, query
        assert field in response.get_json()["fields"], query
        assert words in response.get_json()["error"], (query, response.get_json())
    # Bearer API tokens read like the cookie; no sign-in at all is 401 (the matrix has the rest).
    assert app.test_client().get(f"/api/indicators?{H1}").status_code == 401


def test_page_shows_the_figures_as_officials_write_them(clients, midyear):
    viewer = clients["viewer"]
    page = viewer.get(f"/indicators?{H1}").get_data(as_text=True)
    signed = re.search(r'data-indicator="signed">(.*?)</article>', page, re.S).group(1)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", signed))
    assert "121" in text and "同比增长 210%" in text
    assert "458.00 亿元" in text and "同比增长 340%" in text
    assert "去年同期 39 个，104.09 亿元" in text
    billion = re.search(r'data-indicator="signed_billion_plus">(.*?)</article>', page, re.S)
    assert "<strong>17</strong>" in billion.group(1)
    three500 = re.search(r'data-indicator="signed_three500">(.*?)</article>', page, re.S)
    assert "<strong>15</strong>" in three500.group(1)
    assert "去年同期为零" in page  # producing: none in the first half of 2025
    assert "全市合计" in page and "县市区排名" in page and "按招商渠道" in page
    viewer.post("/language", data={"lang": "en", "next": "/indicators"})
    english = viewer.get(f"/indicators?{H1}").get_data(as_text=True)
    assert "up 210% year on year" in english and "up 340% year on year" in english
    assert "CNY 45.80bn" in english and "City total" in english


# --- the counting rules at their edges --------------------------------------------------------

def test_the_last_day_of_a_period_counts_and_the_first_of_the_next_does_not(app, add):
    add(signed_on=date(2026, 6, 30), name="最后一天")
    add(signed_on=date(2026, 7, 1), name="次日")
    assert counts(app, MIDYEAR)["signed"] == 1
    assert counts(app, Period(date(2026, 7, 1), date(2026, 9, 30)))["signed"] == 1
    assert counts(app, Period(date(2026, 6, 30), date(2026, 7, 1)))["signed"] == 2


def test_a_project_counts_in_each_stage_on_its_own_date(app, add):
    """Signed in March, started in May: signed in Q1, started in Q2, wherever the card is now."""
    add(negotiating_on=date(2026, 1, 10), signed_on=date(2026, 3, 20),
        started_on=date(2026, 5, 8), producing_on=date(2026, 10, 1), investment_wan=80000)
    q1 = counts(app, Period(date(2026, 1, 1), date(2026, 3, 31)))
    q2 = counts(app, Period(date(2026, 4, 1), date(2026, 6, 30)))
    q4 = counts(app, Period(date(2026, 10, 1), date(2026, 12, 31)))
    assert (q1["entered_negotiation"], q1["signed"], q1["started"]) == (1, 1, 0)
    assert (q2["signed"], q2["started"], q2["producing"]) == (0, 1, 0)
    assert (q4["signed"], q4["started"], q4["producing"]) == (0, 0, 1)
    assert figures(app, q2_period := Period(date(2026, 4, 1), date(2026, 6, 30))
                   )["indicators"]["started"].investment_wan == 80000, q2_period


def test_a_backdated_signing_counts_on_its_corrected_date(app, add):
    project = add(negotiating_on=date(2026, 5, 2), signed_on=date(2026, 7, 3))
    july = Period(date(2026, 7, 1), date(2026, 7, 31))
    assert (counts(app, MIDYEAR)["signed"], counts(app, july)["signed"]) == (0, 1)
    with app.app_context():  # the date correction of issue 4 rewrites the stage date
        db.session.execute(update(Project).where(Project.id == project)
                           .values(signed_on=date(2026, 6, 28), stage_entered_at=date(2026, 6, 28)))
        db.session.commit()
    assert (counts(app, MIDYEAR)["signed"], counts(app, july)["signed"]) == (1, 0)


def test_a_signing_that_fell_through_no_longer_counts(app, add):
    """Moved back from signed to negotiating: the move clears ``signed_on`` (issue 4)."""
    project = add(negotiating_on=date(2026, 2, 1), signed_on=date(2026, 3, 1))
    assert counts(app, MIDYEAR)["signed"] == 1
    with app.app_context():
        db.session.execute(update(Project).where(Project.id == project).values(
            signed_on=None, stage="negotiating", stage_entered_at=date(2026, 2, 1)))
        db.session.commit()
    after = counts(app, MIDYEAR)
    assert (after["signed"], after["entered_negotiation"]) == (0, 1)


def test_withdrawn_projects_count_and_deleted_ones_never(app, add):
    add(signed_on=date(2026, 3, 1), three500="china_top", status="withdrawn",
        withdrawn_at=datetime(2026, 8, 1), withdrawn_reason="investor_withdrew")
    add(signed_on=date(2026, 3, 2), three500="china_top", investment_wan=500000,
        deleted_at=datetime(2026, 4, 1))
    result = figures(app, MIDYEAR)["indicators"]
    assert (result["signed"].count, result["signed_three500"].count) == (1, 1)
    assert (result["signed"].investment_wan, result["signed_billion_plus"].count) == (10000, 0)


def test_the_special_indicators_and_foreign_capital(app, add):
    add(signed_on=date(2026, 2, 1), investment_wan=100_000)  # exactly 10亿: counted
    add(signed_on=date(2026, 2, 2), investment_wan=99_999)
    add(signed_on=date(2026, 2, 3), foreign_invested=True, foreign_capital_usd_wan=1200,
        new_trade_entity=True)
    add(signed_on=date(2025, 2, 3), foreign_invested=True, foreign_capital_usd_wan=400)
    add(negotiating_on=date(2026, 2, 3), foreign_invested=True, foreign_capital_usd_wan=9000)
    result = figures(app, MIDYEAR)
    found = {name: figure.count for name, figure in result["indicators"].items()}
    assert found == {"entered_negotiation": 1, "signed": 3, "converted": 0, "started": 0,
                     "producing": 0,
                     "signed_billion_plus": 1, "signed_three500": 0, "foreign_invested": 1,
                     "new_trade_entity": 1}
    assert (result["foreign_capital_usd_wan"], result["previous_foreign_capital_usd_wan"],
            result["change_foreign_capital_pct"]) == (1200, 400, 200.0)


def test_nothing_last_year_gives_no_percentage(app, add):
    add(signed_on=date(2026, 3, 1))
    signed = figures(app, MIDYEAR)["indicators"]["signed"]
    assert (signed.previous_count, signed.change_count_pct, signed.change_investment_pct) == (
        0, None, None)


def test_the_county_filter(app, add):
    add(county="鹤城区", signed_on=date(2026, 3, 1))
    add(county="中方县", signed_on=date(2026, 3, 1))
    add(county="中方县", signed_on=date(2025, 3, 1))
    assert counts(app, MIDYEAR)["signed"] == 2
    zhongfang = figures(app, MIDYEAR, "中方县")["indicators"]["signed"]
    assert (zhongfang.count, zhongfang.previous_count, zhongfang.change_count_pct) == (1, 1, 0.0)
    assert counts(app, MIDYEAR, "怀化高新区")["signed"] == 0


# --- rankings, months -------------------------------------------------------------------------

def test_each_grouping_adds_up_to_the_city(app, midyear):
    with app.app_context():
        city = indicators.compute(MIDYEAR)
        for group in GROUPS:
            rows = indicators.by_group(MIDYEAR, group)
            total = rows[-1]
            assert total.total and total.key is None
            assert total.as_dict() == city, group
            parts = rows[:-1]
            for name in INDICATORS:
                assert sum(r.indicators[name].count for r in parts) == \
                    city["indicators"][name].count, (group, name)
        counties = indicators.by_group(MIDYEAR, "county")
    names = [row.label for row in counties[:-1]]
    assert "芷江侗族自治县" in names and "怀化高新区" in names  # idle counties are listed too
    assert names.index("鹤城区") < names.index("中方县")  # the board's order
    mine = [s for s in midyear.counted(MIDYEAR, "signed") if s.county == "沅陵县"]
    yuanling = next(row for row in counties if row.label == "沅陵县")
    assert yuanling.indicators["signed"].investment_wan == sum(s.investment_wan for s in mine)


def test_projects_without_a_group_have_their_line(app, add):
    add(signed_on=date(2026, 3, 1), sector=None, source_channel=None)
    add(signed_on=date(2026, 3, 1), source_channel="expo")
    with app.app_context():
        rows = indicators.by_group(MIDYEAR, "source_channel")
    unnamed = [row for row in rows if row.key is None and not row.total]
    assert [(row.label, row.indicators["signed"].count) for row in unnamed] == [("未填写", 1)]
    assert next(row for row in rows if row.key == "expo").indicators["signed"].count == 1


def statements(app, work) -> int:
    """How many SQL queries ``work`` runs (not counting the transaction's BEGIN)."""
    seen = []
    with app.app_context():
        engine = db.engine
        listener = lambda *args: seen.append(args[2].lstrip().upper()[:6])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            work()
        finally:
            event.remove(engine, "before_cursor_execute", listener)
    return seen.count("SELECT")


def test_by_group_runs_a_constant_number_of_statements(app, add, counties):
    add(signed_on=date(2026, 3, 1))
    few = {group: statements(app, lambda g=group: indicators.by_group(MIDYEAR, g))
           for group in GROUPS}
    build_midyear(app)  # sixteen counties, hundreds of projects
    many = {group: statements(app, lambda g=group: indicators.by_group(MIDYEAR, g))
            for group in GROUPS}
    assert few == many and few["county"] <= 2 and few["sector"] == 1
    assert statements(app, lambda: indicators.compute(MIDYEAR)) == 1


def test_monthly_signings(app, midyear):
    with app.app_context():
        months = indicators.monthly_signings(2026)
        last_year = indicators.monthly_signings(2025)
    assert [m for m, _n, _w in months] == list(range(1, 13))
    first_half = months[:6]
    assert sum(n for _m, n, _w in first_half) == SIGNED
    assert sum(w for _m, _n, w in first_half) == INVESTMENT_WAN
    assert sum(n for _m, n, _w in last_year[:6]) == SIGNED_BEFORE
    assert months[11][1] == 0  # no signings in December 2026 (yet)
    assert last_year[11][1] == len([s for s in midyear.specs if s.deleted_on is None and
                                    s.dates.get("signed", date.min).strftime("%Y-%m")
                                    == "2025-12"]) > 0


# --- periods and wording ----------------------------------------------------------------------

def test_periods_from_the_request():
    day = date(2026, 8, 15)
    of = lambda **args: indicators.period_from_args(args, day)  # noqa: E731
    assert of() == Period(date(2026, 1, 1), day)  # the year to date
    assert of(preset="month") == Period(date(2026, 8, 1), day)
    assert of(preset="quarter") == Period(date(2026, 7, 1), day)
    assert of(preset="half") == Period(date(2026, 7, 1), day)
    assert of(preset="year") == Period(date(2026, 1, 1), day)
    assert of(**{"from": "2026-06-30", "to": "2026-06-30"}).days == 1
    assert of(**{"from": "2021-01-01", "to": "2025-12-31"}).end == date(2025, 12, 31)
    for bad in [{"preset": "decade"}, {"from": "2026-01-01"}, {"to": "2026-01-01"},
                {"from": "2026-13-01", "to": "2026-12-31"},
                {"from": "2026-02-01", "to": "2026-01-31"},
                {"from": "2021-01-01", "to": "2026-01-01"},
                {"from": "1899-12-31", "to": "1900-01-01"}]:
        with pytest.raises(Invalid):
            of(**bad)


def test_the_same_period_last_year():
    assert MIDYEAR.previous_year() == Period(date(2025, 1, 1), date(2025, 6, 30))
    assert Period(date(2024, 2, 1), date(2024, 2, 29)).previous_year() == Period(
        date(2023, 2, 1), date(2023, 2, 28))
    assert Period(date(2028, 2, 29), date(2028, 3, 1)).previous_year().start == date(2027, 2, 28)


@pytest.mark.parametrize(("pct", "chinese", "english"), [
    (210.3, "同比增长 210%", "up 210% year on year"),
    (-12.4, "同比下降 12%", "down 12% year on year"),
    (12.5, "同比增长 13%", "up 13% year on year"),
    (0.4, "同比持平", "unchanged year on year"),
    (-0.4, "同比持平", "unchanged year on year"),
    (None, "去年同期为零", "none in the same period last year"),
])
def test_a_change_reads_as_officials_write_it(app, pct, chinese, english):
    from flask import session

    with app.test_request_context("/indicators"):
        assert indicators.format_change(pct) == chinese
    with app.test_request_context("/indicators"):
        session["lang"] = "en"
        assert indicators.format_change(pct) == english


# --- the page: presets, sorting, refusals -----------------------------------------------------

def ranking_rows(page: str, group: str) -> list[str]:
    table = re.search(rf'data-group="{group}".*?<tbody>(.*?)</tbody>', page, re.S).group(1)
    return [re.sub(r"\s+", "", label) for label in re.findall(r'<th scope="row">(.*?)</th>',
                                                               table, re.S)]


def test_the_ranking_sorts_by_the_column_in_the_url(clients, app, midyear):
    viewer = clients["viewer"]
    page = viewer.get(f"/indicators?{H1}&sort=started").get_data(as_text=True)
    with app.app_context():
        rows = indicators.by_group(MIDYEAR, "county")
    by_started = sorted((r for r in rows[:-1] if r.key is not None),
                        key=lambda r: -r.indicators["started"].count)
    assert ranking_rows(page, "county")[:-1] == [r.label for r in by_started]
    assert ranking_rows(page, "county")[-1] == "全市合计"
    # A county that started nothing takes no rank: 怀化高新区 has no project at all.
    idle = re.search(r'<td class="rank">([^<]*)</td>\s*<th scope="row">怀化高新区</th>', page)
    assert idle.group(1) == ""
    assert re.search(r'aria-sort="descending">\s*<a href="[^"]*sort=started', page)
    # The links keep the period; the sort links keep it too.
    assert 'href="/indicators?sort=signed_three500&amp;from=2026-01-01&amp;to=2026-06-30' \
        '#ranking-county"' in page
    # An unknown column falls back to the signings.
    fallback = viewer.get(f"/indicators?{H1}&sort=drop+table").get_data(as_text=True)
    assert 'data-sort="signed"' in fallback


def test_the_page_offers_the_periods_of_the_year(clients, midyear):
    page = clients["viewer"].get("/indicators").get_data(as_text=True)
    for label in ("本月", "本季度", "上半年"):
        assert f">{label}</a>" in page
    # The default is the year to date; past June the first half is offered whole.
    assert re.search(r'href="/indicators\?sort=signed&amp;preset=year" aria-current="true"', page)
    year = today().year
    first_half = f"from={year}-01-01&amp;to={year}-06-30" if today().month > 6 else "preset=half"
    assert re.search(rf'href="/indicators\?sort=signed&amp;{first_half}"\s*>上半年</a>', page)


def test_a_bad_period_on_the_page_says_why(clients):
    response = clients["viewer"].get("/indicators?from=2026-06-30&to=2026-01-01")
    assert response.status_code == 422
    assert "截止日期早于起始日期" in response.get_data(as_text=True)


def test_the_board_links_the_indicators_and_the_reports(clients):
    board = clients["viewer"].get("/board").get_data(as_text=True)
    menu = board.split('<details class="menu"')[1].split("</details>")[0]
    assert "报表" in menu
    for href, label in (("/indicators", "主要指标"), ("/reports/schedule", "调度报告"),
                        ("/reports/weekly", "周报")):
        assert f'href="{href}">{label}</a>' in menu


# --- funds in place (资金到位), foreign capital actually used (实际利用外资) ----------------------

@pytest.fixture
def funds_world(app, add):
    """Receipts around the first half of 2026 and of 2025, worked out by hand:

    ====  ========  ========  =========================================  ===============
    row   county    sector    receipts (万元 / of which 万美元)            counted
    ====  ========  ========  =========================================  ===============
    old   鹤城区    industry  2026-02-10 5000/300, 2026-06-30 2000,       H1 2026: 7000/300
          (signed 2024)       2026-07-01 9999 (after), 2025-03-01 1000/100 H1 2025: 1000/100
                              2026-03-01 7777 (removed: never)
    new   中方县    tourism   2026-04-01 3000, 2025-06-30 500             3000 / 500
    gone  (deleted)           2026-03-03 8888/800                        never
    off   鹤城区    industry  2026-05-05 100/50 (withdrawn project)       100/50
    ====  ========  ========  =========================================  ===============

    City, H1 2026: 10100 万元, 350 万美元; H1 2025: 1500, 100.
    """
    old = add(name="老项目", signed_on=date(2024, 5, 1), foreign_invested=True)
    new = add(name="新项目", county="中方县", sector="tourism", signed_on=date(2026, 1, 5))
    gone = add(name="已删除", signed_on=date(2026, 1, 9), deleted_at=datetime(2026, 8, 1))
    off = add(name="已退库", signed_on=date(2026, 2, 1), status="withdrawn",
              withdrawn_at=datetime(2026, 8, 1), withdrawn_reason="investor_withdrew")
    rows = [(old, date(2026, 2, 10), 5000, 300, None), (old, date(2026, 6, 30), 2000, None, None),
            (old, date(2026, 7, 1), 9999, None, None), (old, date(2025, 3, 1), 1000, 100, None),
            (old, date(2026, 3, 1), 7777, None, datetime(2026, 3, 2)),
            (new, date(2026, 4, 1), 3000, None, None), (new, date(2025, 6, 30), 500, None, None),
            (gone, date(2026, 3, 3), 8888, 800, None), (off, date(2026, 5, 5), 100, 50, None)]
    with app.app_context():
        db.session.add_all(FundReceipt(project_id=project, received_on=day, amount_wan=wan,
                                       foreign_usd_wan=usd, removed_at=removed)
                           for project, day, wan, usd, removed in rows)
        db.session.commit()


FUNDS_KEYS = ("funds_in_place_wan", "previous_funds_in_place_wan", "change_funds_in_place_pct",
              "foreign_capital_actual_usd_wan", "previous_foreign_capital_actual_usd_wan",
              "change_foreign_capital_actual_pct")


def test_funds_in_place_count_the_receipts_dated_in_the_period(app, funds_world):
    result = figures(app, MIDYEAR)
    # (10100 − 1500) / 1500 = 573.3 %; (350 − 100) / 100 = 250 %
    assert tuple(result[key] for key in FUNDS_KEYS) == (10100, 1500, 573.3, 350, 100, 250.0)
    # The receipts bring no project into the counts of the stages, nor count one twice.
    assert result["indicators"]["signed"].count == 2  # 新项目 and 已退库
    july = figures(app, Period(date(2026, 7, 1), date(2026, 7, 31)))
    assert (july["funds_in_place_wan"], july["previous_funds_in_place_wan"],
            july["change_funds_in_place_pct"]) == (9999, 0, None)


def test_funds_in_place_by_county_sector_and_in_the_county_filter(app, funds_world):
    with app.app_context():
        groups = indicators.by_groups(MIDYEAR)
    county = {row.label: (row.funds_in_place_wan, row.previous_funds_in_place_wan,
                          row.foreign_capital_actual_usd_wan) for row in groups["county"]}
    assert county["鹤城区"] == (7100, 1000, 350)
    assert county["中方县"] == (3000, 500, 0)
    assert county["怀化高新区"] == (0, 0, 0)
    assert county["全市合计"] == (10100, 1500, 350)
    sector = {row.key: row.funds_in_place_wan for row in groups["sector"]}
    assert (sector["industry"], sector["tourism"]) == (7100, 3000)
    assert figures(app, MIDYEAR, "中方县")["funds_in_place_wan"] == 3000


def test_the_api_page_and_report_show_funds_in_place(clients, funds_world):
    body = clients["viewer"].get(f"/api/indicators?{H1}").json
    assert tuple(body[key] for key in FUNDS_KEYS) == (10100, 1500, 573.3, 350, 100, 250.0)
    assert body["foreign_capital_usd_wan"] == 0  # none contracted: none of them signed so
    page = clients["viewer"].get(f"/indicators?{H1}&sort=funds_in_place").get_data(as_text=True)
    for figure in ("funds_in_place_wan", "foreign_capital_actual_usd_wan"):
        assert f'data-indicator="{figure}"' in page
    assert "实际利用外资" in page and "合同外资" in page and "到位资金" in page
    ranking = re.search(r'id="ranking-county".*?</table>', page, re.S).group(0)
    first = re.search(r'<tr class="" data-key="\d+">\s*<td class="rank">1</td>\s*<th scope="row">'
                      r"([^<]+)</th>", ranking)
    assert first and first.group(1) == "鹤城区"
    report = clients["viewer"].get(f"/reports/schedule?{H1}").get_data(as_text=True)
    assert 'data-investment="10100"' in report and 'data-amount="350"' in report


def test_the_counties_targets_for_funds_in_place_keep_the_pace(app, clients, funds_world):
    """鹤城区, as of 30 June (181 of 365 days): 7100 万元 of a 14200 target, 350 万美元 of 700:
    50.0 % each, against a pace of 49.6 %: on pace."""
    with app.app_context():
        hecheng = db.session.execute(select(County.id).where(County.name == "鹤城区")).scalar()
        db.session.add(CountyTarget(county_id=hecheng, year=2026, funds_in_place_wan=14200,
                                    foreign_capital_actual_usd_wan=700))
        db.session.commit()
        [row] = indicators.pace(2026, date(2026, 6, 30))
    for name, actual in (("funds_in_place_wan", 7100), ("foreign_capital_actual_usd_wan", 350)):
        item = row.items[name]
        assert (item.actual, item.progress_pct, item.status) == (actual, 50.0, "on_pace")
    page = clients["viewer"].get(f"/indicators?{H1}").get_data(as_text=True)
    assert 'data-target="funds_in_place_wan"' in page
    assert 'data-target="foreign_capital_actual_usd_wan"' in page
