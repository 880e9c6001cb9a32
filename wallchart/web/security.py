"""CSRF on every state-changing request, protective headers on every response (Socket.IO's
too), and cookies that never leave HTTPS once the site is served over it."""

from __future__ import annotations

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from wallchart.extensions import csrf
from wallchart.identity import bearer_token

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

#: What every answer carries (unless it sets its own), the Socket.IO server's included.
HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
)


class SecurityHeaders:
    """WSGI middleware adding ``HEADERS`` to every answer, and HSTS to one sent over HTTPS.

    It wraps the Socket.IO middleware as well as Flask: engine.io answers its polling requests
    and refusals itself, past Flask's ``after_request``.
    """

    def __init__(self, app) -> None:
        self.app = app

    def __call__(self, environ, start_response):
        def start(status, headers, exc_info=None):
            present = {name.lower() for name, _value in headers}
            extra = list(HEADERS)
            if environ.get("wsgi.url_scheme") == "https":
                extra.append(("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY))
            headers = [*headers, *((name, value) for name, value in extra
                                   if name.lower() not in present)]
            return start_response(status, headers, exc_info) if exc_info else \
                start_response(status, headers)

        return self.app(environ, start)


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, marked ``Secure`` on a request that came over HTTPS.

    A fixed ``SESSION_COOKIE_SECURE`` would break plain-HTTP installs (the browser would drop
    the cookie); deciding per request keeps both working and never sends an HTTPS session
    back over HTTP.
    """

    def get_cookie_secure(self, app: Flask) -> bool:
        return request.is_secure or super().get_cookie_secure(app)


def init_app(app: Flask) -> None:
    # Inside ProxyFix, so that a request that came over HTTPS through a proxy gets HSTS.
    app.wsgi_app = SecurityHeaders(app.wsgi_app)  # type: ignore[method-assign]
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
