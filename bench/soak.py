"""Soak: 200 screens and 20 writers on one server for five minutes; then does every screen show
what the database holds, and did the server's memory stay flat?

    .venv/bin/python -m bench.soak                   # 5 minutes
    .venv/bin/python -m bench.soak --minutes 1       # shorter

The real server (``python wsgi.py``, gevent, SQLite; bench.benchmark's ``start_app``), on
loopback, with ``--screens`` Socket.IO screens over ``--client-processes`` processes. Each
screen starts from the board as ``GET /api/projects`` gives it (read before any screen
connects; nothing is written until they all have their hello) and applies every ``project``
event to its own model of the columns as static/js/live.js does (``bench.screen_model``: in
revision order, the card out of its column and into its stage's at ``position``).

``--writers`` threads, each with its own keep-alive connection and projects of its own (so no
two race for one card), pick in turn at random: a move one stage on (to a random place in the
column), an edit of the next step (``PATCH``), or a progress note (then the card is read back
for its version), each followed by a pause of up to twice ``--pause`` seconds: bounded load,
stopping by itself after ``--minutes``. Every answer other than success counts as an error.

At the end, once every write has reached every screen (or 30 s passed): each screen's cards
(id, column, order, version) against ``GET /api/projects``; held or skipped events; the
server's RSS through the run. PASS/MISS lines against the goals (no error, every screen equal
to the database, RSS flat: the last reading within 5% of the one after the first tenth of the
run, which warms the server up); exits 0 either way. ``--memory``: as bench.screens's, what
grew in the server from the first tenth of the run to its end.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench import memory
from bench.benchmark import STAGE_CYCLE, verdict
from bench.fleet import Api, Fleet, run, start_server
from bench.screen_model import board_of

FLAT_SHARE = 0.05


@dataclass
class Writer:
    """One writer's projects (id -> the version it last read) and its tally."""

    api: Api
    projects: list[dict]
    rng: random.Random
    pause: float
    done: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)

    def run_until(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            project = self.rng.choice(self.projects)
            action = self.rng.choice((self.move, self.edit, self.note))
            try:
                answer = action(project)
            except OSError as error:
                answer = None
                self.errors.append(f"{action.__name__}: {error}")
            if answer is not None:
                project.update(stage=answer["stage"], version=answer["version"])
                self.keys.append(f"{answer['id']}:{answer['version']}")
                self.done[action.__name__] += 1
            time.sleep(self.rng.uniform(0, 2 * self.pause))

    def _check(self, what: str, status: int, answer, expected: int = 200):
        if status != expected:
            self.errors.append(f"{what} answered {status}: {str(answer)[:200]}")
            return None
        return answer

    def move(self, project: dict):
        stage = STAGE_CYCLE[(STAGE_CYCLE.index(project["stage"]) + 1) % len(STAGE_CYCLE)]
        status, answer = self.api.call("POST", f"/api/projects/{project['id']}/move", {
            "stage": stage, "version": project["version"], "position": self.rng.randint(0, 5)})
        return self._check("move", status, answer)

    def edit(self, project: dict):
        status, answer = self.api.call("PATCH", f"/api/projects/{project['id']}", {
            # A text the card never had: an edit that changes nothing is neither kept nor sent.
            "next_step": f"与投资方对接第{sum(self.done.values()) + 1}轮方案",
            "version": project["version"]})
        return self._check("edit", status, answer)

    def note(self, project: dict):
        status, answer = self.api.call("POST", f"/api/projects/{project['id']}/notes", {
            "text": f"已电话沟通，进展正常（{self.rng.randint(1, 999)}）"})
        if self._check("note", status, answer, 201) is None:
            return None
        status, answer = self.api.call("GET", f"/api/projects/{project['id']}")
        return self._check("read after note", status, answer)


def active_board(api: Api) -> list[dict]:
    status, answer = api.call("GET", "/api/projects")
    if status != 200:
        raise RuntimeError(f"GET /api/projects answered {status}")
    return answer["projects"]


def soak(args, work: Path, template: Path, stack: contextlib.ExitStack) -> list[str]:
    hook_folder = work / "memory"
    with memory.hooked(hook_folder) if args.memory else contextlib.nullcontext():
        server = start_server(args.writers * args.projects, template, work / "app", stack)
    reader = server.http()
    stack.callback(reader.close)
    start = active_board(reader)
    fleet = Fleet("soak", server, args.screens, args.client_processes, board=start)
    stack.callback(fleet.close)
    fleet.wait_ready()
    rng = random.Random(args.seed)
    writers = []
    for n in range(args.writers):
        api = server.http()
        stack.callback(api.close)
        writers.append(Writer(api, server.moves.projects[n::args.writers],
                              random.Random(rng.random()), args.pause))
    seconds = args.minutes * 60
    print(f"\n{args.writers} writers ({args.projects} projects each; a move, an edit or a note, "
          f"then up to {2 * args.pause:g} s of pause) and {args.screens} screens in "
          f"{args.client_processes} processes on one server (pid {server.pid}) for "
          f"{seconds:.0f} s", flush=True)
    cpu_before, clients_before = server.cpu(), fleet.cpu()
    began = time.monotonic()
    threads = [threading.Thread(target=w.run_until, args=(began + seconds,), daemon=True)
               for w in writers]
    for thread in threads:
        thread.start()
    rss = [(0.0, server.rss_mib())]
    every = max(seconds / 10, 5)
    reports = [memory.report(server.pid, hook_folder, 1)] if args.memory else []
    while any(thread.is_alive() for thread in threads):
        time.sleep(min(every, max(began + seconds - time.monotonic(), 0) + 1))
        rss.append((time.monotonic() - began, server.rss_mib()))
        if args.memory and len(rss) == 2:  # the baseline, after the first tenth
            reports.append(memory.report(server.pid, hook_folder, 2))
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    server_cpu, client_cpu = server.cpu() - cpu_before, fleet.cpu() - clients_before

    done = sum((w.done for w in writers), Counter())
    errors = [error for w in writers for error in w.errors]
    writes = sum(done.values())
    fleet.wait_all([key for w in writers for key in w.keys], timeout=30)
    screens = fleet.report()
    truth = {stage: [list(card) for card in cards]
             for stage, cards in board_of(active_board(reader)).items()}
    unequal = [n for n, screen in enumerate(screens) if screen["cards"] != truth]
    # A browser that lost its socket reconnects and fetches the columns; these screens cannot.
    dropped = [n for n, screen in enumerate(screens) if not screen["connected"]]
    unequal_kept = [n for n in unequal if n not in dropped]
    held = sum(screen["out_of_order"] for screen in screens)
    waiting = sum(1 for screen in screens if screen["waiting"])
    counts = [screen["count"] for screen in screens]

    print(f"\n  writes {writes} in {elapsed:.0f} s ({writes / elapsed:.1f}/s: "
          + ", ".join(f"{name} {n}" for name, n in sorted(done.items()))
          + f"); server CPU {server_cpu / max(writes, 1) * 1000:.1f} ms a write "
          f"({server_cpu / elapsed * 100:.0f}% of a core), the screens' processes "
          f"{client_cpu / elapsed * 100:.0f}% of a core")
    print(f"  errors {len(errors)}" + "".join(f"\n    {e}" for e in errors[:10]))
    print(f"  screens: {len(screens)}, each heard {min(counts)}–{max(counts)} events of "
          f"{writes} writes; equal to the database: {len(screens) - len(unequal)} (of those "
          f"that stayed connected: {len(screens) - len(dropped) - len(unequal_kept)} of "
          f"{len(screens) - len(dropped)}); "
          f"events that came out of revision order {held}; screens still waiting for a "
          f"revision {waiting}; reloads {sum(s['reloads'] for s in screens)}; disconnects "
          f"{fleet.disconnects}" + (f" ({', '.join(sorted(set(fleet.reasons)))})"
                                    if fleet.reasons else ""))
    if unequal_kept:
        first = screens[unequal_kept[0]]
        print(f"    screen {unequal_kept[0]} at revision {first['revision']}: "
              f"holds {first['cards']}\n    the database: {truth}")
    print("  server RSS MiB over time: "
          + ", ".join(f"{at:.0f} s {mib:.1f}" for at, mib in rss))
    # The first tenth warms the server up (its caches, its greenlets' stacks): the baseline is
    # the reading after it.
    base = rss[1][1]
    flat = rss[-1][1] <= base * (1 + FLAT_SHARE)
    if args.memory:
        print("  the server's memory from the first tenth to the end:")
        last = memory.report(server.pid, hook_folder, 3)
        for line in memory.summary(reports[-1], last):
            print(f"    {line}")
    return [f"{verdict(not errors)}  {len(errors)} errors in {writes} writes (goal 0)",
            f"{verdict(not unequal and not fleet.disconnects)}  {len(screens) - len(unequal)} "
            f"of {len(screens)} screens show what the database holds ({len(dropped)} lost "
            f"their socket, {len(unequal_kept)} still connected differ; goal: all)",
            f"{verdict(flat)}  server RSS {base:.1f} -> {rss[-1][1]:.1f} MiB from the first "
            f"tenth of the run to its end (goal: flat, within {FLAT_SHARE:.0%})"]


def parse_args(argv: list[str] | None = None):
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=5, help="how long writers write (5)")
    parser.add_argument("--screens", type=int, default=200, help="screens watching (200)")
    parser.add_argument("--client-processes", type=int, default=8,
                        help="processes the screens are spread over (8: with 4, on a busy "
                             "2-core machine, the screens fell behind and lost their sockets)")
    parser.add_argument("--writers", type=int, default=20, help="concurrent writers (20)")
    parser.add_argument("--projects", type=int, default=3, help="projects per writer (3)")
    parser.add_argument("--pause", type=float, default=1.0,
                        help="a writer's mean pause between writes, seconds (1)")
    parser.add_argument("--memory", action="store_true",
                        help="also print what grew in the server's memory after the first "
                             "tenth (bench/memhook; slows the server)")
    parser.add_argument("--seed", type=int, default=14, help="random seed (14)")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder (logs)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return run("soak", args.keep, lambda work, template, stack: soak(args, work, template, stack))


if __name__ == "__main__":
    sys.exit(main())
