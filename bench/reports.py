"""Benchmark: the scheduling report for a year over 5,000 projects with two years of history.

    .venv/bin/python -m bench.reports              # 5,000 projects, 20 runs each
    .venv/bin/python -m bench.reports --projects 20000 --runs 10

The same database as ``bench.indicators`` (``make_app``, ``build_dataset``), then times, for
the year 2026: building the report (the indicators and the four lists: two SQL statements), the
page, the Excel file, the CSV, and one week's report; in this process with Flask's test client.
Prints the median and p95 of each and PASS/MISS against the goal (median under 200 ms). A
measurement, not a test: it exits 0 either way.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from bench.indicators import build_dataset, make_app, measure
from tests.helpers import sign_in

YEAR = "from=2026-01-01&to=2026-12-31"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)

    from wallchart.extensions import db
    from wallchart.reports import report_data
    from wallchart.reports.indicators import Period

    with tempfile.TemporaryDirectory(prefix="wallchart-bench-reports-") as work:
        app = make_app(Path(work))
        started = time.perf_counter()
        build_dataset(app, args.projects)
        print(f"{args.projects:,} projects with their history written in "
              f"{time.perf_counter() - started:.1f} s; {args.runs} runs each, Python "
              f"{sys.version.split()[0]}, {os.cpu_count()} CPUs", flush=True)
        year = Period(date(2026, 1, 1), date(2026, 12, 31))

        def build():
            with app.app_context():
                return report_data.schedule(year)

        report = build()
        print("2026 lists: " + ", ".join(f"{section.key} {section.count:,}"
                                          for section in report.sections), flush=True)
        client = sign_in(app, "member")
        paths = [f"/reports/schedule?{YEAR}", f"/reports/schedule.xlsx?{YEAR}",
                 f"/reports/schedule.csv?{YEAR}", "/reports/weekly?week=2026-06-03"]
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            print(f"GET {path}: {len(response.data):,} bytes", flush=True)
        measure("report data (2 statements)", build, args.runs)
        for path in paths:
            measure(f"GET {path}", lambda path=path: client.get(path), args.runs)
        with app.app_context():
            db.engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
