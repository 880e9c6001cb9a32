"""Errors a service raises; views, the API and socket handlers turn them into answers."""

from __future__ import annotations


class ServiceError(Exception):
    """A refused change. ``message`` is already translated for the person who asked."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Forbidden(ServiceError):
    status = 403


class NotFound(ServiceError):
    status = 404


class Conflict(ServiceError):
    """The request named a version of the project that is no longer the current one.

    ``project_ids`` names the stale projects when one request changes several.
    """

    status = 409

    def __init__(self, message: str, project_ids: list[int] | None = None) -> None:
        super().__init__(message)
        self.project_ids = project_ids or []


class Invalid(ServiceError):
    """Input that cannot be saved; ``fields`` maps each bad field to its message."""

    status = 422

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or {}
