"""gevent-websocket's frames leave by plain sends (``http_handler.PlainFrameSends``), on real
sockets: a frame the socket cannot take at once goes in parts, each sent when there is room,
none lost or repeated."""

from __future__ import annotations

import os
import socket
from types import SimpleNamespace

import gevent
from gevent import socket as gsocket

from wallchart.realtime.http_handler import PlainFrameSends


class CountedSends:
    """A real socket whose sends are counted."""

    def __init__(self, sock: gsocket.socket):
        self.sock, self.sizes = sock, []

    def send(self, data) -> int:
        self.sizes.append(self.sock.send(data))
        return self.sizes[-1]


def test_a_frame_larger_than_the_socket_takes_goes_in_parts_and_arrives_whole():
    server, screen = gsocket.socketpair()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    screen.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    frame = os.urandom(3 * 1024 * 1024)
    sends = CountedSends(server)
    handler = SimpleNamespace(socket=sends)

    def read() -> bytes:
        got = bytearray()
        while len(got) < len(frame):
            gevent.sleep(0.001)  # a slow reader: the sender must wait for room
            got += screen.recv(65536)
        return bytes(got)

    reader = gevent.spawn(read)
    try:
        PlainFrameSends.send_frame_bytes(handler, frame)
        assert reader.get(timeout=10) == frame
    finally:
        server.close()
        screen.close()
    assert len(sends.sizes) > 1 and sum(sends.sizes) == len(frame)  # it did go in parts
