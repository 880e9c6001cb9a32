"""A process of benchmark screens (python-socketio clients under gevent), as bench.benchmark's
``client_main`` holds them, that also counts what each screen received and, given the board
they start from, keeps each screen's columns (``bench.screen_model``) to compare at the end.

    python -c "$BOOT" SPEC      # bench.fleet starts it; SPEC is JSON:
    {"url": ..., "clients": [{"room": ..., "auth": {...}}, ...], "board": [projects] | null}

Lines out, JSON: {"ready": N}; {"done": "ID:VERSION", "first": t, "last": t} once every screen
of this process has the event (monotonic clock, shared by the processes); {"disconnect": i,
"reason": ..., "at": t};
{"error": text}; and, asked "report" on stdin, {"report": [per screen: count, reloads, connected,
and with a board its revision, cards, out_of_order, waiting]}. "quit" (or end of input) stops it.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

BOOT = ("from gevent import monkey; monkey.patch_all(); "
        "from bench.screen_client import main; main()")


class Screen:
    """One screen's tally, and its columns when the process was given the starting board."""

    def __init__(self, board: list[dict[str, Any]] | None):
        self.start = board
        self.board = None
        self.count = 0
        self.reloads = 0
        self.connected = True

    def greeted(self, revision: int) -> None:
        from bench.screen_model import ScreenBoard

        if self.start is not None:
            self.board = ScreenBoard(self.start, revision)

    def report(self) -> dict[str, Any]:
        tally: dict[str, Any] = {"count": self.count, "reloads": self.reloads,
                                 "connected": self.connected}
        if self.board is not None:
            tally.update(revision=self.board.revision, cards=self.board.cards(),
                         out_of_order=self.board.out_of_order, waiting=self.board.waiting)
        return tally


def main() -> None:
    import gevent
    import gevent.event
    import socketio
    from gevent.pool import Pool
    from gevent.socket import wait_read

    spec = json.loads(sys.argv[1])
    members = spec["clients"]
    screens = [Screen(spec.get("board")) for _ in members]
    greeted = [gevent.event.Event() for _ in members]
    clients: list = [None] * len(members)
    pending: dict[str, list] = {}  # key -> [screens that have it, first arrival]
    stopping = False

    def say(message: dict) -> None:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()

    def connect(index: int) -> None:
        screen = screens[index]
        # As client_main: websocket-client's pure-Python UTF-8 check would cost more than the
        # server spends (a browser checks natively).
        client = socketio.Client(reconnection=False,
                                 websocket_extra_options={"skip_utf8_validation": True})

        def on_hello(hello) -> None:
            screen.greeted(hello["revision"])
            greeted[index].set()

        def on_project(event) -> None:
            now = time.monotonic()
            screen.count += 1
            if screen.board is not None:
                screen.board.handle(event)
            key = f"{event.get('id')}:{event.get('version')}"
            entry = pending.setdefault(key, [0, now])
            entry[0] += 1
            if entry[0] == len(members):
                del pending[key]
                say({"done": key, "first": entry[1], "last": now})

        def on_reloaded(*_args) -> None:
            screen.reloads += 1

        def on_disconnect(*args) -> None:
            screen.connected = False
            if not stopping:
                say({"disconnect": index, "reason": " ".join(map(str, args)),
                     "at": time.monotonic()})

        client.on("hello", on_hello)
        client.on("project", on_project)
        client.on("reloaded", on_reloaded)
        client.on("disconnect", on_disconnect)
        client.connect(spec["url"], auth=members[index]["auth"], transports=["websocket"],
                       wait_timeout=30)
        clients[index] = client

    try:
        Pool(10).map(connect, range(len(members)))
        if not all(event.wait(timeout=60) for event in greeted):
            raise RuntimeError("not every screen got its hello")
    except Exception as error:  # noqa: BLE001 - reported to the parent, which stops
        say({"error": f"{type(error).__name__}: {error}"})
        os._exit(1)
    say({"ready": len(members)})

    fd = sys.stdin.fileno()
    buffered = b""
    while True:
        wait_read(fd)
        data = os.read(fd, 1024)
        buffered += data
        lines, _, buffered = buffered.rpartition(b"\n")
        if b"report" in lines:
            say({"report": [screen.report() for screen in screens]})
        if not data or b"quit" in lines:
            break
    stopping = True
    gevent.joinall([gevent.spawn(c.disconnect) for c in clients if c is not None], timeout=10)
    sys.stdout.flush()
    os._exit(0)
