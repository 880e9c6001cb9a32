"""CSRF on every state-changing request, protective headers on every response, and cookies
that never leave HTTPS once the site is served over it."""

from __future__ import annotations

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from .auth import bearer_token
from .extensions import csrf

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
])

#: One year; no ``includeSubDomains``: other sites of the bureau's domain may still be plain HTTP.
STRICT_TRANSPORT_SECURITY = "max-age=31536000"


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, marked ``Secure`` on a request that came over HTTPS.

    A fixed ``SESSION_COOKIE_SECURE`` would break plain-HTTP installs (the browser would drop
    the cookie); deciding per request keeps both working and never sends an HTTPS session
    back over HTTP.
    """

    def get_cookie_secure(self, app: Flask) -> bool:
        return request.is_secure or super().get_cookie_secure(app)


def init_app(app: Flask) -> None:
    if app.config["PROXY_COUNT"]:
        # Only when told how many proxies stand in front: otherwise anyone could claim to be
        # any address (and dodge a rate limit) or to have come over HTTPS. This wraps the
        # Socket.IO middleware too, so sockets see the same address, scheme and host.
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    app.session_interface = _SessionInterface()

    @app.before_request
    def _protect_from_csrf():
        # Scripts authenticate with a bearer token, which a foreign page cannot attach.
        if request.method not in SAFE_METHODS and bearer_token() is None:
            csrf.protect()

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
        return response
