"""What bench.throughput, bench.screens and bench.soak share: the real server started by
bench.benchmark's ``start_app`` (``python wsgi.py``, gevent, its API token and projects), and
fleets of screens (``bench.screen_client``) over several processes that can be connected and
disconnected again and again against that one server, and asked what each screen holds.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.benchmark import (
    AppMoves,
    ClientGroup,
    Http,
    cpu_seconds,
    machine_line,
    make_template_db,
    members_for,
    print_goals,
    start_app,
    work_folder,
)
from bench.screen_client import BOOT


class Api(Http):
    """``Http`` for any method, answering JSON (or None for an empty answer)."""

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, Any]:
        status, answer = self.request(method, path, body)
        return status, json.loads(answer) if answer else None


@dataclass
class Server:
    """The running app: its process, the mover's connection, projects, and the tokens."""

    pid: int
    url: str
    moves: AppMoves
    api_token: str
    display_token: str
    folder: Path

    def http(self) -> Api:
        """A keep-alive connection of its own, with the API token."""
        return Api(int(self.url.rsplit(":", 1)[1]),
                   {"Authorization": f"Bearer {self.api_token}"})

    def members(self, screens: int) -> list[dict]:
        """Boards with the API token and walls with the display token, over the four rooms."""
        return members_for(screens, (self.api_token, self.display_token))

    def rss_mib(self) -> float:
        """The server's resident memory (VmRSS)."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")

    def cpu(self) -> float:
        return cpu_seconds(self.pid)


def start_server(projects: int, template: Path, folder: Path,
                 stack: contextlib.ExitStack) -> Server:
    """``start_app`` with no screens of its own and no warm-up; the display token is made
    beside the running server, with the server's own environment."""
    from tests.forks import flask_command

    args = argparse.Namespace(projects_live=projects, clients=0, client_processes=1, warmup=0,
                              node_clients=False)
    side, _mode = start_app(args, "gevent", template, folder, stack)
    moves = side.target
    assert isinstance(moves, AppMoves)
    environ = Path(f"/proc/{moves.pid}/environ").read_bytes().split(b"\0")
    env = dict(item.decode().split("=", 1) for item in environ if b"=" in item)
    result = flask_command(env, "display", "create", "bench-fleet", timeout=60)
    if result.returncode != 0:
        raise RuntimeError(f"display create: {result.stdout}{result.stderr}")
    display_token = result.stdout.strip().splitlines()[-1].split("token=", 1)[1]
    api_token = moves.http.headers["Authorization"].split(" ", 1)[1]
    return Server(moves.pid, f"http://127.0.0.1:{env['WALLCHART_PORT']}", moves, api_token,
                  display_token, folder)


class Fleet(ClientGroup):
    """Screens (``bench.screen_client``) spread over ``processes`` client processes, which
    can also keep their columns from ``board`` (the cards as ``GET /api/projects`` gave them)
    and report what each holds."""

    def __init__(self, name: str, server: Server, screens: int, processes: int,
                 board: list[dict] | None = None, node: bool = False):
        if node and board is not None:
            raise SystemExit("screens that keep their columns are Python's (bench/screen_model): "
                             "run with --python-clients")
        super().__init__(name, server.url, server.members(screens), processes, server.folder,
                         boot=BOOT, extra={"board": board}, node=node)

    def wait_ready(self, timeout: float = 300) -> None:
        super().wait_ready(timeout)

    def wait_all(self, keys: list[str], timeout: float = 15) -> None:
        """Until every one of ``keys`` has reached every screen, or ``timeout``."""
        with self.cond:
            self.cond.wait_for(lambda: all(self.complete(k) for k in keys) or self.closed,
                               timeout)

    def report(self, timeout: float = 60) -> list[dict[str, Any]]:
        """Each screen's tally (``Screen.report``), all processes together."""
        with self.cond:
            self.reports.clear()
        for process in self.processes:
            assert process.stdin is not None
            process.stdin.write("report\n")
            process.stdin.flush()
        with self.cond:
            self.cond.wait_for(lambda: len(self.reports) == len(self.processes), timeout)
            if len(self.reports) != len(self.processes):
                raise RuntimeError(f"{self.name}: not every process reported")
            return [screen for report in self.reports for screen in report]


def run(title: str, keep: bool,
        part: Callable[[Path, Path, contextlib.ExitStack], list[str]]) -> int:
    """A benchmark command's frame: the machine line, a work folder with a migrated template
    database, ``part(work, template, stack)`` (its servers and screens stopped when ``stack``
    closes, even on Ctrl+C or SIGTERM), then its PASS/MISS lines with the load average."""
    print(f"Wallchart {title}  {time.strftime('%Y-%m-%d %H:%M:%S')}")
    print(machine_line())

    def on_term(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_term)
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        work = work_folder(stack, keep, "wallchart-bench-fleet-")
        try:
            with contextlib.ExitStack() as servers:
                verdicts = part(work, make_template_db(work / "template"), servers)
        except KeyboardInterrupt:
            print("\ninterrupted; stopping the server and screens", file=sys.stderr)
            return 130
        except Exception as error:
            print(f"\nbenchmark failed: {type(error).__name__}: {error}", file=sys.stderr)
            return 1
    print_goals(started, verdicts)
    return 0
