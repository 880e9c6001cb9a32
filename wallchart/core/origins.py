"""Which web pages may open a socket: the allowlist behind ``WALLCHART_ALLOWED_ORIGINS``.

A browser attaches the session cookie to a WebSocket that any site's page opens, and says which
page did it in the ``Origin`` header, which a page's script cannot change. Checking it is what
keeps a page on another site from watching the board with a signed-in person's cookie.
"""

from __future__ import annotations

from typing import Any


def own_origin(environ: dict[str, Any]) -> str:
    """This site as the request reached it: scheme and ``Host`` (behind trusted proxies, what
    ProxyFix took from their ``X-Forwarded-Proto`` and ``X-Forwarded-Host``)."""
    return f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '')}".lower()


def allowed(origin: str | None, environ: dict[str, Any], configured: list[str]) -> bool:
    """Whether a page of ``origin`` may use the socket: one of ``configured``, or when none is
    configured, this site itself.

    A request without an ``Origin`` never passes here; whether it may go on without one is the
    caller's decision (a token may, a cookie may not).
    """
    if not origin:
        return False
    origin = origin.rstrip("/").lower()
    if configured:
        return origin in configured
    return bool(environ.get("HTTP_HOST")) and origin == own_origin(environ)
