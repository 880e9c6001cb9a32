"""Wallchart: a live digital wall chart (挂图作战) for investment-promotion projects."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from wallchart.config import load_config
from wallchart.extensions import babel, csrf, db, limiter, login_manager, migrate, socketio

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Application factory: one app object per process (or per test)."""
    instance_path = Path(os.environ.get("WALLCHART_INSTANCE_PATH", ROOT / "instance"))
    app = Flask(
        __name__,
        instance_path=str(instance_path),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    instance_path.mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(load_config(instance_path))
    if test_config:
        app.config.from_mapping(test_config)

    from wallchart import api, cli, identity, realtime, web
    from wallchart.core import inputs, origins
    from wallchart.web.i18n import select_locale

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(Path(__file__).parent / "translations"))
    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        message_queue=app.config["SOCKETIO_MESSAGE_QUEUE"],
        channel=app.config["SOCKETIO_CHANNEL"],
        # Every HTTP request of a socket that names its page must name an allowed one; the
        # connect handler also refuses a cookie that comes without any (realtime/sockets.py).
        cors_allowed_origins=lambda origin, environ: origins.allowed(
            origin, environ, app.config["ALLOWED_ORIGINS"]),
        manage_session=False,
        # Screens only listen: no message from one is ever larger than its credentials.
        max_http_buffer_size=16 * 1024,
    )
    with app.app_context():
        from wallchart.core.transactions import configure_engine

        configure_engine(db.engine)

    inputs.init_app(app)
    identity.init_app(app)
    web.init_app(app)
    api.init_app(app)
    cli.init_app(app)
    realtime.init_app()
    return app
