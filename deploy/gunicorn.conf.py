"""gunicorn's settings for one Wallchart process of several behind nginx (README: "Several
processes behind nginx"), run from the checkout with the install's ``WALLCHART_*`` settings::

    .venv/bin/gunicorn -c deploy/gunicorn.conf.py

It listens on ``WALLCHART_HOST:WALLCHART_PORT`` (127.0.0.1:5000 by default), like
``python wsgi.py``; each process gets a port of its own and nginx spreads the clients over them.

No migrations here: several processes starting at once must not each upgrade the database.
They run once before the processes start, with their backup first: ``flask --app wsgi db
upgrade`` (the ``wallchart-migrate`` unit in deploy/systemd).
"""

import gc
import os

wsgi_app = "wsgi:app"
bind = f"{os.environ.get('WALLCHART_HOST', '127.0.0.1')}:{os.environ.get('WALLCHART_PORT', '5000')}"

# gevent with WebSockets, as Flask-SocketIO's deployment notes give it. One worker: a socket's
# session lives in one process, and gunicorn cannot route a client back to the same worker;
# more processes are more ports behind nginx, sharing events through WALLCHART_MESSAGE_QUEUE.
worker_class = "geventwebsocket.gunicorn.workers.GeventWebSocketWorker"
workers = 1
# Open screens and requests at once in the process; each open screen holds one.
worker_connections = 4000
# The app is loaded in the worker, after gevent has patched it (the worker does that first):
# loaded in the arbiter, it would hold unpatched sockets and locks.
preload_app = False

# A worker whose event loop does not come round for this long is stuck, and is restarted.
# Open sockets are not requests that time out: they live as long as the screen.
timeout = 30
# On stop or restart, requests in progress get this long; open screens are then cut and
# reconnect to another process.
graceful_timeout = 10

# nginx holds slow clients and keeps the access log; gunicorn listens on loopback only.
errorlog = "-"
loglevel = "info"
proc_name = "wallchart"
# gunicorn's control socket (25.1 on) has one default path for every process of a user; systemd
# (or whoever started the process) controls it instead.
control_socket_disable = True


def post_worker_init(worker) -> None:
    """Each answer sent whole, as ``python wsgi.py`` sends it (``http_handler.WholeAnswer``:
    nginx would otherwise wait for the body). What is loaded now lives as long as the process:
    keep it out of the collector's way, today's cards kept by the stopped workers among it;
    then render the board's cards in the background, and send again the webhook messages a
    stopped process left pending."""
    from wallchart.reads import card_cache
    from wallchart.realtime import http_handler, notices, warmup

    worker.wsgi_handler = http_handler.whole_answers(worker.wsgi_handler)
    card_cache.reload(worker.wsgi)
    gc.collect()
    gc.freeze()
    warmup.start(worker.wsgi)
    notices.start_redelivery(worker.wsgi)


def worker_exit(_server, worker) -> None:
    """A worker stopping hears the last burst of changes it made rather than lose it, and keeps
    today's cards for the next start."""
    from wallchart.reads import card_cache
    from wallchart.realtime import notices

    notices.hear_waiting()
    card_cache.keep(worker.wsgi)
