"""Errors a service raises; views, the API and socket handlers turn them into answers."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wallchart.core.models import Project


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


class Busy(ServiceError):
    """Another change held the board for longer than a change may wait (a large import)."""

    status = 503


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


class MissingFields(Invalid):
    """A stage gate: the stage needs fields that neither the project nor the request supplies.

    ``missing`` names them by their API names (``investment_wan``, ``stage_dates.signed``), so
    that a screen can ask for exactly those before it tries the move again.
    """

    def __init__(self, message: str, missing: list[str], fields: dict[str, str]) -> None:
        super().__init__(message, fields)
        self.missing = missing


class Duplicate(ServiceError):
    """A new project closely matches existing ones (``matches``): the person must confirm."""

    status = 409

    def __init__(self, message: str, matches: list[Project]) -> None:
        super().__init__(message)
        self.matches = matches
