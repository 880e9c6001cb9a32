"""How numbers and times read on screen, per language.

Chinese screens show money the way officials read it: 万元 for a single project under 1亿元 and
亿元 above; column totals always in 亿元. English screens show the same amounts in CNY millions
and billions.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import format_date, format_datetime, get_locale

from wallchart.core.money import BILLION_WAN, YI_WAN


def _trim(number: float, decimals: int) -> str:
    text = f"{number:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _chinese() -> bool:
    locale = get_locale()
    return locale is None or locale.language == "zh"


def money(wan: int) -> str:
    """One project's investment: '3.5 亿元', '800 万元' / 'CNY 350M'."""
    if _chinese():
        return f"{_trim(wan / YI_WAN, 2)} 亿元" if wan >= YI_WAN else f"{wan:,} 万元"
    if wan >= BILLION_WAN:
        return f"CNY {_trim(wan / BILLION_WAN, 2)}bn"
    return f"CNY {_trim(wan / 100, 2)}M"


def foreign_capital(usd_wan: int, unit: bool = True) -> str:
    """Foreign capital, stored in 万美元, as officials write it: '1,200 万美元' / 'USD 12M'. With
    ``unit`` false, the number alone, for a figure whose label names the unit (the wall's
    header: '合同外资（万美元）' / 'Contracted foreign capital (USD M)')."""
    if _chinese():
        number = f"{usd_wan:,}"
        return f"{number} 万美元" if unit else number
    number = _trim(usd_wan / 100, 2)
    return f"USD {number}M" if unit else number


def total_format() -> dict[str, object]:
    """How a column total is written; the live script reuses it when it recounts a column."""
    if _chinese():
        return {"prefix": "", "divisor": YI_WAN, "decimals": 2, "suffix": " 亿元"}
    return {"prefix": "CNY ", "divisor": BILLION_WAN, "decimals": 2, "suffix": "bn"}


def total_number(wan: int) -> str:
    spec = total_format()
    return f"{wan / spec['divisor']:,.{spec['decimals']}f}"


def total(wan: int) -> str:
    """A total with its unit, as officials read it: '173.70 亿元', never '1,737,000 万元' /
    'CNY 17.37bn'. Every list, report and chart writes its totals with this."""
    spec = total_format()
    return f"{spec['prefix']}{total_number(wan)}{spec['suffix']}"


def name_list(names: list[str], limit: int = 3) -> str:
    """A few names in a sentence: '甲、乙、丙…' / 'A, B, C…'."""
    shown = ("、" if _chinese() else ", ").join(names[:limit])
    return shown + "…" if len(names) > limit else shown


def date_span(start: date, end: date) -> str:
    """A reporting period as the bureau writes it: '2026年1月1日至6月30日' (the end's year only
    when it differs) / 'Jan 1 – Jun 30, 2026'. Written here, not taken from CLDR's interval
    pattern, which changes between Babel releases (2.19 writes '–' where officials write 至)."""
    if _chinese():
        tail = f"{end.year}年" if end.year != start.year else ""
        return f"{start.year}年{start.month}月{start.day}日至{tail}{end.month}月{end.day}日"
    if start.year == end.year:
        return f"{format_date(start, 'MMM d')} – {format_date(end, 'MMM d, y')}"
    return f"{format_date(start, 'MMM d, y')} – {format_date(end, 'MMM d, y')}"


def local_time(moment: datetime, style: str = "yyyy-MM-dd HH:mm") -> str:
    """A UTC time from the database as read in Asia/Shanghai."""
    return format_datetime(moment, style)
