"""Charts drawn on the server as SVG: the stage funnel, monthly signings, counties side by side.

Why SVG from the server: the wall runs on an intranet and must load nothing from the internet;
an inline SVG is vector (sharp on a 4K television), scales to its container by its viewBox, and
carries its numbers as text, so a screen reader, a test and a person read the same values.

Each chart is a pure function of its figures (no query here) returning ``Markup``; every piece
of text in it is escaped. Text is drawn in ``currentColor``, so one chart reads dark on a light
page and light on the wall; the fills are the app's stage colours, which ``charts.css`` retunes
for the wall's dark ground through the classes each shape carries.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Sequence

from babel.dates import get_month_names
from flask_babel import format_decimal, get_locale, ngettext
from flask_babel import gettext as _
from markupsafe import Markup, escape

from wallchart.core.formatting import total, total_format, total_number
from wallchart.core.vocabulary import STAGES
from wallchart.reports.indicators import GroupRow
from wallchart.reports.report_data import INDICATOR_LABELS

#: The stage colours of ``static/css/app.css`` (the column heads and card edges).
STAGE_COLOURS = {"contact": "#6b7a90", "negotiating": "#1d4f91", "signed": "#b3261e",
                 "started": "#b26a00", "producing": "#1b7f3b"}
COUNT_COLOUR = "#1d4f91"
MONEY_COLOUR = "#b26a00"
LAST_YEAR_COLOUR = "#9aa3b2"
#: The app's font stack (``--font`` in app.css): the chart keeps it when shown on its own.
FONT = ("'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', "
        "system-ui, sans-serif")

WIDTH = 900     # every chart is this wide in viewBox units; heights follow the content
LABEL = 24      # the type size of labels, in viewBox units
SMALL = 20      # the type size of secondary figures


# --- drawing primitives -------------------------------------------------------------------------

def _n(value: float) -> str:
    """A coordinate, to a tenth of a unit: the SVG stays short and the same figures draw the
    same string."""
    return f"{value:.1f}".removesuffix(".0")


def _attributes(attributes: dict[str, object]) -> str:
    """``font_size=24`` becomes ``font-size="24"``; ``None`` leaves the attribute out."""
    parts = []
    for key, value in attributes.items():
        if value is None:
            continue
        if isinstance(value, float):
            value = _n(value)
        parts.append(f' {key.rstrip("_").replace("_", "-")}="{escape(value)}"')
    return "".join(parts)


def _element(tag: str, content: str = "", **attributes: object) -> str:
    return f"<{tag}{_attributes(attributes)}>{content}</{tag}>" if content else \
        f"<{tag}{_attributes(attributes)}/>"


def _text(x: float, y: float, content: object, **attributes: object) -> str:
    """A piece of text in the page's colour unless told otherwise; the content is escaped."""
    attributes.setdefault("fill", "currentColor")
    return _element("text", str(escape(content)), x=float(x), y=float(y), **attributes)


def _rect(x: float, y: float, width: float, height: float, **attributes: object) -> str:
    return _element("rect", x=float(x), y=float(y), width=float(max(width, 0)),
                    height=float(max(height, 0)), **attributes)


def _svg(kind: str, height: float, label: str, body: Iterable[str]) -> Markup:
    """The chart's frame: sized by its viewBox only, named for assistive technology."""
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {_n(height)}"'
        f' class="chart chart-{kind}" role="img" aria-label="{escape(label)}"'
        f' font-family="{escape(FONT)}" font-size="{LABEL}">'
        f"<title>{escape(label)}</title>{''.join(body)}</svg>")


def _empty(kind: str, height: float, label: str) -> Markup:
    """A calm empty state: the chart's frame with one quiet line in the middle."""
    return _svg(kind, height, label, [
        _text(WIDTH / 2, height / 2, _("No data yet"), text_anchor="middle",
              dominant_baseline="middle", fill_opacity=".6", class_="chart-empty")])


def text_width(text: str, size: float) -> float:
    """About how wide ``text`` sets at ``size``: Chinese glyphs are square, Latin ones about
    0.6 of that. Enough to lay out columns without a font at hand."""
    return sum(size if unicodedata.east_asian_width(char) in "WF" else size * 0.6
               for char in text)


def _fitted(text: str, size: float, room: float) -> tuple[str, float | None]:
    """``text`` made to fit ``room``: squeezed a little if need be (``textLength``), cut with
    an ellipsis past that. Returns the text and the squeezed length, if any."""
    if text_width(text, size) <= room:
        return text, None
    while len(text) > 2 and text_width(text, size) * 0.8 > room:
        text = text.removesuffix("…")[:-1] + "…"
    return text, min(room, text_width(text, size))


def _label(x: float, y: float, text: str, size: float, room: float,
           **attributes: object) -> str:
    shown, length = _fitted(text, size, room)
    if length is not None:
        attributes.update(textLength=length, lengthAdjust="spacingAndGlyphs")
    return _text(x, y, shown, font_size=size, **attributes)


def _legend(x: float, y: float, entries: Sequence[tuple[str, str, str]]) -> str:
    """Swatches and names in a row, right-aligned at ``x``: (name, colour, class)."""
    parts = []
    for name, colour, cls in reversed(entries):
        x -= text_width(name, SMALL)
        parts.append(_text(x, y, name, font_size=SMALL, dominant_baseline="middle"))
        x -= 26
        parts.append(_rect(x, y - 9, 18, 18, rx=3, fill=colour, class_=f"swatch {cls}"))
        x -= 28
    return "".join(parts)


# --- numbers ------------------------------------------------------------------------------------

def amount_unit() -> str:
    """The unit of an amount axis: '亿元' / 'CNY bn'."""
    spec = total_format()
    return f"{spec['prefix']}{str(spec['suffix']).strip()}"


def _projects(count: int) -> str:
    return ngettext("%(num)d project", "%(num)d projects", count)


def _axis(top: float) -> tuple[float, list[float]]:
    """A round maximum for an axis reaching ``top`` and its ticks (about four of them)."""
    if top <= 0:
        return 1, [0, 1]
    raw = top / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    ceiling = step * math.ceil(top / step)
    return ceiling, [step * i for i in range(round(ceiling / step) + 1)]


def _month_names() -> dict[int, str]:
    """'1月'…'12月' in Chinese, 'Jan'…'Dec' in English: babel's own abbreviations."""
    return dict(get_month_names("abbreviated", locale=get_locale() or "zh"))


# --- the charts ---------------------------------------------------------------------------------

def stage_funnel(rows: Iterable[tuple[str, int, int]]) -> Markup:
    """The board as a funnel: per stage (``(stage, count, investment_wan)``, any order, missing
    stages count zero) a bar as wide as its number of projects, with the count and the amount.

    Bars are centred so the column of stages reads as a funnel; a light band joins each bar to
    the next. The amount is printed rather than drawn: counts and money do not share a scale.
    """
    figures = {stage: (0, 0) for stage in STAGES}
    for stage, count, wan in rows:
        if stage in figures:
            figures[stage] = (count, wan)
    label = _("Projects on the board by stage")
    row, gap, top = 64, 14, 8
    height = top * 2 + len(STAGES) * row + (len(STAGES) - 1) * gap
    if not any(count for count, _wan in figures.values()):
        return _empty("funnel", height, label)
    names = {stage: str(name) for stage, name in STAGES.items()}
    label_room = min(max(text_width(name, LABEL) for name in names.values()), 260)
    figures_room = 230
    bar_left, bar_right = label_room + 24, WIDTH - figures_room - 24
    centre, widest = (bar_left + bar_right) / 2, bar_right - bar_left
    most = max(count for count, _wan in figures.values())
    body, previous = [], None
    for i, (stage, (count, wan)) in enumerate(figures.items()):
        y = top + i * (row + gap)
        width = widest * count / most
        if count:
            width = max(width, 6)
        edges = (centre - width / 2, centre + width / 2)
        if previous is not None:
            points = (f"{_n(previous[0])},{_n(y - gap)} {_n(previous[1])},{_n(y - gap)} "
                      f"{_n(edges[1])},{_n(y)} {_n(edges[0])},{_n(y)}")
            body.append(_element("polygon", points=points, fill="currentColor",
                                 fill_opacity=".08"))
        body.append(_rect(edges[0], y, width, row, rx=4, fill=STAGE_COLOURS[stage],
                          class_=f"bar stage-{stage}"))
        body.append(_label(label_room, y + row / 2, names[stage], LABEL, label_room,
                           text_anchor="end", dominant_baseline="middle", font_weight="bold"))
        figures_x = bar_right + 24
        body.append(_text(figures_x, y + 26, _projects(count), font_size=LABEL + 2,
                          font_weight="bold", class_="value"))
        body.append(_text(figures_x, y + 54, total(wan), font_size=SMALL, fill_opacity=".75",
                          class_="value money"))
        previous = edges
    return _svg("funnel", height, label, body)


def monthly_signings(this_year: Iterable[tuple[int, int, int]],
                     last_year: Iterable[tuple[int, int, int]], year: int,
                     measure: str = "count") -> Markup:
    """Signings per month, ``year`` against the year before: paired bars for each month, last
    year's in grey behind this year's in the colour of the signed column.

    Rows are ``(month, count, investment_wan)``; a month missing from ``this_year`` (one still
    to come) draws no bar, while a month present with zero draws a zero. ``measure`` is
    ``count`` or ``investment`` (in 亿元).
    """
    index = 1 if measure == "count" else 2
    current = {row[0]: row[index] for row in this_year}
    previous = {row[0]: row[index] for row in last_year}
    label = (_("Projects signed per month, %(year)d against %(last)d", year=year, last=year - 1)
             if measure == "count" else
             _("Investment signed per month, %(year)d against %(last)d", year=year,
               last=year - 1))
    height = 400
    if not any(current.values()) and not any(previous.values()):
        return _empty("monthly", height, label)
    divisor = 1 if measure == "count" else float(total_format()["divisor"])
    left, right, top, bottom = 80, 12, 64, 46
    plot_height, plot_width = height - top - bottom, WIDTH - left - right
    ceiling, ticks = _axis(max([*current.values(), *previous.values()]) / divisor)
    if measure == "count":
        ticks = [tick for tick in ticks if tick == int(tick)]
    base = top + plot_height

    def y_of(value: float) -> float:
        return base - plot_height * value / divisor / ceiling

    unit = _("Projects") if measure == "count" else amount_unit()
    body = [_text(left - 14, top - 34, unit, font_size=SMALL, text_anchor="end",
                  fill_opacity=".75"),
            _legend(WIDTH - right, top - 40, [
                (_("%(year)d", year=year), STAGE_COLOURS["signed"], "this-year"),
                (_("%(year)d", year=year - 1), LAST_YEAR_COLOUR, "last-year")])]
    for tick in ticks:
        y = base - plot_height * tick / ceiling
        body.append(_element("line", x1=float(left), x2=float(WIDTH - right), y1=y, y2=y,
                             stroke="currentColor", stroke_opacity=".25" if tick else ".6",
                             stroke_width="1"))
        body.append(_text(left - 14, y, format_decimal(tick), font_size=SMALL,
                          text_anchor="end", dominant_baseline="middle", fill_opacity=".75"))
    group = plot_width / 12
    bar = group * 0.36
    months = _month_names()
    for month in range(1, 13):
        x = left + (month - 1) * group
        if month in previous:
            body.append(_rect(x + group / 2 - bar, y_of(previous[month]), bar,
                              base - y_of(previous[month]), fill=LAST_YEAR_COLOUR,
                              class_="bar last-year"))
        if month in current:
            value = current[month]
            body.append(_rect(x + group / 2, y_of(value), bar, base - y_of(value),
                              fill=STAGE_COLOURS["signed"], class_="bar this-year"))
            shown = format_decimal(value) if measure == "count" else total_number(value)
            body.append(_text(x + group / 2 + bar / 2, y_of(value) - 8, shown,
                              font_size=SMALL, text_anchor="middle", font_weight="bold",
                              class_="value"))
        body.append(_text(x + group / 2, base + 30, months[month], font_size=SMALL,
                          text_anchor="middle"))
    return _svg("monthly", height, label, body)


def counties_side_by_side(rows: Iterable[GroupRow], indicator: str) -> Markup:
    """The counties side by side for one indicator (``indicators.INDICATORS``), from the rows of
    ``indicators.by_group(period, "county")``: per county a bar for the number of projects and,
    under it, one for their investment, each on its own scale and labelled with its value.
    Sorted by count, then investment; the city-total row is left out (it would dwarf the rest),
    and so are the counties with nothing, told in one line under the bars ("其余 3 个县区暂无")
    rather than as rows of "0 个项目 0.00 亿元".
    """
    def anything(row: GroupRow) -> bool:
        figure = row.indicators[indicator]
        return bool(figure.count or figure.investment_wan)

    groups = [row for row in rows if not row.total]
    items = sorted(((row.label, row.indicators[indicator]) for row in groups if anything(row)),
                   key=lambda item: (-item[1].count, -item[1].investment_wan, item[0]))
    label = _("%(indicator)s by county", indicator=INDICATOR_LABELS[indicator])
    if not items:
        return _empty("counties", 240, label)
    # Counties only: "Not recorded" has a row only when some projects name no county.
    idle = sum(1 for row in groups if row.key is not None and not anything(row))
    bar, gap, row_gap, top = 21, 2, 12, 48
    footer = 40 if idle else 0
    height = top + len(items) * (bar * 2 + gap + row_gap) + footer
    label_room = min(max(text_width(name, LABEL) for name, _figure in items), 300)
    bar_left = label_room + 22
    widest = WIDTH - bar_left - 190
    most_count = max(figure.count for _name, figure in items) or 1
    most_money = max(figure.investment_wan for _name, figure in items) or 1
    body = [_legend(WIDTH, 18, [(_("Projects"), COUNT_COLOUR, "count"),
                                (_("Investment"), MONEY_COLOUR, "money")])]
    for i, (name, figure) in enumerate(items):
        y = top + i * (bar * 2 + gap + row_gap)
        body.append(_label(label_room, y + bar + gap / 2, name, LABEL, label_room,
                           text_anchor="end", dominant_baseline="middle", font_weight="bold"))
        for value, most, shown, cls, colour in (
                (figure.count, most_count, _projects(figure.count), "count", COUNT_COLOUR),
                (figure.investment_wan, most_money, total(figure.investment_wan), "money",
                 MONEY_COLOUR)):
            width = widest * value / most
            body.append(_rect(bar_left, y, max(width, 3) if value else 0, bar, rx=3,
                              fill=colour, class_=f"bar {cls}"))
            body.append(_text(bar_left + width + 10, y + bar / 2, shown, font_size=SMALL,
                              dominant_baseline="middle", font_weight="bold", class_="value"))
            y += bar + gap
    if idle:
        body.append(_text(bar_left, height - footer / 2, ngettext(
            "The other county has none", "The other %(num)d counties have none", idle),
            font_size=SMALL, dominant_baseline="middle", fill_opacity=".75", class_="idle"))
    return _svg("counties", height, label, body)
