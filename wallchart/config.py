"""Settings read from the environment, with safe defaults for a single install.

Every setting has a ``WALLCHART_`` environment variable so that the same code runs as one
process on SQLite or as several processes behind PostgreSQL and Redis.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def _secret_key(instance_path: Path) -> str:
    """Return the install's secret key, generating it into ``instance/`` on first use.

    A secret never lives in git: it is created once per install and kept readable by its owner only.
    """
    from_env = os.environ.get("WALLCHART_SECRET_KEY")
    if from_env:
        return from_env
    key_file = instance_path / "secret_key"
    try:
        return key_file.read_text().strip()
    except FileNotFoundError:
        pass
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


def _async_mode() -> str:
    """Pick the Socket.IO async mode explicitly: gevent when the process was patched for it."""
    configured = os.environ.get("WALLCHART_ASYNC_MODE")
    if configured:
        return configured
    try:
        from gevent import monkey
    except ImportError:  # pragma: no cover - gevent is a dependency
        return "threading"
    return "gevent" if monkey.is_module_patched("socket") else "threading"


def load_config(instance_path: Path) -> dict:
    """Build the Flask config mapping for an install whose instance folder is ``instance_path``."""
    database_url = os.environ.get(
        "WALLCHART_DATABASE_URL", f"sqlite:///{instance_path / 'wallchart.sqlite'}"
    )
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SOCKETIO_MESSAGE_QUEUE": os.environ.get("WALLCHART_MESSAGE_QUEUE") or None,
        # Several boards may share one Redis: each listens on its own channel.
        "SOCKETIO_CHANNEL": os.environ.get("WALLCHART_MESSAGE_QUEUE_CHANNEL", "wallchart"),
        "SOCKETIO_ASYNC_MODE": _async_mode(),
        "HOST": os.environ.get("WALLCHART_HOST", "127.0.0.1"),
        "PORT": int(os.environ.get("WALLCHART_PORT", "5000")),
        "BABEL_DEFAULT_LOCALE": "zh",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "LANGUAGES": {"zh": "中文", "en": "English"},
        "WTF_CSRF_CHECK_DEFAULT": False,
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "MAX_CONTENT_LENGTH": 1024 * 1024,
    }
