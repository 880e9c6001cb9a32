"""Bench-only: what grows in a server's memory. bench.screens puts this folder on the server's
PYTHONPATH with ``WALLCHART_BENCH_MEMORY`` naming a folder; nothing else loads it.

Each SIGUSR1 collects garbage and writes ``memory-N.txt`` there: the live objects by type (those
made since ``gc.freeze`` at start), the engine.io sockets still held, the RSS before and after
``malloc_trim`` (memory freed but kept by the C allocator), and
from the second signal on, the Python allocations that grew since the previous signal
(tracemalloc, which the first signal starts, so only what comes after it costs anything), by
the line that made them.
"""

import os
import signal
import sys

FOLDER = os.environ.get("WALLCHART_BENCH_MEMORY")
_state = {"n": 0, "snapshot": None}


def _rss_kib() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def _dump(_signum, _frame) -> None:
    import collections
    import ctypes
    import gc
    import tracemalloc

    gc.collect()
    n = _state["n"] = _state["n"] + 1
    objects = gc.get_objects()
    counts = collections.Counter(type(o).__qualname__ for o in objects)
    lines = [f"objects {sum(counts.values())}"]
    del objects
    extensions = sys.modules.get("wallchart.extensions")
    if extensions is not None:
        lines.append(f"engine.io sockets {len(extensions.socketio.server.eio.sockets)}")
    # Memory the allocator keeps after Python freed it shows in RSS; malloc_trim gives it back.
    before = _rss_kib()
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    lines.append(f"rss {before / 1024:.1f} MiB, after malloc_trim {_rss_kib() / 1024:.1f} MiB")
    lines += [f"type {name} {count}" for name, count in counts.most_common()]
    if not tracemalloc.is_tracing():
        tracemalloc.start(1)  # a deeper trace slows the server too much
    else:
        snapshot = tracemalloc.take_snapshot().filter_traces(
            [tracemalloc.Filter(False, tracemalloc.__file__)])
        previous = _state["snapshot"]
        if previous is not None:
            for stat in snapshot.compare_to(previous, "lineno")[:25]:
                lines.append(f"grew {stat}")
        _state["snapshot"] = snapshot
    path = os.path.join(FOLDER, f"memory-{n}.txt")
    with open(path + ".part", "w") as out:
        out.write("\n".join(lines) + "\n")
    os.replace(path + ".part", path)


if FOLDER:
    signal.signal(signal.SIGUSR1, _dump)
