"""Benchmark: moves a second that one server process sustains while 100 screens watch.

    .venv/bin/python -m bench.throughput             # 6 movers, 100 screens, 20 s
    .venv/bin/python -m bench.throughput --movers 8 --seconds 60

The real server (``python wsgi.py``, gevent, SQLite; bench.benchmark's ``start_app``) and
``--screens`` Socket.IO screens spread over ``--client-processes`` processes (boards with the
API token, walls with a display token). ``--movers`` threads each move projects of their own
(``--projects`` each, so no two movers race for one card) one stage on, as fast as the server
answers, each on its own keep-alive connection, each move sending the version the previous
answer gave. After a warm-up, for ``--seconds``: moves a second, refused moves, the server's
CPU per move, each move's latency from its request to the last screen (p50/p95, under load),
and whether every move reached every screen (each screen's count of ``project`` events against
the moves made). It prints a PASS/MISS line against the goal (200 moves a second, no error,
all delivered) and exits 0 either way: a measurement, not a test.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.benchmark import AppMoves, add_client_choice, ms, percentile, verdict
from bench.fleet import Fleet, Server, run, start_server

GOAL_MOVES_PER_SECOND = 200


@dataclass
class Mover:
    """One writer's moves: key, sent, answered (a refused move has no key)."""

    target: AppMoves
    moves: list[tuple[str | None, float, float]] = field(default_factory=list)

    def run_until(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            self.moves.append(self.target.trigger())


def movers_for(server: Server, count: int, stack: contextlib.ExitStack) -> list[Mover]:
    """Each mover its own connection and its own share of the projects."""
    movers = []
    for n in range(count):
        http = server.http()
        stack.callback(http.close)
        movers.append(Mover(AppMoves(http, server.pid, server.moves.projects[n::count])))
    return movers


def drive(movers: list[Mover], seconds: float) -> float:
    """All movers at once for ``seconds``; the time they took (the last answer included)."""
    began = time.monotonic()
    threads = [threading.Thread(target=m.run_until, args=(began + seconds,)) for m in movers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - began


def measure(args, work: Path, template: Path, stack: contextlib.ExitStack) -> list[str]:
    server = start_server(args.movers * args.projects, template, work / "app", stack)
    fleet = Fleet("screens", server, args.screens, args.client_processes, node=args.node_clients)
    stack.callback(fleet.close)
    fleet.wait_ready()
    print(f"\n{args.movers} movers ({args.projects} projects each, own connection) against one "
          f"server (pid {server.pid}), {args.screens} screens in {args.client_processes} "
          f"processes; warm-up {args.warmup:g} s, then {args.seconds:g} s", flush=True)
    movers = movers_for(server, args.movers, stack)
    drive(movers, args.warmup)
    warm = [len(m.moves) for m in movers]
    cpu_before, clients_before = server.cpu(), fleet.cpu()
    elapsed = drive(movers, args.seconds)
    server_cpu, client_cpu = server.cpu() - cpu_before, fleet.cpu() - clients_before

    measured = [move for m, skip in zip(movers, warm, strict=True) for move in m.moves[skip:]]
    made = [move for m in movers for move in m.moves if move[0]]
    errors = sum(1 for key, _, _ in measured if key is None)
    fleet.wait_all([key for key, _, _ in made])
    latencies, lost = [], 0
    for key, sent, _answered in measured:
        if key is None:
            continue
        arrival = fleet.complete(key)
        if arrival is None:
            lost += 1
        else:
            latencies.append(arrival[1] - sent)
    counts = [screen["count"] for screen in fleet.report()]
    done = len(measured) - errors
    rate = done / elapsed
    http = [answered - sent for _, sent, answered in measured]

    print(f"\n  moves a second   {rate:8.1f}   ({done} moves in {elapsed:.1f} s; "
          f"refused {errors})")
    print(f"  server CPU       {server_cpu / max(done, 1) * 1000:8.1f} ms a move "
          f"({server_cpu / elapsed * 100:.0f}% of a core); the screens' processes "
          f"{client_cpu / elapsed * 100:.0f}% of a core")
    print(f"  a core of its own would sustain at most {done / max(server_cpu, 1e-9):.0f} moves a "
          "second at this CPU per move (on a busy machine the server gets less)")
    print(f"  {'':16} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for label, values in (("-> all screens", latencies), ("HTTP answer", http)):
        print(f"  {label:16} {ms(percentile(values, .5))} {ms(percentile(values, .95))} "
              f"{ms(max(values) if values else float('nan'))}")
    expected = len(made)
    short = [c for c in counts if c != expected]
    print(f"  delivered: {len(counts)} screens each heard {min(counts)}–{max(counts)} of the "
          f"{expected} moves made (warm-up included); {len(short)} screens short, {lost} "
          f"measured moves not on every screen; {fleet.disconnects} disconnects")
    complete = not short and not lost and not fleet.disconnects
    return [f"{verdict(rate >= GOAL_MOVES_PER_SECOND and not errors and complete)}  "
            f"{rate:.0f} moves/s sustained by {args.movers} movers with {args.screens} screens "
            f"watching, {errors} errors, {'all' if complete else 'NOT all'} delivered "
            f"(goal >= {GOAL_MOVES_PER_SECOND}/s, 0 errors, all delivered)"]


def parse_args(argv: list[str] | None = None):
    parser = argparse.ArgumentParser(prog="python -m bench.throughput", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--movers", type=int, default=6, help="concurrent movers (6)")
    parser.add_argument("--projects", type=int, default=4, help="projects per mover (4)")
    parser.add_argument("--screens", type=int, default=100, help="screens watching (100)")
    parser.add_argument("--client-processes", type=int, default=2,
                        help="processes the screens are spread over (2)")
    add_client_choice(parser)
    parser.add_argument("--seconds", type=float, default=20, help="measured seconds (20)")
    parser.add_argument("--warmup", type=float, default=3, help="warm-up seconds (3)")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder (logs)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return run("throughput benchmark", args.keep,
               lambda work, template, stack: measure(args, work, template, stack))


if __name__ == "__main__":
    sys.exit(main())
