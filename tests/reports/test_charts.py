"""Server-drawn SVG charts: well-formed, labelled with their figures in each language, escaped,
and calm when there is nothing to draw."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from wallchart.reports import charts
from wallchart.reports.indicators import Figure, GroupRow

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def zh(app):
    with app.test_request_context("/wall?lang=zh"):
        yield


@pytest.fixture
def en(app):
    with app.test_request_context("/wall?lang=en"):
        yield


def parsed(svg) -> ET.Element:
    """The chart as XML: parsing fails on anything not well-formed (an unescaped ``<`` too)."""
    root = ET.fromstring(str(svg))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img" and root.get("aria-label")
    assert root.find(f"{SVG}title").text == root.get("aria-label")
    assert root.get("viewBox").startswith("0 0 ") and root.get("width") is None
    return root


def texts(root: ET.Element) -> list[str]:
    return [element.text for element in root.iter(f"{SVG}text")]


def bars(root: ET.Element, cls: str) -> list[ET.Element]:
    """The bars (not the legend's swatches) of that class."""
    return [rect for rect in root.iter(f"{SVG}rect")
            if {"bar", cls} <= set(rect.get("class", "").split())]


def county(label: str, count: int, wan: int, key: int | None = 1,
           total: bool = False) -> GroupRow:
    figure = Figure.of(count, wan, 0, 0)
    return GroupRow(key, label, {"signed": figure}, 0, 0, total=total)


STAGE_ROWS = [("contact", 12, 80000), ("negotiating", 8, 230000), ("signed", 5, 458000),
              ("started", 3, 150000), ("producing", 0, 0)]


def test_funnel_shows_each_stage_with_count_and_amount(zh):
    root = parsed(charts.stage_funnel(STAGE_ROWS))
    shown = texts(root)
    for name in ("接触洽谈", "在谈", "已签约", "已开工", "竣工投产"):
        assert name in shown
    assert "12 个项目" in shown and "45.80 亿元" in shown and "0 个项目" in shown
    widths = {rect.get("class").split()[-1]: float(rect.get("width"))
              for rect in root.iter(f"{SVG}rect")}
    assert widths["stage-contact"] > widths["stage-negotiating"] > widths["stage-started"]
    assert widths["stage-producing"] == 0


def test_funnel_in_english(en):
    shown = texts(parsed(charts.stage_funnel(STAGE_ROWS)))
    assert "Completed & producing" in shown and "12 projects" in shown
    assert "CNY 4.58bn" in shown


def test_empty_charts_say_so_calmly(zh):
    for svg in (charts.stage_funnel([]), charts.monthly_signings([], [], 2026),
                charts.counties_side_by_side([county("全市合计", 0, 0, None, True)], "signed"),
                charts.monthly_signings([(1, 0, 0)], [(1, 0, 0)], 2026)):
        assert texts(parsed(svg)) == ["暂无数据"]


MONTHS_2026 = [(1, 12, 300000), (2, 10, 120000), (3, 0, 0)]
MONTHS_2025 = [(month, month % 4, 20000 * month) for month in range(1, 13)]


def test_monthly_signings_in_chinese(zh):
    root = parsed(charts.monthly_signings(MONTHS_2026, MONTHS_2025, 2026))
    shown = texts(root)
    assert [f"{month}月" for month in range(1, 13)] == [t for t in shown if t.endswith("月")]
    assert "2026年" in shown and "2025年" in shown  # the legend
    assert "12" in shown and "10" in shown
    assert len(bars(root, "this-year")) == 3  # months to come draw nothing; March draws zero
    assert float(bars(root, "this-year")[2].get("height")) == 0
    assert len(bars(root, "last-year")) == 12


def test_monthly_signings_in_english_and_in_money(en):
    root = parsed(charts.monthly_signings(MONTHS_2026, MONTHS_2025, 2026, "investment"))
    shown = texts(root)
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    assert [t for t in shown if t in months] == months
    assert "CNY bn" in shown
    assert "3.00" in shown  # 300,000 万元 = CNY 3bn
    assert "2026" in shown and "2025" in shown


def test_counties_sorted_with_values_and_without_the_city_total(zh):
    rows = [county("鹤城区", 3, 50000, 1), county("中方县", 7, 40000, 2),
            county("怀化高新技术产业开发区", 7, 90000, 3),
            county("全市合计", 17, 180000, None, True)]
    root = parsed(charts.counties_side_by_side(rows, "signed"))
    shown = texts(root)
    names = [t for t in shown if t in ("鹤城区", "中方县", "怀化高新技术产业开发区", "全市合计")]
    assert names == ["怀化高新技术产业开发区", "中方县", "鹤城区"]
    assert "7 个项目" in shown and "9.00 亿元" in shown and "17 个项目" not in shown
    assert len(bars(root, "count")) == len(bars(root, "money")) == 3


def test_a_long_name_and_a_county_with_no_money(zh):
    long_name = "某某某某某某苗族侗族土家族自治县经济技术开发区高新技术产业园"
    root = parsed(charts.counties_side_by_side([county(long_name, 1, 0, 1),
                                                county("鹤城区", 1, 0, 2)], "signed"))
    label = next(t for t in root.iter(f"{SVG}text") if t.text.startswith("某某"))
    assert label.text.endswith("…") and label.get("textLength")
    assert float(label.get("textLength")) <= 300
    assert "0.00 亿元" in texts(root)


def test_counties_with_nothing_are_one_line_not_rows_of_zeros(zh):
    """"其余 2 个县区暂无" under the bars, rather than "0 个项目 0.00 亿元" twice; projects that
    name no county are no county."""
    rows = [county("鹤城区", 2, 30000, 1), county("中方县", 0, 0, 2), county("沅陵县", 0, 0, 3),
            county("未填写", 0, 0, None), county("全市合计", 2, 30000, None, True)]
    root = parsed(charts.counties_side_by_side(rows, "signed"))
    shown = texts(root)
    assert "鹤城区" in shown and "中方县" not in shown and "未填写" not in shown
    assert "0 个项目" not in shown and "0.00 亿元" not in shown
    assert "其余 2 个县区暂无" in shown
    assert len(bars(root, "count")) == 1
    everyone = parsed(charts.counties_side_by_side(rows[:1] + rows[-1:], "signed"))
    assert not any("其余" in text for text in texts(everyone))


def test_text_is_escaped(zh):
    hostile = "<script>"
    svg = charts.counties_side_by_side([county(hostile, 2, 10000)], "signed")
    assert "<script>" not in str(svg) and "&lt;script&gt;" in str(svg)
    assert hostile in texts(parsed(svg))
