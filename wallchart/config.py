"""Settings read from the environment, with safe defaults for a single install.

Every setting has a ``WALLCHART_`` environment variable so that the same code runs as one
process on SQLite or as several processes behind PostgreSQL and Redis.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from limits import parse_many

from wallchart.core.counting import CAPITAL_INCREASE_RULES, COUNTABLE_AGREEMENTS

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
#: The interface's languages, and the one it speaks unless asked for another.
LANGUAGES = {"zh": "中文", "en": "English"}
DEFAULT_LANGUAGE = "zh"

#: Failed sign-ins allowed before the next attempt waits (see ``ratelimits``), setup-page posts,
#: and the messages each webhook is sent (``services.webhooks``: the others wait their turn).
DEFAULT_LIMITS = {
    "SIGN_IN_LIMIT_PER_ADDRESS_AND_ACCOUNT": "5 per minute; 20 per hour",
    "SIGN_IN_LIMIT_PER_ADDRESS": "20 per minute; 100 per hour",
    "SIGN_IN_LIMIT_PER_ACCOUNT": "50 per hour",
    "SETUP_LIMIT_PER_ADDRESS": "10 per minute; 30 per hour",
    "WEBHOOK_RATE": "20 per minute",
}


def terminal_language() -> str:
    """The terminal's language as POSIX names it (the first set of ``LC_ALL``, ``LC_MESSAGES``,
    ``LANG``) when the interface speaks it, else the interface's default: what the command line
    and a refused setting speak."""
    setting = next((os.environ[name] for name in ("LC_ALL", "LC_MESSAGES", "LANG")
                    if os.environ.get(name)), "")
    language = setting.split(".")[0].split("_")[0].lower()
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def _(message: str, **values: str) -> str:
    """``message`` in the terminal's language (named ``_`` for ``pybabel extract``): a setting
    is refused before the app, and its Babel, exist."""
    from babel.support import Translations

    return Translations.load(str(TRANSLATIONS), [terminal_language()]).gettext(message) % values


class SettingError(ValueError):
    """A setting the process cannot start with, said in the terminal's language."""


def cannot_start(reason: str) -> str:
    """The server's last word when a setting stops it (``wsgi.py``)."""
    return _("Wallchart cannot start: %(reason)s", reason=reason)


def setup_link_notice(url: str) -> str:
    """What the server's console says on an install without an administrator."""
    return _("No administrator yet. Open this one-time link to create one:\n    %(url)s",
             url=url)


def serving_notice(url: str, mode: str) -> str:
    """The server's console once it listens (``bench/benchmark.py`` reads the mode after the
    address, in parentheses)."""
    return _("Wallchart on %(url)s (%(mode)s; Ctrl+C stops)", url=url, mode=mode)


def cannot_listen(host: str, port: int, reason: str) -> str:
    return _("Cannot listen on %(host)s:%(port)s (%(reason)s). Is Wallchart already running? "
             "Choose another port with WALLCHART_PORT.", host=host, port=str(port),
             reason=reason)


def _public_url() -> str | None:
    """``WALLCHART_PUBLIC_URL``: the address people reach the site at (nginx's, e.g.
    ``https://wallchart.example.gov.cn``), which every link the console prints starts with;
    unset, the links name this process's own address. Only a scheme and a host (and port):
    the site is served at its root."""
    value = os.environ.get("WALLCHART_PUBLIC_URL", "").strip()
    if not value:
        return None
    url = value.rstrip("/")
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        parts = parts._replace(netloc="")
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname \
            or "@" in parts.netloc or parts.path or parts.query or parts.fragment:
        raise SettingError(_(
            "WALLCHART_PUBLIC_URL=%(value)s is not the address people reach the site at, such "
            "as https://wallchart.example.gov.cn: http:// or https://, the host (and port), and "
            "nothing after it.", value=value))
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


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


def _limits() -> dict[str, str]:
    """The rate limits, each from ``WALLCHART_<NAME>`` or its default; a typo stops the start."""
    chosen = {}
    for name, default in DEFAULT_LIMITS.items():
        value = os.environ.get(f"WALLCHART_{name}") or default
        try:
            parse_many(value)
        except ValueError:
            raise SettingError(_("WALLCHART_%(name)s=%(value)s is not a rate limit such as "
                               "%(default)s.", name=name, value=value,
                               default=default)) from None
        chosen[name] = value
    return chosen


def _allowed_origins() -> list[str]:
    """``WALLCHART_ALLOWED_ORIGINS`` as normalized origins; empty means "this site only"."""
    origins = []
    for item in os.environ.get("WALLCHART_ALLOWED_ORIGINS", "").split(","):
        origin = item.strip().rstrip("/").lower()
        if not origin:
            continue
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path \
                or parts.query or parts.fragment:
            raise SettingError(_("WALLCHART_ALLOWED_ORIGINS: %(item)s is not an origin such as "
                               "https://wallchart.example.gov.cn.", item=item.strip()))
        origins.append(origin)
    return origins


def _whole_number(name: str, default: int, minimum: int = 0) -> int:
    """``WALLCHART_<name>`` as a whole number of at least ``minimum``; a typo stops the start."""
    value = os.environ.get(f"WALLCHART_{name}", "").strip() or str(default)
    if not value.isdigit() or int(value) < minimum:
        raise SettingError(_("WALLCHART_%(name)s=%(value)s is not a whole number of at least "
                           "%(minimum)s.", name=name, value=value, minimum=str(minimum)))
    return int(value)


def _scrypt_cost() -> int:
    """``WALLCHART_PASSWORD_SCRYPT_COST``: scrypt's cost (N) for new password hashes, a power of
    two; werkzeug's 32768 by default, about 0.1 s a check on a server core. A hash keeps its cost,
    so a change applies to passwords set after it."""
    cost = _whole_number("PASSWORD_SCRYPT_COST", 32768, minimum=1024)
    if cost & (cost - 1):
        raise SettingError(_("WALLCHART_PASSWORD_SCRYPT_COST=%(cost)s is not a power of two.",
                           cost=str(cost)))
    return cost


#: Days a project may sit in a stage without an update before its card turns yellow (stalled);
#: ``None``: never. Red after twice as long unless ``WALLCHART_RED_DAYS`` says otherwise.
STALL_DAYS = {"contact": 45, "negotiating": 30, "signed": 60, "started": 180, "producing": None}
STAGE_KEYS = tuple(STALL_DAYS)


def _days_per_stage(name: str, default: dict[str, int | None]) -> dict[str, int | None]:
    """``WALLCHART_<name>="contact=45,negotiating=30"``: days per stage, ``-`` for never; stages
    not named keep ``default``. A typo stops the start rather than silently changing warnings."""
    days = dict(default)
    for item in filter(None, (part.strip() for part in os.environ.get(
            f"WALLCHART_{name}", "").split(","))):
        stage, _sep, value = (piece.strip() for piece in item.partition("="))
        if stage not in STAGE_KEYS or not (value == "-" or value.isdigit() and int(value) > 0):
            raise SettingError(_("WALLCHART_%(name)s: %(item)s is not stage=days (stages: "
                               "%(stages)s; days a whole number above 0, or -).", name=name,
                               item=item, stages=", ".join(STAGE_KEYS)))
        days[stage] = None if value == "-" else int(value)
    return days


def _signed_agreements() -> frozenset[str]:
    """``WALLCHART_SIGNED_AGREEMENTS``: the agreements that count as signed (core.counting),
    ``contract`` by default or ``contract,framework``; a contract always counts and a
    supplementary agreement never does, so anything else stops the start."""
    value = os.environ.get("WALLCHART_SIGNED_AGREEMENTS", "").strip() or "contract"
    kinds = frozenset(part.strip() for part in value.split(",") if part.strip())
    if "contract" not in kinds or not kinds <= set(COUNTABLE_AGREEMENTS):
        raise SettingError(_("WALLCHART_SIGNED_AGREEMENTS=%(value)s is not contract or "
                           "contract,framework.", value=value))
    return kinds


def _capital_increase() -> str:
    """``WALLCHART_CAPITAL_INCREASE``: a capital increase counts its ``increment`` and no
    project (the default), or as a ``project`` with its whole investment (core.counting)."""
    value = os.environ.get("WALLCHART_CAPITAL_INCREASE", "").strip() or "increment"
    if value not in CAPITAL_INCREASE_RULES:
        raise SettingError(_("WALLCHART_CAPITAL_INCREASE=%(value)s is not increment or "
                           "project.", value=value))
    return value


def load_config(instance_path: Path) -> dict:
    """Build the Flask config mapping for an install whose instance folder is ``instance_path``."""
    database_url = os.environ.get(
        "WALLCHART_DATABASE_URL", f"sqlite:///{instance_path / 'wallchart.sqlite'}"
    )
    message_queue = os.environ.get("WALLCHART_MESSAGE_QUEUE") or None
    channel = os.environ.get("WALLCHART_MESSAGE_QUEUE_CHANNEL", "wallchart")
    limit_storage = os.environ.get("WALLCHART_RATELIMIT_STORAGE") or message_queue or "memory://"
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SOCKETIO_MESSAGE_QUEUE": message_queue,
        # Several boards may share one Redis: each listens on its own channel.
        "SOCKETIO_CHANNEL": channel,
        # Processes that share events share their counts too, so a limit holds across them;
        # the channel name keeps two boards on one Redis apart.
        "RATELIMIT_STORAGE_URI": limit_storage,
        # A storage that stops answering is an error we can tell apart (``StorageError``), met
        # within seconds; the counts then go on in this process's memory (ratelimits.py).
        "RATELIMIT_STORAGE_OPTIONS": {"wrap_exceptions": True, **(
            {"socket_connect_timeout": 2, "socket_timeout": 2}
            if limit_storage.startswith(("redis://", "rediss://")) else {})},
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_KEY_PREFIX": channel,
        "RATELIMIT_STRATEGY": "moving-window",
        **_limits(),
        "ALLOWED_ORIGINS": _allowed_origins(),
        "PROXY_COUNT": _whole_number("PROXY_COUNT", 0),
        # A session ends after this long without a request, and after this long in any case.
        "SESSION_IDLE_MINUTES": _whole_number("SESSION_IDLE_MINUTES", 120, minimum=1),
        "SESSION_MAX_HOURS": _whole_number("SESSION_MAX_HOURS", 24, minimum=1),
        # How often each process looks for sockets whose session or token has ended.
        "SOCKET_CHECK_SECONDS": _whole_number("SOCKET_CHECK_SECONDS", 2, minimum=1),
        # How often each process tells every screen the board's revision through the same path
        # as the pushes: a screen that hears none for a while says it may be out of date.
        "HEARTBEAT_SECONDS": _whole_number("HEARTBEAT_SECONDS", 5, minimum=1),
        # The hour (Asia/Shanghai, 0-23) of the bell's daily check and the leads' digest.
        "NOTIFY_HOUR": _whole_number("NOTIFY_HOUR", 8),
        # The bell and the webhooks hear a burst of changes together, this long after its
        # first (``realtime.notices``); 0 hears each change in the request that made it.
        "NOTICE_DELAY_SECONDS": _whole_number("NOTICE_DELAY_MS", 500) / 1000,
        # The teams' webhooks (services.webhooks): tries in all, the first wait between two
        # (doubling), and how long one try waits for the receiver's answer.
        "WEBHOOK_ATTEMPTS": _whole_number("WEBHOOK_ATTEMPTS", 5, minimum=1),
        "WEBHOOK_BACKOFF_SECONDS": _whole_number("WEBHOOK_BACKOFF_SECONDS", 2),
        "WEBHOOK_TIMEOUT_SECONDS": _whole_number("WEBHOOK_TIMEOUT_SECONDS", 5, minimum=1),
        "SOCKETIO_ASYNC_MODE": _async_mode(),
        "HOST": os.environ.get("WALLCHART_HOST", "127.0.0.1"),
        "PORT": int(os.environ.get("WALLCHART_PORT", "5000")),
        # Where people reach the site (nginx's address): the start of every printed link.
        "PUBLIC_URL": _public_url(),
        # A connection that sends no complete request head for this long is closed (wsgi.py).
        "HTTP_IDLE_SECONDS": _whole_number("HTTP_IDLE_SECONDS", 30, minimum=1),
        "BABEL_DEFAULT_LOCALE": DEFAULT_LANGUAGE,
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "LANGUAGES": LANGUAGES,
        "WTF_CSRF_CHECK_DEFAULT": False,
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        # Where a project's documents are kept (each under a random id); backups take them too.
        "DOCUMENTS_FOLDER": os.environ.get("WALLCHART_DOCUMENTS_FOLDER", "").strip()
        or str(instance_path / "documents"),
        "PASSWORD_SCRYPT_COST": _scrypt_cost(),
        "STALL_DAYS": (stall := _days_per_stage("STALL_DAYS", STALL_DAYS)),
        "RED_DAYS": _days_per_stage("RED_DAYS", {
            stage: None if days is None else 2 * days for stage, days in stall.items()}),
        # A next step or a blocker past its due date turns the card yellow, this much later red.
        "OVERDUE_RED_DAYS": _whole_number("OVERDUE_RED_DAYS", 7, minimum=1),
        # How signings are counted (core.counting; the README states the rules).
        "SIGNED_AGREEMENTS": _signed_agreements(),
        "CAPITAL_INCREASE": _capital_increase(),
    }
