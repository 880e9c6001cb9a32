"""The mid-year scheduling meeting as a test dataset.

:func:`build_midyear` fills a test database with projects whose first half of 2026 reproduces
the figures the city reported (issue 5): **121 projects signed** from 2026-01-01 to 2026-06-30,
+210 % against the 39 of 2025-01-01..2025-06-30; **45.8 billion yuan** (4,580,000 万元) of
investment, +340 % against 1,040,909 万元; **17 of 10亿元 and above**; **15 Three-500**.
Around them, what a real wall holds: projects in contact and negotiation, signings that started
and produce later, signings in December 2025 and July 2026 (outside the half), one signed
project deleted (never counted), one withdrawn (counted: it did sign), one signing that fell
through (moved back, its ``signed_on`` cleared). Each project has its history rows.

Use it from any test that has the ``app`` fixture (the counties are created when missing)::

    from bench.midyear import MIDYEAR, build_midyear

    data = build_midyear(app)          # -> Midyear: ids of the notable projects, the specs
    data.expected(MIDYEAR)["signed"]   # -> (121, 4580000): counted in Python, not SQL

The projects are :class:`~wallchart.cli.dataset.Spec` and are written by the writer the demo
data and the benchmarks share (``wallchart/cli/dataset.py``); :func:`random_specs` draws any
number of them alike, for measurements at scale, and :func:`write_specs` writes them the way
:func:`build_midyear` does.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from wallchart.cli.dataset import Spec, ensure_counties, insert_projects
from wallchart.cli.demo import COUNTIES
from wallchart.core.models import Team
from wallchart.core.money import BILLION_WAN
from wallchart.core.vocabulary import THREE500
from wallchart.extensions import db
from wallchart.reports.indicators import INDICATORS, Period

#: The half-year of the meeting, and the same half a year before.
MIDYEAR = Period(date(2026, 1, 1), date(2026, 6, 30))
PREVIOUS = MIDYEAR.previous_year()
#: What the meeting reported.
SIGNED, SIGNED_BEFORE = 121, 39
INVESTMENT_WAN, INVESTMENT_BEFORE_WAN = 4_580_000, 1_040_909
BILLION_PLUS, THREE500_COUNT = 17, 15
#: No stage date of the dataset is later than this, whatever day the tests run.
LAST_DAY = date(2026, 11, 20)
TEAM = "一组"

#: (what is built, sector): project names are "<county short name><this>".
PRODUCTS = [
    ("新能源电池材料项目", "industry"), ("智能装备制造项目", "industry"),
    ("电子信息元器件项目", "industry"), ("中药材精深加工项目", "industry"),
    ("绿色建材产业园", "industry"), ("高端竹木家居制造项目", "industry"),
    ("铝合金精密压铸项目", "industry"), ("生物医药中间体项目", "industry"),
    ("锂电池回收利用项目", "industry"), ("汽车零部件制造项目", "industry"),
    ("光伏组件生产线项目", "industry"), ("林产化工项目", "industry"),
    ("新型储能电站项目", "industry"), ("服装加工产业园", "industry"),
    ("冷链物流园项目", "services"), ("数据中心项目", "services"),
    ("区域商贸物流中心", "services"), ("城市商业综合体", "services"),
    ("跨境电商直播基地", "services"), ("智慧康养社区", "services"),
    ("黄桃种植与加工基地", "agriculture"), ("茶产业融合发展项目", "agriculture"),
    ("冰糖橙冷链仓储项目", "agriculture"), ("生猪智慧养殖项目", "agriculture"),
    ("预制菜加工项目", "agriculture"),
    ("侗族文化旅游度假区", "tourism"), ("古商城街区开发项目", "tourism"),
    ("康养旅游项目", "tourism"), ("民宿集群项目", "tourism"),
]
INVESTOR_PARTS = ("湘澜", "远桥", "星河", "五溪", "青石", "竹韵", "锐铝", "康瑞", "循绿", "云栈",
                  "丰果", "雾岭", "牧源", "侗乡", "汇城", "驰远", "晨曦", "沃土", "陆港", "颐和")
INVESTOR_KINDS = ("科技有限公司", "集团有限公司", "实业有限公司", "投资发展有限公司",
                  "股份有限公司")
CHANNEL_WEIGHTS = {"liaison_office": 5, "chamber": 4, "expo": 4, "referral": 3, "agency": 2,
                   "direct": 3, "other": 1}
ORIGINS = ("广东", "浙江", "江苏", "上海", "北京", "湖南", "福建", "四川")
FOREIGN_ORIGINS = ("香港", "新加坡", "德国", "日本", "韩国", "台湾")


# --- the dataset -------------------------------------------------------------------------------

def _spread(total: int, count: int, low: int, high: int, rng: random.Random) -> list[int]:
    """``count`` amounts in [low, high], mostly in hundreds of 万元, summing to ``total``."""
    amounts = [rng.randint(low // 100, high // 100) * 100 for _ in range(count)]
    scale = total / sum(amounts)
    amounts = [min(max(round(a * scale / 100) * 100, low), high) for a in amounts]
    index = 0
    while (rest := total - sum(amounts)) != 0:
        step = max(-(amounts[index] - low), min(high - amounts[index], rest))
        amounts[index] += step
        index = (index + 1) % count
    return amounts


def _days(rng: random.Random, start: date, end: date) -> date:
    """A day drawn between ``start`` and ``end``, both included."""
    return start + timedelta(days=rng.randint(0, (end - start).days))


def _signings(counts_by_month: dict[int, int], year: int, rng: random.Random) -> list[date]:
    """Signing days of ``year``: as many in each month as ``counts_by_month`` says, drawn."""
    days = []
    for month, count in counts_by_month.items():
        first = date(year, month, 1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        days.extend(_days(rng, first, last) for _ in range(count))
    return days


class _Maker:
    """Names, investors, counties and stage histories, drawn from one seeded generator."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: dict[str, int] = {}
        self.channels = [key for key, weight in CHANNEL_WEIGHTS.items() for _ in range(weight)]

    def spec(self, signed_on: date | None, amount: int, *, last: str = "signed",
             entered: date | None = None, **record) -> Spec:
        """A project that reached ``last``: signed on ``signed_on`` (or, for the stages before,
        entered its last stage on ``entered``), the stages before and after it drawn."""
        rng = self.rng
        product, sector = rng.choice(PRODUCTS)
        county = rng.choice(COUNTIES)[0]
        name = county.removesuffix("县").removesuffix("区")[:2] + product
        self.used[name] = self.used.get(name, 0) + 1
        if self.used[name] > 1:
            name += f"（{'一二三四五六七八九十'[min(self.used[name], 10) - 1]}期）"
        dates: dict[str, date] = {}
        if signed_on is not None:
            dates["signed"] = signed_on
            dates["negotiating"] = signed_on - timedelta(days=rng.randint(15, 160))
            if last in ("started", "producing") or rng.random() < 0.35:
                started = signed_on + timedelta(days=rng.randint(20, 140))
                if started <= LAST_DAY:
                    dates["started"] = started
                    producing = started + timedelta(days=rng.randint(90, 300))
                    if (last == "producing" or rng.random() < 0.3) and producing <= LAST_DAY:
                        dates["producing"] = producing
        elif last == "negotiating":
            dates["negotiating"] = entered
        contact = min([*dates.values(), entered or LAST_DAY])
        dates["contact"] = contact - timedelta(days=rng.randint(10, 120)) \
            if dates else entered
        foreign = record.get("foreign_invested", False)
        defaults = {
            "source_channel": rng.choice(self.channels),
            "enterprise_type": "foreign" if foreign else "private",
            "origin": rng.choice(FOREIGN_ORIGINS if foreign else ORIGINS),
            "investor": rng.choice(INVESTOR_PARTS) + ("国际" if foreign else "")
            + rng.choice(INVESTOR_KINDS) + "（示例）",
        }
        return Spec(name=name, county=county, sector=sector, investment_wan=amount,
                    dates=dict(sorted(dates.items(), key=lambda item: item[1])),
                    **(defaults | record))


@dataclass
class Midyear:
    """What :func:`build_midyear` wrote: every spec (with its row id) and the notable ones."""

    specs: list[Spec]
    #: ``deleted``, ``withdrawn``, ``moved_back``, ``last_day`` (signed 2026-06-30),
    #: ``first_day_next`` (signed 2026-07-01), ``before_start`` (signed 2025-12-31).
    ids: dict[str, int]

    def counted(self, period: Period, indicator: str) -> list[Spec]:
        """The projects an indicator counts in ``period``, decided in Python from the specs."""
        def within(stage: str, spec: Spec) -> bool:
            day = spec.dates.get(stage)
            return day is not None and period.start <= day <= period.end

        tests = {
            "entered_negotiation": lambda s: within("negotiating", s),
            "signed": lambda s: within("signed", s),
            # Every signing of the dataset is a contract signed as such: none converted.
            "converted": lambda s: False,
            "started": lambda s: within("started", s),
            "producing": lambda s: within("producing", s),
            "signed_billion_plus": lambda s: within("signed", s)
            and s.investment_wan >= BILLION_WAN,
            "signed_three500": lambda s: within("signed", s) and bool(s.three500),
            "foreign_invested": lambda s: within("signed", s) and s.foreign_invested,
            "new_trade_entity": lambda s: within("signed", s) and s.new_trade_entity,
        }
        return [spec for spec in self.specs if spec.deleted_on is None and tests[indicator](spec)]

    def expected(self, period: Period) -> dict[str, tuple[int, int]]:
        """(count, investment 万元) per indicator, plus ``foreign_capital_usd_wan`` as (sum, 0)."""
        result = {}
        for name in INDICATORS:
            counted = self.counted(period, name)
            result[name] = (len(counted), sum(spec.investment_wan for spec in counted))
        foreign = self.counted(period, "foreign_invested")
        result["foreign_capital_usd_wan"] = (sum(s.foreign_capital_usd_wan for s in foreign), 0)
        return result


def midyear_specs(seed: int = 2026) -> tuple[list[Spec], dict[str, Spec]]:
    """The projects of :func:`build_midyear`, not yet written, and the notable ones by role."""
    rng = random.Random(seed)
    make = _Maker(rng)
    three500 = list(THREE500)

    # The 121 signings of the first half of 2026: 17 of 10亿 and above (one exactly 10亿, one
    # just under it among the rest), 15 Three-500 (9 big, 6 not), 9 foreign-invested.
    big = [350000, 300000, 250000, 220000, 200000, 180000, 160000, 150000, 130000, 125000,
           120000, 110000, 105000, 102000, 100000, 100000, 100000]
    small = [99_999, *_spread(INVESTMENT_WAN - sum(big) - 99_999, SIGNED - len(big) - 1,
                              2000, 60000, rng)]
    days = _signings({1: 12, 2: 10, 3: 22, 4: 21, 5: 24, 6: 32}, 2026, rng)
    days[0], days[1] = MIDYEAR.end, MIDYEAR.start
    rng.shuffle(big)
    current = []
    foreign_capital = [12000, 8000, 5000, 3000, 2500, 1800, 1200, 800, 600]
    for number, (day, amount) in enumerate(zip(days, big + small, strict=True)):
        record = {}
        if number < 9 or len(big) + 1 <= number < len(big) + 7:
            record["three500"] = three500[number % 3]
        if number in (2, 5, 8, 20, 31, 44, 57, 70, 99):
            record["foreign_invested"] = True
            record["foreign_capital_usd_wan"] = foreign_capital.pop()
        if number in (5, 20, 33, 61, 88, 104, 117):
            record["new_trade_entity"] = True
        current.append(make.spec(day, amount, **record))
    current[0].dates.pop("started", None)  # signed on the last day: nothing after it yet
    current[0].dates.pop("producing", None)
    current[30].withdrawn_on = date(2026, 8, 18)

    # The 39 of the first half of 2025: 3 of 10亿 and above, 4 Three-500, 3 foreign-invested.
    before_big = [150000, 120000, 100000]
    before = _spread(INVESTMENT_BEFORE_WAN - sum(before_big), SIGNED_BEFORE - 3, 2000, 60000,
                     rng)
    days = _signings({1: 4, 2: 3, 3: 7, 4: 7, 5: 8, 6: 10}, 2025, rng)
    days[0] = PREVIOUS.end
    earlier = []
    for number, (day, amount) in enumerate(zip(days, before_big + before, strict=True)):
        record = {}
        if number in (0, 4, 9, 17):
            record["three500"] = three500[number % 3]
        if number in (1, 12, 25):
            record["foreign_invested"] = True
            record["foreign_capital_usd_wan"] = {1: 2000, 12: 1500, 25: 700}[number]
        if number in (3, 22):
            record["new_trade_entity"] = True
        earlier.append(make.spec(day, amount, last="started" if number < 25 else "signed",
                                 **record))

    # Signings outside both halves: the second half of 2025 and of 2026 (to date).
    outside = [make.spec(day, rng.choice([8000, 15000, 26000, 42000, 120000]))
               for day in _signings({7: 2, 8: 3, 9: 3, 10: 2, 11: 3, 12: 2}, 2025, rng)
               + _signings({7: 3, 8: 4, 9: 3, 10: 4}, 2026, rng)]
    notable = {
        "before_start": make.spec(date(2025, 12, 31), 30000, three500="china_top"),
        "first_day_next": make.spec(date(2026, 7, 1), 150000, three500="fortune_global"),
        # Would add one of 10亿 and a Three-500 if a deleted project counted.
        "deleted": make.spec(date(2026, 3, 10), 200000, three500="china_private"),
        "moved_back": make.spec(None, 45000, last="negotiating", entered=date(2026, 2, 16),
                                fell_through=(date(2026, 3, 25), date(2026, 5, 20))),
    }
    notable["deleted"].deleted_on = date(2026, 4, 2)
    notable["last_day"] = current[0]
    notable["withdrawn"] = current[30]

    # The pipeline: in negotiation since 2025 or 2026, and first contacts.
    pipeline = [make.spec(None, rng.choice([5000, 12000, 30000, 80000, 150000]),
                          last="negotiating", entered=_days(rng, date(2025, 1, 10), LAST_DAY))
                for _ in range(28)]
    pipeline += [make.spec(None, rng.choice([3000, 10000, 20000, 60000]), last="contact",
                           entered=_days(rng, date(2025, 9, 1), LAST_DAY)) for _ in range(22)]
    specs = current + earlier + outside + pipeline + [
        notable[key] for key in ("before_start", "first_day_next", "deleted", "moved_back")]
    return specs, notable


def random_specs(count: int, first: date, last: date = LAST_DAY, seed: int = 1) -> list[Spec]:
    """``count`` projects shaped like a real wall: about half signed between ``first`` and
    ``last`` (some of them started and producing since), the rest in negotiation or first
    contact; a few withdrawn, a few deleted. For benchmarks and tests of scale."""
    rng = random.Random(seed)
    make = _Maker(rng)
    specs = []
    for _ in range(count):
        amount = min(max(round(rng.lognormvariate(9.6, 1.1), -2), 500), 800_000)
        roll = rng.random()
        record = {"foreign_invested": True, "foreign_capital_usd_wan": rng.randrange(100, 9000)} \
            if rng.random() < 0.06 else {}
        if rng.random() < 0.1:
            record["three500"] = rng.choice(list(THREE500))
        if roll < 0.5:
            spec = make.spec(_days(rng, first, last), amount, **record)
        elif roll < 0.8:
            spec = make.spec(None, amount, last="negotiating", entered=_days(rng, first, last),
                             **record)
        else:
            spec = make.spec(None, amount, last="contact", entered=_days(rng, first, last))
        if rng.random() < 0.03:
            spec.withdrawn_on = min(max(spec.dates.values()) + timedelta(days=30), last)
        elif rng.random() < 0.01:
            spec.deleted_on = min(max(spec.dates.values()) + timedelta(days=7), last)
        specs.append(spec)
    return specs


def build_midyear(app, seed: int = 2026) -> Midyear:
    """Write the mid-year dataset into ``app``'s (test) database; return what was written.

    Adds the city's counties that are missing (the ``counties`` fixture's three are reused);
    projects go to team 一组 when it exists. Deterministic for a given ``seed``; the figures of
    the meeting hold for every seed.
    """
    specs, notable = midyear_specs(seed)
    with app.app_context():
        write_specs(specs)
    return Midyear(specs, {key: spec.id for key, spec in notable.items()})


def write_specs(specs: list[Spec], team: str = TEAM) -> None:
    """Write the dataset's projects into the current app's database: the city's counties added
    when missing, the projects in ``team`` when it exists, owned in turn by its people (as the
    tests' seeded 一组 and the benchmarks' team would share the work), with their history."""
    ensure_counties(COUNTIES)
    found = db.session.execute(select(Team).where(Team.name == team)).scalar()
    if found is not None:
        people = [person.username for person in found.people()]
        for number, spec in enumerate(specs):
            spec.team = team
            spec.owner = people[number % len(people)] if people else None
    insert_projects(specs)
