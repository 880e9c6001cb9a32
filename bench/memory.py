"""The parent's side of the bench-only memory hook (``bench/memhook``): start a server with it,
ask it for a report, and say what changed between two reports."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

from bench.benchmark import ROOT


@contextlib.contextmanager
def hooked(folder: Path) -> Iterator[None]:
    """Servers started inside load the hook, writing to ``folder`` (their environment is a copy
    of this process's, taken when they start)."""
    folder.mkdir(parents=True, exist_ok=True)
    saved = {name: os.environ.get(name) for name in ("WALLCHART_BENCH_MEMORY", "PYTHONPATH")}
    os.environ["WALLCHART_BENCH_MEMORY"] = str(folder)
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(ROOT / "bench" / "memhook"), saved["PYTHONPATH"]]))
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def report(pid: int, folder: Path, number: int) -> list[str]:
    """Ask the hook in process ``pid`` for its ``number``th report (from 1); its lines. The
    first starts tracemalloc; each later one diffs against the one before."""
    path = folder / f"memory-{number}.txt"
    os.kill(pid, signal.SIGUSR1)
    deadline = time.monotonic() + 120
    while not path.exists():
        if time.monotonic() > deadline:
            raise RuntimeError("the server's memory hook did not answer")
        time.sleep(0.2)
    return path.read_text().splitlines()


def type_changes(before: list[str], after: list[str]) -> str:
    """The object types whose count changed between two reports, largest first."""
    def counts(lines: list[str]) -> dict[str, int]:
        return {name: int(n) for kind, name, n in (line.split(" ", 2) for line in lines
                                                   if line.startswith("type "))
                if kind == "type"}

    old, new = counts(before), counts(after)
    changes = sorted(((new.get(t, 0) - old.get(t, 0), t) for t in old.keys() | new.keys()),
                     key=lambda change: -abs(change[0]))
    return ", ".join(f"{t} {d:+d}" for d, t in changes[:12] if d)


def summary(before: list[str], after: list[str]) -> list[str]:
    """What to print of a report: objects, their changes by type, sockets, RSS, growth."""
    lines = [f"objects: {after[0].split()[1]}; by type: "
             f"{type_changes(before, after) or 'unchanged'}"]
    return lines + [line for line in after if line.startswith(("engine.io", "rss", "grew"))]
