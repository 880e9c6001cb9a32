"""Entry point. ``python wsgi.py`` upgrades the database and serves the board with Socket.IO.

Run directly, the process uses gevent (patched before anything else is imported), which the
Socket.IO maintainers recommend for many open screens. ``flask --app wsgi`` imports this file
without patching, for the CLI.
"""

if __name__ == "__main__":
    from gevent import monkey

    monkey.patch_all()

import gc  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402

from wallchart import config, create_app
from wallchart.extensions import socketio
from wallchart.reads import card_cache
from wallchart.realtime import notices, warmup

try:
    app = create_app()
except config.SettingError as error:  # said without a traceback, in the terminal's language
    raise SystemExit(config.cannot_start(str(error))) from None


def _idle_timeout_handler(seconds: float):
    """gevent-websocket's handler, closing a connection that sends no complete request head
    (request line and headers) within ``seconds`` of the last byte it sent.

    pywsgi has no read timeout of its own: connections that send half a header would be held
    open forever. Once the head is read the timeout is lifted, so an open WebSocket (idle
    between pushes) or a long answer is never cut; a kept-alive connection between two
    requests counts as idle.
    """
    from geventwebsocket.handler import WebSocketHandler

    class IdleTimeoutHandler(WebSocketHandler):
        def read_requestline(self):
            self.socket.settimeout(seconds)
            return super().read_requestline()

        def read_request(self, raw_requestline):
            result = super().read_request(raw_requestline)
            self.socket.settimeout(None)
            return result

    return IdleTimeoutHandler


def _gevent_server(host: str, port: int, log: bool):
    """The server ``socketio.run`` would build, with TCP_NODELAY on every connection, and
    idle connections closed after ``WALLCHART_HTTP_IDLE_SECONDS`` (30 by default).

    gevent writes a response's headers and body separately; without TCP_NODELAY the client's
    delayed acknowledgement holds the body back by about 40 ms on every request.
    """
    from gevent import pywsgi

    handler = _idle_timeout_handler(app.config["HTTP_IDLE_SECONDS"])
    server = pywsgi.WSGIServer((host, port), app, handler_class=handler,
                               log="default" if log else None)
    server.init_socket()
    server.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return server


def serve() -> None:
    from flask_migrate import upgrade

    from wallchart.identity import setup_url
    from wallchart.services import accounts

    with app.app_context():
        upgrade()
        token = accounts.issue_setup_token()
        if token:
            print(f"\n{config.setup_link_notice(setup_url(token))}\n", flush=True)
    host, port = app.config["HOST"], app.config["PORT"]
    log = os.environ.get("WALLCHART_ACCESS_LOG") == "1"
    card_cache.reload(app)  # today's cards, if the server that stopped kept them
    # What is loaded now lives as long as the process: keep it out of the collector's way.
    gc.collect()
    gc.freeze()
    warmup.start(app)
    notices.start_redelivery(app)
    try:
        notice = config.serving_notice(f"http://{host}:{port}/board", socketio.async_mode)
        if socketio.async_mode == "gevent":
            import gevent

            server = _gevent_server(host, port, log)  # listening: then say so
            print(notice, flush=True)
            # Stopped (Ctrl+C, systemd, a test): the requests under way end, then the last
            # burst of changes is heard rather than lost, and today's cards are kept for the
            # next start.
            for signum in (signal.SIGTERM, signal.SIGINT):
                gevent.signal_handler(signum, server.stop)
            server.serve_forever()
            notices.hear_waiting()
            card_cache.keep(app)
        else:
            print(notice, flush=True)
            socketio.run(app, host=host, port=port, log_output=log,
                         allow_unsafe_werkzeug=True)
    except OSError as error:
        raise SystemExit(config.cannot_listen(host, port, error.strerror)) from None


if __name__ == "__main__":
    serve()
