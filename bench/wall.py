"""Benchmark: the wall display and the board in Chromium as the board grows — the page's load
time, and how long a move takes to reach its pixels, at 200 and 1,000 projects: the wall with
and without the CPU throttled four times (a TV stick), a lead's board on a desktop's CPU.

    .venv/bin/python -m bench.wall                    # 200 and 1,000 projects, 20 moves each
    .venv/bin/python -m bench.wall --sizes 1000 --moves 40 --rates 1 4 6 --board-rates 1 4
    .venv/bin/python -m bench.wall --pages board      # the board alone

Fills a SQLite database with believable projects (``bench.benchmark.fill_projects``: the
record's fields, yellow and red cards, next steps, open blockers, written by the shared writer
``wallchart/cli/dataset.py``), starts the real server on it (``python wsgi.py``), and opens the
wall (a display token's URL) and the board (``/board``, signed in as a team lead through the
login form) in the system Chromium at 1920x1080 through Playwright; with a rate above 1, the
page's CPU is throttled that many times (``Emulation.setCPUThrottlingRate`` over CDP; the
server is not throttled). Both pages show every card and take the same live pushes; the
board's cards carry its buttons, and it keeps its own scripts (filters, drag and drop).

- **load**: from the navigation's start until the first frame after the ``load`` event (the
  wall's script has fitted the columns by then), the median of ``--loads`` fresh pages.
- **move**: a move sent through the API (``POST /api/projects/ID/move``, a card one stage on,
  to the end of its new column), timed from just before the request until the first frame
  after the card stands in its new column in the wall's DOM (``dom``: when a MutationObserver
  saw it; ``frame``: the next animation frame's end, when the browser paints). Both clocks are
  this machine's wall clock (``performance.timeOrigin + performance.now()`` in the page).
  ``shown`` says how many of the moved cards were on screen (not on a page the column is not
  showing). The moves are sent one at a time, each after the previous one reached the wall.
- **burst**: ``--burst`` moves sent back to back (a bulk assignment), timed from the first
  request until the frame that shows the last card; and the last card alone, from its request.

It prints figures and a PASS/MISS line against the goals (a move's frame within 100 ms at
1,000 projects, on the wall and on the board, and under 400 ms on the wall at 1,000 projects
throttled four times; medians) and exits 0 either way: a measurement, not a test (the machines
are shared and noisy).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import time
from pathlib import Path

from bench.benchmark import (
    STAGE_CYCLE,
    Http,
    board_bench,
    fill_projects,
    machine_line,
    make_template_db,
    percentile,
    print_goals,
    spawn,
    stop,
    verdict,
    wait_for_port,
    work_folder,
)

GOAL_MOVE_MS = 100.0
GOAL_MOVE_THROTTLED_MS = 400.0
#: The team lead whose board is measured (a lead sees and may move every card of his teams).
LEAD = "lead"
WIDTH, HEIGHT = 1920, 1080

# In the page before any of its scripts: a watcher for a card arriving in a column, which
# notes the time it saw it in the DOM and the end of the next animation frame.
WATCHER = """
window.__arrivals = {};
window.__waiting = {};
window.__painted = new Promise((resolve) => addEventListener("load", () =>
    requestAnimationFrame(() => setTimeout(() => resolve(performance.now()), 0))));
// The arrival of a card watched for (``__watch``), or null after ``seconds``.
window.__arrival = (key, seconds) => new Promise((resolve) => {
    if (window.__arrivals[key]) { resolve(window.__arrivals[key]); return; }
    window.__waiting[key] = resolve;
    setTimeout(() => resolve(null), seconds * 1000);
});
window.__frames = [];
// Frames over 50 ms (Long Animation Frames): how long their scripts, style and layout, and
// the rest of the rendering took.
new PerformanceObserver((list) => {
    for (const f of list.getEntries()) window.__frames.push({
        start: f.startTime, duration: f.duration,
        script: f.scripts.reduce((sum, s) => sum + s.duration, 0),
        render: f.renderStart ? f.startTime + f.duration - f.renderStart : 0,
        styleLayout: f.styleAndLayoutStart ? f.startTime + f.duration - f.styleAndLayoutStart : 0,
        scripts: f.scripts.map((s) => `${s.invoker} ${Math.round(s.duration)}`)});
}).observe({type: "long-animation-frame", buffered: true});
window.__received = {};
// When the socket handed the page each project's event (before the page applies it).
addEventListener("DOMContentLoaded", () => {
    if (window.Wallchart) window.Wallchart.socket.onAny((event, data) => {
        if (event === "project") window.__received[data.id + ":" + data.stage] =
            performance.timeOrigin + performance.now();
    });
});
window.__watch = (id, stage) => {
    const key = id + ":" + stage;
    const selector = `.column[data-stage="${stage}"] .card[data-project-id="${id}"]`;
    const done = () => {
        const card = document.querySelector(selector);
        if (!card) return false;
        const dom = performance.timeOrigin + performance.now();
        requestAnimationFrame(() => setTimeout(() => {
            const arrival = {dom, frame: performance.timeOrigin + performance.now(),
                             received: window.__received[key],
                             shown: card.isConnected && card.getClientRects().length > 0};
            window.__arrivals[key] = arrival;
            if (window.__waiting[key]) window.__waiting[key](arrival);
        }, 0));
        return true;
    };
    if (done()) return;
    const observer = new MutationObserver(() => { if (done()) observer.disconnect(); });
    observer.observe(document.getElementById("board"), {childList: true, subtree: true});
};
"""


def now_ms() -> float:
    return time.time() * 1000


class Board:
    """The database of the benchmark, filled in steps, and the real server on it."""

    def __init__(self, work: Path):
        self.folder = work / "wall"
        self.bench = board_bench(make_template_db(work / "template"), self.folder)
        self.filled = 0
        with self.bench.app.app_context():
            from tests.helpers import PASSWORD
            from wallchart.services import accounts, teams

            self.api_token = accounts.issue_api_token(None, "member")
            accounts.create_user(None, LEAD, PASSWORD, "lead", display_name="基准组长")
            for team in self.bench.seed.teams:
                teams.add_members(None, team, [LEAD])
        self.server = None
        self.http: Http | None = None
        self.port = 0

    def fill(self, projects: int) -> None:
        fill_projects(self.bench.app, self.filled, projects, self.bench.seed)
        self.filled = projects

    def start(self) -> str:
        from tests.live import free_port

        self.port = free_port()
        env = {**os.environ, "WALLCHART_PORT": str(self.port)}
        env.pop("WALLCHART_ASYNC_MODE", None)
        log = self.folder / "server.log"
        self.server = spawn([sys.executable, "wsgi.py"], log, env=env)
        wait_for_port(self.server, self.port, log)
        self.http = Http(self.port, {"Authorization": f"Bearer {self.api_token}"})
        return f"http://127.0.0.1:{self.port}/wall?token={self.bench.display_token}"

    def board_url(self) -> tuple[str, list[dict]]:
        """The board's address, and the session cookie of the lead signed in through the login
        form (for the browser's context)."""
        import re

        import requests

        from tests.helpers import PASSWORD

        base = f"http://127.0.0.1:{self.port}"
        session = requests.Session()
        login = session.get(f"{base}/login", timeout=30).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', login).group(1)
        answer = session.post(f"{base}/login", timeout=30, allow_redirects=False, data={
            "username": LEAD, "password": PASSWORD, "csrf_token": token})
        if answer.status_code != 302:
            raise RuntimeError(f"the lead's sign-in answered {answer.status_code}")
        return f"{base}/board", [{"name": cookie.name, "value": cookie.value, "url": base}
                                 for cookie in session.cookies]

    def stop(self) -> None:
        if self.http is not None:
            self.http.close()
        stop(self.server)
        self.server = None

    def projects(self) -> list[dict]:
        import http.client

        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        connection.request("GET", "/api/projects", headers=self.http.headers)
        body = connection.getresponse().read()
        connection.close()
        return json.loads(body)["projects"]

    def move(self, project: dict) -> tuple[str, float] | None:
        """Move ``project`` one stage on; (its new stage, when the request left) or None when
        refused (a gate asking for more)."""
        stage = STAGE_CYCLE[STAGE_CYCLE.index(project["stage"]) + 1]
        sent = now_ms()
        status, body = self.http.post(f"/api/projects/{project['id']}/move",
                                      {"stage": stage, "version": project["version"]})
        if status != 200:
            return None
        project.update(json.loads(body))
        return stage, sent


def movable(projects: list[dict]) -> list[dict]:
    """Cards that can go one stage on, spread over the four first columns."""
    import random

    rng = random.Random(7)
    candidates = [p for p in projects if p["stage"] != STAGE_CYCLE[-1]]
    rng.shuffle(candidates)
    return candidates


def open_page(browser, url: str, rate: float, cookies: list[dict]):
    """The page (the wall, or with the lead's ``cookies`` the board) loaded and live."""
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    context.add_cookies(cookies)
    context.add_init_script(WATCHER)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    cdp = context.new_cdp_session(page)
    if rate > 1:
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})
    page.goto(url, wait_until="load", timeout=120_000)
    load = page.evaluate("""async () => {
        const painted = await window.__painted;
        const n = performance.getEntriesByType("navigation")[0];
        return {painted, answer: n.responseEnd, ready: n.domContentLoadedEventEnd,
                loaded: n.loadEventEnd};
    }""")
    page.locator('.live-indicator[data-state="live"]').wait_for(timeout=60_000)
    return context, page, load, errors, cdp


def profile_summary(profile: dict, top: int = 15) -> list[str]:
    """The functions the page spent most of its time in (self time, from the samples)."""
    interval = (profile["endTime"] - profile["startTime"]) / 1000 / max(len(profile["samples"]), 1)
    totals: dict[str, float] = {}
    for node in profile["nodes"]:
        frame = node["callFrame"]
        where = frame["url"].rsplit("/", 1)[-1]
        name = f"{frame['functionName'] or '(anonymous)'} {where}:{frame['lineNumber'] + 1}" \
            if where else frame["functionName"] or "(program)"
        totals[name] = totals.get(name, 0) + node.get("hitCount", 0) * interval
    ranked = sorted(totals.items(), key=lambda item: -item[1])[:top]
    return [f"{ms_:8.1f} ms  {name}" for name, ms_ in ranked]


def wait_arrival(page, key: str, timeout_s: float = 60) -> dict | None:
    """When the card of ``key`` ("ID:STAGE", watched for) reached the wall; None: never."""
    return page.evaluate("([key, seconds]) => window.__arrival(key, seconds)", [key, timeout_s])


def run_size(board: Board, browser, url: str, cookies: list[dict], rate: float, args,
             pool: list[dict]) -> dict:
    loads = []
    context = page = None
    for _ in range(args.loads):
        if context is not None:
            context.close()
        context, page, load, errors, cdp = open_page(browser, url, rate, cookies)
        loads.append(load)
    cards = page.evaluate("document.querySelectorAll('#board .card').length")
    page.wait_for_timeout(1000)   # let the first fit and the socket's hello settle

    if args.profile:
        cdp.send("Profiler.enable")
        cdp.send("Profiler.setSamplingInterval", {"interval": 500})
        cdp.send("Profiler.start")
    dom, frame, shown, lost, received, page_share = [], [], 0, 0, [], []
    for _ in range(args.moves):
        project = pool.pop()
        stage = STAGE_CYCLE[STAGE_CYCLE.index(project["stage"]) + 1]
        key = f"{project['id']}:{stage}"
        page.evaluate("([id, stage]) => window.__watch(id, stage)", [project["id"], stage])
        moved = board.move(project)
        if moved is None:
            continue
        arrival = wait_arrival(page, key)
        if arrival is None:
            lost += 1
            continue
        dom.append(arrival["dom"] - moved[1])
        if arrival["received"]:
            received.append(arrival["received"] - moved[1])
            page_share.append(arrival["frame"] - arrival["received"])
        frame.append(arrival["frame"] - moved[1])
        shown += arrival["shown"]
        page.wait_for_timeout(args.pause)

    profile = cdp.send("Profiler.stop")["profile"] if args.profile else None
    frames = page.evaluate("window.__frames.filter(f => f.start > performance.now() - 600000)")
    burst_ms = None
    if args.burst:
        batch = [pool.pop() for _ in range(args.burst)]
        keys = []
        for project in batch:
            stage = STAGE_CYCLE[STAGE_CYCLE.index(project["stage"]) + 1]
            keys.append(f"{project['id']}:{stage}")
            page.evaluate("([id, stage]) => window.__watch(id, stage)", [project["id"], stage])
        first = last = None
        for project in batch:
            moved = board.move(project)
            if moved:
                first = first or moved[1]
                last = moved[1]
        sent_ms = now_ms() - first
        arrivals = [wait_arrival(page, key, 180) for key in keys]
        if all(arrivals):
            final = max(arrivals, key=lambda a: a["frame"])
            burst_ms = (final["frame"] - first, sent_ms, final["frame"] - last,
                        final["frame"] - (final["received"] or final["frame"]))
    if errors:
        print(f"    script errors on the page: {errors[:3]}")
    context.close()
    return {"cards": cards, "loads": loads, "dom": dom, "frame": frame, "shown": shown,
            "lost": lost, "burst": burst_ms, "profile": profile,
            "received": received, "page": page_share, "frames": frames}


def line(label: str, values: list[float]) -> str:
    if not values:
        return f"{label} -"
    return (f"{label} median {statistics.median(values):7.1f} ms, "
            f"p95 {percentile(values, 0.95):7.1f} ms")


def report(what: str, result: dict, args) -> None:
    """Print one page's run: its load, its moves one at a time, the burst, and with
    ``--profile`` its slowest frames and where its time went."""
    loads = result["loads"]
    load = statistics.median(x["painted"] for x in loads)
    print(f"  {what}: {result['cards']} cards; load {load:7.0f} ms "
          f"({', '.join(format(x['painted'], '.0f') for x in loads)}; median answer received "
          f"{statistics.median(x['answer'] for x in loads):.0f}, DOM ready "
          f"{statistics.median(x['ready'] for x in loads):.0f}, load event "
          f"{statistics.median(x['loaded'] for x in loads):.0f})")
    print(f"      move {line('dom', result['dom'])}; {line('frame', result['frame'])}; shown "
          f"{result['shown']}/{len(result['frame'])}"
          + (f", {result['lost']} never arrived" if result["lost"] else ""))
    server = line("the server until the socket event", result["received"])
    own = line("the page from the event to the frame", result["page"])
    print(f"      of which {server}; {own}")
    if result["burst"] is not None:
        whole, sent, after, own_ms = result["burst"]
        print(f"      burst of {args.burst}: all on the page {whole:.0f} ms after the first was "
              f"sent (the API took {sent:.0f} ms to take them all); the last {after:.0f} ms "
              f"after it was sent, {own_ms:.0f} ms after its event reached the page")
    if args.profile and result["frames"]:
        frames = result["frames"]
        print(f"      {len(frames)} frames over 50 ms since the page loaded; the slowest (ms: "
              "all, scripts, render of which style+layout):")
        for f in sorted(frames, key=lambda f: -f["duration"])[:6]:
            print(f"        {f['duration']:6.0f} {f['script']:6.0f} {f['render']:6.0f} "
                  f"{f['styleLayout']:6.0f}  " + "; ".join(f["scripts"][:4]))
    if result["profile"]:
        print("      the page's time during the moves (self time):")
        for entry in profile_summary(result["profile"]):
            print(f"        {entry}")


def parse_args(argv: list[str] | None = None):
    parser = argparse.ArgumentParser(prog="python -m bench.wall", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 1000],
                        help="projects on the board (200 1000)")
    parser.add_argument("--pages", nargs="+", choices=("wall", "board"),
                        default=["wall", "board"], help="the pages measured (wall board)")
    parser.add_argument("--rates", type=float, nargs="+", default=[1, 4],
                        help="the wall's CPU throttling rates (1 4): 1 is none")
    parser.add_argument("--board-rates", type=float, nargs="+", default=[1],
                        help="the board's CPU throttling rates (1)")
    parser.add_argument("--moves", type=int, default=20, help="timed moves per run (20)")
    parser.add_argument("--loads", type=int, default=3, help="page loads per run (3)")
    parser.add_argument("--burst", type=int, default=30,
                        help="moves sent back to back, timed to the last (30; 0: none)")
    parser.add_argument("--pause", type=int, default=200,
                        help="ms between two timed moves (200)")
    parser.add_argument("--profile", action="store_true",
                        help="also print where the page spent its time during the moves "
                             "(Chromium's sampling profiler over CDP)")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder (logs)")
    return parser.parse_args(argv)


def machine_facts() -> None:
    import platform

    print(f"Wallchart wall benchmark  {time.strftime('%Y-%m-%d %H:%M:%S')}")
    print(machine_line())
    print(f"  Python {platform.python_version()}; the server: python wsgi.py (gevent), SQLite")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    machine_facts()
    from playwright.sync_api import sync_playwright

    from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS

    goals: list[str] = []
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        work = work_folder(stack, args.keep, "wallchart-bench-wall-")
        board = Board(work)
        stack.callback(board.stop)
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        stack.callback(browser.close)
        print(f"\nThe wall and a lead's board at {WIDTH}x{HEIGHT} in {browser.version}: page "
              f"load (first frame after load, median of {args.loads}); a move through the API "
              f"until the next frame after the card is in its new column ({args.moves} moves, "
              f"one at a time); {args.burst} moves back to back")
        runs = [(name, rate) for name in args.pages
                for rate in (args.rates if name == "wall" else args.board_rates)]
        for size in sorted(args.sizes):
            board.fill(size)
            wall_url = board.start()
            try:
                pool = movable(board.projects())
                for name, rate in runs:
                    url, cookies = (wall_url, []) if name == "wall" else board.board_url()
                    result = run_size(board, browser, url, cookies, rate, args, pool)
                    report(f"{name:5} {size:5d} projects, CPU {'x' + format(rate, 'g'):>3}",
                           result, args)
                    goal = GOAL_MOVE_MS if rate == 1 else GOAL_MOVE_THROTTLED_MS \
                        if rate == 4 and name == "wall" else None
                    if size >= 1000 and result["frame"] and goal is not None:
                        median = statistics.median(result["frame"])
                        goals.append(f"{verdict(median <= goal)} a move on the {name} at {size} "
                                     f"projects, CPU x{rate:g}: median {median:.0f} ms "
                                     f"(goal {goal:.0f} ms)")
            finally:
                board.stop()
    print_goals(started, goals)
    return 0


if __name__ == "__main__":
    sys.exit(main())
