"""How the gevent servers (``python wsgi.py``, gunicorn's workers) handle an HTTP connection:
gevent-websocket's handler (or gunicorn's worker's) with each answer sent whole, each WebSocket
frame sent by plain sends, and, for ``python wsgi.py``, connections that send no request closed.
"""

from __future__ import annotations

from typing import Any


class WholeAnswer:
    """Send an answer's head and its (first) body in one send, not two as gevent does.

    A pacing congestion control (BBR: this machine's, and many servers') spaces a
    connection's sends by the rate it has seen, and a connection of small answers looks slow:
    on some connections every body left about 40 ms after its head. Measured with 100 screens
    open: a move's answer took 48 ms at p50, and 7 ms once sent whole. nginx, in front of
    gunicorn, waits the same. It overrides gevent's private ``_write_with_headers``: the
    segment count in tests/web/test_http_server.py tells if gevent changes it.
    """

    def _write_with_headers(self, data: Any) -> None:
        parts: list[bytes] = []
        self._sendall = parts.append  # gevent's head and body, caught on their way out
        try:
            super()._write_with_headers(data)
        finally:
            del self._sendall
        self._sendall(b"".join(parts))


class PlainFrameSends:
    """Send each WebSocket frame by plain sends, not gevent's ``sendall``, which asks the kernel
    for the socket's send buffer size (``getsockopt``) before every frame to size its chunks.
    A move is one frame to every screen: those calls were 4 % of the server's CPU at 100
    screens (py-spy). A frame is a few KiB; a send the socket cannot take whole waits for it to
    drain, as ``sendall`` does, and a dead socket raises as it does."""

    def upgrade_connection(self) -> Any:
        answer = super().upgrade_connection()
        websocket = getattr(self, "websocket", None)  # set only once the upgrade succeeded
        if websocket is not None:
            websocket.raw_write = self.send_frame_bytes
        return answer

    def send_frame_bytes(self, data: bytes) -> None:
        send, rest = self.socket.send, memoryview(data)
        while rest:
            rest = rest[send(rest):]


class IdleTimeout:
    """Close a connection that sends no complete request head (request line and headers)
    within ``idle_seconds`` of the last byte it sent.

    pywsgi has no read timeout of its own: connections that send half a header would be held
    open forever. Once the head is read the timeout is lifted, so an open WebSocket (idle
    between pushes) or a long answer is never cut; a kept-alive connection between two
    requests counts as idle.
    """

    idle_seconds: float

    def read_requestline(self) -> Any:
        self.socket.settimeout(self.idle_seconds)
        return super().read_requestline()

    def read_request(self, raw_requestline: Any) -> Any:
        result = super().read_request(raw_requestline)
        self.socket.settimeout(None)
        return result


def whole_answers(handler: type) -> type:
    """``handler`` (a gevent-websocket ``WebSocketHandler`` class) sending each answer whole
    and each frame by plain sends."""
    return type(handler.__name__, (WholeAnswer, PlainFrameSends, handler), {})


def serving_handler(handler: type, idle_seconds: float) -> type:
    """:func:`whole_answers`'s ``handler``, closing connections idle ``idle_seconds``."""
    return type(handler.__name__, (WholeAnswer, PlainFrameSends, IdleTimeout, handler),
                {"idle_seconds": idle_seconds})
