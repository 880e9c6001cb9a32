"""The floor for the move-to-screen benchmark: a bare python-socketio server, no app around it.

Same async mode and server as ``python wsgi.py``: gevent, monkey patched first, served by
gevent's pywsgi with gevent-websocket, with TCP_NODELAY on the listening socket (inherited by
the accepted sockets), as ``wsgi._gevent_server`` does. A ``POST /emit`` with a JSON body
``{"id": ..., "version": ...}`` broadcasts one ``project`` event to each of the four (view,
language) rooms, with card html of the sizes the app sends, and answers 200 with that body.
Screens connect with ``auth={"view": ..., "lang": ...}`` and join that one room, and get a
``hello`` like the app's. It stops on SIGTERM or SIGINT.

    python bench/floor.py PORT HTML_SIZES_JSON [threading]

HTML_SIZES_JSON is e.g. '{"board:zh": 636, ...}'. With ``threading`` it runs as Flask-SocketIO's
threading mode does: no monkey patching, Werkzeug's threaded server, simple-websocket; its
listening socket gets TCP_NODELAY too (``socketio.run`` in that mode does not set it).
"""

import sys

THREADING = "threading" in sys.argv[3:]
if __name__ == "__main__" and not THREADING:
    from gevent import monkey

    monkey.patch_all()

import json  # noqa: E402
import logging  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
from datetime import UTC, datetime  # noqa: E402

import socketio  # noqa: E402

ROOMS = ("board:zh", "board:en", "wall:zh", "wall:en")


def make_app(html_sizes: dict[str, int], async_mode: str):
    # Same options as the app's SocketIO(): explicit async mode, same-origin only.
    sio = socketio.Server(async_mode=async_mode, cors_allowed_origins=None)
    html = {room: "x" * max(int(html_sizes.get(room, 1024)), 0) for room in ROOMS}
    state = {"revision": 0}

    @sio.on("connect")
    def connect(sid, environ, auth=None):
        auth = auth if isinstance(auth, dict) else {}
        room = f"{auth.get('view', 'board')}:{auth.get('lang', 'zh')}"
        if room not in ROOMS:
            raise ConnectionRefusedError("unknown room")
        sio.enter_room(sid, room)
        sio.emit("hello", {"revision": state["revision"], "view": auth.get("view")}, to=sid)

    def http(environ, start_response):
        if environ.get("PATH_INFO") != "/emit" or environ.get("REQUEST_METHOD") != "POST":
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = json.loads(environ["wsgi.input"].read(length) or b"{}")
        state["revision"] += 1
        payload = {"id": body.get("id"), "action": "moved", "stage": "signed", "position": 0,
                   "version": body.get("version"), "revision": state["revision"],
                   "at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
        for room in ROOMS:
            sio.emit("project", {**payload, "html": html[room]}, to=room)
        answer = json.dumps(body).encode()
        start_response("200 OK", [("Content-Type", "application/json"),
                                  ("Content-Length", str(len(answer)))])
        return [answer]

    return socketio.WSGIApp(sio, http)


def main() -> None:
    port = int(sys.argv[1])
    sizes = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    if THREADING:
        from werkzeug.serving import make_server

        # What socketio.run(log_output=False) does in threading mode.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        server = make_server("127.0.0.1", port, make_app(sizes, "threading"), threaded=True)
        # Not what socketio.run does, but what the gevent floor does, as wsgi.py does.
        server.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        print(f"floor listening on 127.0.0.1:{port} (async mode threading)", flush=True)
        server.serve_forever()  # SIGTERM ends the process
        return

    serve_gevent(make_app(sizes, "gevent"), port, "floor")


def serve_gevent(app, port: int, name: str) -> None:
    """Serve ``app`` on ``port`` as ``wsgi._gevent_server`` does (pywsgi with gevent-websocket,
    TCP_NODELAY on the listening socket) until SIGTERM or SIGINT."""
    import gevent
    from gevent import pywsgi
    from geventwebsocket.handler import WebSocketHandler

    server = pywsgi.WSGIServer(("127.0.0.1", port), app, handler_class=WebSocketHandler,
                               log=None)
    server.init_socket()
    server.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    print(f"{name} listening on 127.0.0.1:{port} (async mode gevent)", flush=True)
    for signum in (signal.SIGTERM, signal.SIGINT):
        gevent.signal_handler(signum, server.stop)
    server.serve_forever()


if __name__ == "__main__":
    main()
