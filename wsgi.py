"""Entry point. ``python wsgi.py`` upgrades the database and serves the board with Socket.IO.

Run directly, the process uses gevent (patched before anything else is imported), which the
Socket.IO maintainers recommend for many open screens. ``flask --app wsgi`` imports this file
without patching, for the CLI.
"""

if __name__ == "__main__":
    from gevent import monkey

    monkey.patch_all()

import os  # noqa: E402

from wallchart import create_app  # noqa: E402
from wallchart.extensions import socketio  # noqa: E402

app = create_app()


def serve() -> None:
    from flask_migrate import upgrade

    from wallchart.auth import setup_url
    from wallchart.services import accounts

    with app.app_context():
        upgrade()
        token = accounts.issue_setup_token()
        if token:
            print("\nNo administrator yet. Open this one-time link to create one:\n"
                  f"    {setup_url(token)}\n", flush=True)
    host, port = app.config["HOST"], app.config["PORT"]
    print(f"Wallchart on http://{host}:{port}/board "
          f"(async mode {socketio.async_mode}; Ctrl+C stops)", flush=True)
    try:
        socketio.run(app, host=host, port=port,
                     log_output=os.environ.get("WALLCHART_ACCESS_LOG") == "1")
    except OSError as error:
        raise SystemExit(f"Cannot listen on {host}:{port} ({error.strerror}). Is Wallchart "
                         "already running? Choose another port with WALLCHART_PORT.") from None


if __name__ == "__main__":
    serve()
