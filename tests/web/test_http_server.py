"""The real server (``python wsgi.py``, gevent) at the HTTP level (issue 9 §4): the protective
headers on the Socket.IO server's own answers, connections that send nothing closed after
``WALLCHART_HTTP_IDLE_SECONDS`` while an open socket, idle between pushes, stays, each
answer sent whole, and WebSocket frames sent by plain sends (issue 14)."""

from __future__ import annotations

import json
import socket
import time

import pytest
import requests
import websocket

from tests.live import LiveServer, Person, Screen, api_token, create, display_token, fetch_raw
from wallchart.web.security import HEADERS

pytestmark = pytest.mark.live

IDLE_SECONDS = 2


@pytest.fixture(scope="module")
def server(tmp_path_factory, seeded_db):
    live = LiveServer(tmp_path_factory.mktemp("http-server"), seeded_db,
                      {"WALLCHART_HTTP_IDLE_SECONDS": str(IDLE_SECONDS)})
    live.start()
    yield live
    live.stop()


def assert_protective_headers(response: requests.Response) -> None:
    for name, value in HEADERS:
        assert response.headers.get(name) == value, (name, response.headers)


@pytest.mark.parametrize(("path", "headers", "status"), [
    ("/socket.io/?EIO=4&transport=polling", {}, 200),
    ("/socket.io/?EIO=4&transport=polling", {"Origin": "http://evil.example"}, 400),
    ("/socket.io/?EIO=4&transport=polling&sid=unknown", {}, 400),
    ("/socket.io/?EIO=99&transport=polling", {}, 400),
])
def test_the_socket_server_s_own_answers_carry_the_protective_headers(server, path, headers,
                                                                       status):
    response = requests.get(server.url + path, headers=headers, timeout=5)
    assert response.status_code == status
    assert_protective_headers(response)


def test_pages_and_the_api_still_carry_them_once(server):
    for path in ("/login", "/api/projects", "/static/css/app.css", "/nowhere"):
        response = requests.get(server.url + path, timeout=5, allow_redirects=False)
        assert_protective_headers(response)
        raw = response.raw.headers.getlist("Content-Security-Policy")
        assert len(raw) == 1, (path, raw)


def _closed_within(sock: socket.socket, seconds: float) -> float | None:
    """Seconds until the server closed ``sock`` (whatever it sent first), or ``None``."""
    start = time.monotonic()
    sock.settimeout(seconds)
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        return None
    except ConnectionResetError:
        pass
    return time.monotonic() - start


def test_connections_that_send_nothing_or_half_a_header_are_closed(server):
    silent = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(20)]
    halves = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(20)]
    for sock in halves:
        sock.sendall(b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
    try:
        for sock in silent + halves:
            took = _closed_within(sock, IDLE_SECONDS + 10)
            assert took is not None, "the server still holds a connection that sent nothing"
        # Each closed after the timeout, not at once.
        assert _closed_within(socket.create_connection(("127.0.0.1", server.port)),
                              IDLE_SECONDS + 10) >= IDLE_SECONDS - 0.5
    finally:
        for sock in silent + halves:
            sock.close()
    assert requests.get(server.url + "/login", timeout=5).status_code == 200


def test_a_request_that_keeps_sending_is_answered(server):
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        for part in (b"GET /login HTTP/1.1\r\n", b"Host: 127.0.0.1\r\n",
                     b"Connection: close\r\n", b"\r\n"):
            sock.sendall(part)
            time.sleep(IDLE_SECONDS * 0.6)
        sock.settimeout(5)
        assert sock.recv(64).startswith(b"HTTP/1.1 200")


def test_an_open_socket_idle_for_longer_stays_and_gets_pushes(server):
    wall = Screen(server, auth={"token": display_token(server, "lobby")})
    wall.connect()
    try:
        time.sleep(IDLE_SECONDS * 2.5)  # no traffic: engine.io pings every 25 s
        assert wall.client.connected
        assert wall.client.transport() == "websocket"
        project = create(Person(server, "member"), "空闲后仍推送")
        assert wall.event()["id"] == project["id"]
        assert wall.connects.qsize() == 1, "the screen had to reconnect"
    finally:
        wall.close()



def test_each_answer_leaves_whole_in_one_segment(server):
    """An answer's head and body sent apart let a pacing congestion control (BBR) hold the
    body back some 40 ms."""
    token = api_token(server, "member")
    for path, headers in (("/login", {}), ("/api/projects", {"Authorization": f"Bearer {token}"}),
                          ("/socket.io/?EIO=4&transport=polling", {})):
        answer, segments = fetch_raw(server.port, path, headers)
        assert answer.startswith(b"HTTP/1.1 200"), (path, answer[:200])
        assert answer.split(b"\r\n\r\n", 1)[1], path
        assert segments == 1, (path, len(answer))


def test_frames_reach_a_screen_that_reads_late_whole_and_in_order(server):
    """A wall with a small window that reads nothing while 80 cards change, through the real
    server's frame sends: once it reads, every card is there, whole, in order. (Sends the
    socket cannot take whole: tests/realtime/test_frame_sends.py.)"""
    wall = websocket.create_connection(
        f"ws://127.0.0.1:{server.port}/socket.io/?EIO=4&transport=websocket", timeout=20,
        sockopt=[(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)])
    try:
        assert wall.recv().startswith("0{")  # engine.io's open
        wall.send("40" + json.dumps({"token": display_token(server, "slow-wall"), "lang": "zh"}))
        member = Person(server, "member")
        made = [create(member, f"慢速大屏项目{n:03d}号：" + "长名称" * 20)["id"]
                for n in range(80)]
        pushed = []
        while len(pushed) < len(made):
            packet = wall.recv()
            if packet.startswith('42["project"'):
                event = json.loads(packet[2:])[1]
                assert event["html"].rstrip().endswith("</article>"), event["html"][-80:]
                pushed.append(event["id"])
        assert pushed == made
    finally:
        wall.close()

