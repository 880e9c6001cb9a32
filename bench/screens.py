"""Benchmark: 1,000 screens on one server process, again and again in that same process.

    .venv/bin/python -m bench.screens                # 1,000 screens, 3 runs of 30 moves
    .venv/bin/python -m bench.screens --memory       # + what grew in the server, run to run

The real server (``python wsgi.py``, gevent, SQLite; bench.benchmark's ``start_app``) and, in
each run, ``--screens`` Socket.IO screens over ``--client-processes`` processes (boards with
the API token, walls with a display token) that connect, hear ``--moves`` moves sent one at a
time (bench.benchmark's ``Side.run``: each timed from its request until the last screen has
it), and all disconnect. Per run: move to every screen p50/p95/max, moves not seen everywhere,
the server's CPU per move, and its resident memory (VmRSS, /proc) once the screens are gone.
The runs are in one server process, so memory that stays behind after each shows as a rise.

``--memory`` loads ``bench/memhook`` into the server (a SIGUSR1 handler, bench-only) and prints,
after each run, the object types whose count changed and the Python allocations that grew
since the previous run (tracemalloc), by line. It slows the server: its latencies are not
the benchmark's figures.

It prints PASS/MISS lines against the goals (p95 within 50 ms, nothing lost; memory flat over
the runs: the last run within 5% of the first) and exits 0 either way: a measurement.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from pathlib import Path

from bench import memory
from bench.benchmark import Side, add_client_choice, ms, verdict
from bench.fleet import Fleet, run, start_server

GOAL_P95_MS = 50.0
#: The server's RSS after the last run may exceed the first's by this share and count flat.
FLAT_SHARE = 0.05


def measure(args, work: Path, template: Path, stack: contextlib.ExitStack) -> list[str]:
    hook_folder = work / "memory"
    with memory.hooked(hook_folder) if args.memory else contextlib.nullcontext():
        server = start_server(5, template, work / "app", stack)
    print(f"\n{args.screens} screens in {args.client_processes} processes on one server "
          f"(pid {server.pid}); {args.runs} runs: connect, {args.warmup} warm-up moves, "
          f"{args.moves} timed moves one at a time, disconnect all", flush=True)
    print(f"  RSS after start {server.rss_mib():.1f} MiB")
    report = memory.report(server.pid, hook_folder, 1) if args.memory else []
    print(f"\n  {'run':>3} {'connect s':>9} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} "
          f"{'lost':>5} {'CPU/move':>9} {'RSS MiB':>8}")
    rss, p95s, lost = [], [], 0
    for number in range(1, args.runs + 1):
        began = time.monotonic()
        fleet = Fleet(f"run{number}", server, args.screens, args.client_processes,
                      node=args.node_clients)
        try:
            fleet.wait_ready()
            connected = time.monotonic() - began
            side = Side("app", server.moves, fleet)  # a Fleet stands in for a ClientGroup
            side.run(args.warmup, measured=False)
            side.run(args.moves)
        finally:
            fleet.close()
        time.sleep(args.settle)  # the server hears every socket close
        samples = side.samples
        rss.append(server.rss_mib())
        p95s.append(samples.p(.95))
        lost += samples.misses + samples.errors + fleet.disconnects
        print(f"  {number:3d} {connected:9.1f} {ms(samples.p(.5))} {ms(samples.p(.95))} "
              f"{ms(max(samples.all_screens, default=float('nan')))} "
              f"{samples.misses + samples.errors:5d} "
              f"{samples.server_cpu / max(samples.sent, 1) * 1000:6.1f} ms {rss[-1]:8.1f}",
              flush=True)
        if args.memory:
            before, report = report, memory.report(server.pid, hook_folder, number + 1)
            for line in memory.summary(before, report):
                print(f"      {line}")
    p95 = max(p95s) * 1000
    flat = rss[-1] <= rss[0] * (1 + FLAT_SHARE)
    return [f"{verdict(p95 <= GOAL_P95_MS and not lost)}  move -> all {args.screens} screens "
            f"p95 {p95:.1f} ms (the worst run), {lost} lost (goal <= {GOAL_P95_MS:.0f} ms, "
            "none lost)",
            f"{verdict(flat)}  server RSS over {args.runs} runs in one process: "
            + " -> ".join(f"{x:.1f}" for x in rss)
            + f" MiB (goal: flat, the last within {FLAT_SHARE:.0%} of the first)"]


def parse_args(argv: list[str] | None = None):
    parser = argparse.ArgumentParser(prog="python -m bench.screens", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--screens", type=int, default=1000, help="screens per run (1000)")
    parser.add_argument("--client-processes", type=int, default=4,
                        help="processes the screens are spread over (4)")
    add_client_choice(parser)
    parser.add_argument("--runs", type=int, default=3, help="runs in the one server (3)")
    parser.add_argument("--moves", type=int, default=30, help="timed moves per run (30)")
    parser.add_argument("--warmup", type=int, default=5, help="warm-up moves per run (5)")
    parser.add_argument("--settle", type=float, default=30,
                        help="seconds after the screens left before RSS is read (30: engine.io "
                             "holds a closed socket until its ping greenlet wakes, up to its "
                             "ping interval, 25 s, later)")
    parser.add_argument("--memory", action="store_true",
                        help="also print what grew in the server's memory (bench/memhook)")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder (logs)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return run("1,000-screen benchmark", args.keep,
               lambda work, template, stack: measure(args, work, template, stack))


if __name__ == "__main__":
    sys.exit(main())
