"""Error answers: JSON ``{"error": ...}`` under /api, a page (or an htmx fragment) elsewhere."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from wallchart.core.errors import ServiceError
from wallchart.web import ratelimits


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood."),
        401: _("Please sign in."),
        403: _("You are not allowed to do this."),
        404: _("Not found."),
        405: _("This method is not allowed here."),
        413: _("The request is too large."),
        429: _("Too many requests. Please wait a moment."),
        500: _("Something went wrong on the server. Please try again."),
    }


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, message: str, **extra):
    if wants_json():
        return jsonify(error=message, **extra), status
    template = "partials/error.html" if request.headers.get("HX-Request") else "error.html"
    return render_template(template, status=status, message=message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error):
        return error_response(400, _("The form has expired or lacks its security token. "
                                     "Reload the page and try again."))

    @app.errorhandler(RateLimitExceeded)
    def _too_many(error: RateLimitExceeded):
        wait = ratelimits.seconds_to_wait()
        body, status = error_response(429, ratelimits.wait_message(wait))
        return body, status, {"Retry-After": str(wait)}

    @app.errorhandler(ServiceError)
    def _service(error: ServiceError):
        extra = {"fields": error.fields} if getattr(error, "fields", None) else {}
        return error_response(error.status, error.message, **extra)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        message = _messages().get(error.code or 500, error.description or "")
        return error_response(error.code or 500, message)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        app.logger.exception("Unhandled error")
        return error_response(500, _messages()[500])
