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
from wallchart.realtime import http_handler, notices, warmup

try:
    app = create_app()
except config.SettingError as error:  # said without a traceback, in the terminal's language
    raise SystemExit(config.cannot_start(str(error))) from None


def _gevent_server(host: str, port: int, log: bool):
    """The server ``socketio.run`` would build, with TCP_NODELAY on every connection, each
    answer sent whole, and idle connections closed after ``WALLCHART_HTTP_IDLE_SECONDS`` (30 by
    default).

    Small sends must not wait for the client's delayed acknowledgement (40 ms): TCP_NODELAY
    for the WebSocket frames, whole answers for pacing (``http_handler.WholeAnswer``).
    """
    from gevent import pywsgi
    from geventwebsocket.handler import WebSocketHandler

    handler = http_handler.serving_handler(WebSocketHandler, app.config["HTTP_IDLE_SECONDS"])
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
        import gevent

        if socketio.async_mode == "gevent":
            server = _gevent_server(host, port, log)  # listening: then say so
            print(notice, flush=True)
            # Stopped (Ctrl+C, systemd, a test): the requests under way end first.
            for signum in (signal.SIGTERM, signal.SIGINT):
                gevent.signal_handler(signum, server.stop)
            server.serve_forever()
        else:
            print(notice, flush=True)
            # werkzeug's server ends on a KeyboardInterrupt in its loop. A plain handler would
            # raise it in whichever greenlet runs (a request's, whose thread then dies alone):
            # Ctrl+C and SIGTERM (systemd, a test) throw it into the loop's own.
            for signum in (signal.SIGTERM, signal.SIGINT):
                gevent.signal_handler(signum, gevent.kill, gevent.getcurrent(), KeyboardInterrupt)
            socketio.run(app, host=host, port=port, log_output=log,
                         allow_unsafe_werkzeug=True)
    except OSError as error:
        raise SystemExit(config.cannot_listen(host, port, error.strerror)) from None
    # The last burst of changes is heard rather than lost, and today's cards are kept for the
    # next start.
    notices.hear_waiting()
    card_cache.keep(app)


if __name__ == "__main__":
    serve()
