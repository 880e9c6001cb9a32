"""Benchmark: a county's 10,000-row ledger brought onto a board that holds 5,000 projects.

    .venv/bin/python -m bench.imports                      # 10,000 rows onto 5,000 projects
    .venv/bin/python -m bench.imports --rows 2000 --projects 0

Builds a migrated SQLite database in a temporary folder with ``--projects`` projects of every
stage (``bench.indicators.build_dataset``), writes an .xlsx ledger of ``--rows`` new projects (a
title row, the bureau's headers, amounts in 万元, stages and dates as counties write them) and
times, in this process: reading the file (``read_ledger``), the preview (``imports.preview``), the
import (``imports.apply``) and the same ledger imported again (every row unchanged). Prints each
step's wall-clock and CPU time and rows a second, and PASS/MISS against the issue's goal (a
10,000-row ledger "in seconds": each step under ``GOAL_SECONDS``). A measurement, not a test: it
exits 0 either way.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from itertools import combinations
from pathlib import Path

from bench.indicators import build_dataset, make_app

GOAL_SECONDS = 10.0
#: What the ledger's projects build: none of them like the dataset's (``bench.midyear``), so
#: that the duplicate guard lets every row in and still compares each with every project.
PRODUCTS = ("农产品冷链仓储基地", "跨境电商产业园", "文旅康养综合体", "大数据中心",
            "装配式建筑基地", "预制菜加工园", "物流分拨中心", "体育用品制造园", "茶油精深加工厂",
            "再生资源回收站")
#: Brand names are drawn from these: common in company names, none a number.
BRAND_CHARACTERS = ("华瑞达通源泰盛鑫宏昌隆兴邦恒信德永嘉新天润和安康丰乐明光辉金银龙凤祥云海江湖山"
                    "川鹏程博远志诚益禾绿健美佳宜欣悦腾飞扬卓越宇宙星辰晟昊晖晨曦锦绣卓")
STAGES = ("在谈", "已签约", "已开工", "竣工投产")
HEADERS = ["项目编码", "项目名称", "投资方", "计划总投资（万元）", "所属县市区", "产业类别",
           "项目阶段", "签约时间", "开工时间", "投产时间", "备注"]


def ledger_bytes(rows: int, counties: list[str]) -> bytes:
    """An .xlsx ledger of ``rows`` projects as distinct as real ones: each of its own made-up
    brand (four characters, no two of one product sharing three) and product, a quarter in each
    stage."""
    from openpyxl import Workbook

    rng = random.Random(12)
    brands: list[str] = []
    taken: set[tuple[int, tuple[str, ...]]] = set()  # (product, three characters of a brand)
    while len(brands) < rows:
        brand = rng.sample(BRAND_CHARACTERS, 4)
        keys = {(len(brands) % len(PRODUCTS), three) for three in combinations(sorted(brand), 3)}
        if not keys & taken:  # no two names of one product share three characters
            taken |= keys
            brands.append("".join(brand))
    book = Workbook()
    sheet = book.active
    sheet.append(["2026年招商引资项目台账（单位：万元）"])
    sheet.append(HEADERS)
    first = date(2025, 1, 6)
    for index, brand in enumerate(brands):
        product = PRODUCTS[index % len(PRODUCTS)]
        stage = STAGES[index % len(STAGES)]
        signed = first + timedelta(days=index % 600) if stage != "在谈" else None
        started = signed + timedelta(days=30) if stage in ("已开工", "竣工投产") else None
        produced = started + timedelta(days=60) if stage == "竣工投产" else None
        sheet.append([f"BENCH-{index:05d}", f"{brand}{product}", f"{brand}实业有限公司",
                      1000 + index % 500 * 100, counties[index % len(counties)], "工业", stage,
                      signed, started, produced, "基准测试"])
    sheet.append(["合计"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def timed(label: str, rows: int, work: Callable[[], object]) -> object:
    start, start_cpu = time.perf_counter(), time.process_time()
    result = work()
    seconds, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    print(f"{label:<34} {seconds:7.2f} s  CPU {cpu:7.2f} s  {rows / seconds:8,.0f} rows/s  "
          f"{'PASS' if seconds < GOAL_SECONDS else 'MISS'}", flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--projects", type=int, default=5_000)
    args = parser.parse_args(argv)

    from wallchart.services import imports
    from wallchart.services.ledger import read_ledger

    with tempfile.TemporaryDirectory(prefix="wallchart-bench-imports-") as work:
        app = make_app(Path(work))
        build_dataset(app, args.projects)  # its counties, whatever the number of projects
        with app.app_context():
            from sqlalchemy import select

            from wallchart.core.models import County
            from wallchart.extensions import db

            counties = list(db.session.execute(select(County.name)).scalars())
        content = ledger_bytes(args.rows, counties)
        print(f"{args.rows:,}-row ledger ({len(content) / 1e6:.1f} MB) onto {args.projects:,} "
              f"projects; Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
              f"{os.getloadavg()[0]:.1f}; goal: each step under {GOAL_SECONDS:.0f} s", flush=True)
        with app.test_request_context():
            ledger = timed("read the file", args.rows, lambda: read_ledger(content))
            plan = timed("preview", args.rows, lambda: imports.preview(None, ledger))
            # A made-up brand may still resemble a project of the dataset: such rows are left
            # out of the import (the guard refuses them), and said.
            refused = {row.number for row in plan.refused}
            print(f"  {plan.counts}; {len(refused)} left out", flush=True)
            ledger.rows = [row for row in ledger.rows if row.number not in refused]
            plan = timed("import", len(ledger.rows), lambda: imports.apply(None, ledger))
            assert plan.written, plan.refused[:3]
            again = timed("the same ledger again", len(ledger.rows),
                          lambda: imports.apply(None, ledger))
            assert again.counts["unchanged"] == len(ledger.rows), again.counts
            db.engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
