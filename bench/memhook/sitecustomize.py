"""Bench-only: what grows in a server's memory. bench.screens puts this folder on the server's
PYTHONPATH with ``WALLCHART_BENCH_MEMORY`` naming a folder; nothing else loads it.

Each SIGUSR1 collects garbage and writes ``memory-N.txt`` there: the live objects by type, and
from the second signal on, the Python allocations that grew since the previous signal
(tracemalloc, which the first signal starts, so only what comes after it costs anything), by
the line that made them and, for the largest, the calls that led there.
"""

import os
import signal

FOLDER = os.environ.get("WALLCHART_BENCH_MEMORY")
_state = {"n": 0, "snapshot": None}


def _dump(_signum, _frame) -> None:
    import collections
    import gc
    import tracemalloc

    gc.collect()
    n = _state["n"] = _state["n"] + 1
    objects = gc.get_objects()
    counts = collections.Counter(type(o).__qualname__ for o in objects)
    lines = [f"objects {sum(counts.values())}"]
    lines += [f"engine.io sockets {len(o.sockets)}" for o in objects
              if type(o).__module__ == "engineio.server" and type(o).__name__ == "Server"]
    del objects
    lines += [f"type {name} {count}" for name, count in counts.most_common(60)]
    if not tracemalloc.is_tracing():
        tracemalloc.start(8)
    else:
        snapshot = tracemalloc.take_snapshot().filter_traces(
            [tracemalloc.Filter(False, tracemalloc.__file__)])
        previous = _state["snapshot"]
        if previous is not None:
            for stat in snapshot.compare_to(previous, "lineno")[:25]:
                lines.append(f"grew {stat}")
            for stat in snapshot.compare_to(previous, "traceback")[:6]:
                lines.append(f"trace {stat.size_diff / 1024:.1f} KiB in {stat.count_diff} blocks")
                lines += [f"    {frame}" for frame in stat.traceback.format()[-16:]]
        _state["snapshot"] = snapshot
    path = os.path.join(FOLDER, f"memory-{n}.txt")
    with open(path + ".part", "w") as out:
        out.write("\n".join(lines) + "\n")
    os.replace(path + ".part", path)


if FOLDER:
    signal.signal(signal.SIGUSR1, _dump)
