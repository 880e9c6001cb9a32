"""Fixtures the service tests share."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from wallchart.services import events


@pytest.fixture
def heard(app) -> Iterator[list[events.ProjectChanged]]:
    """What the services announce during the test."""
    heard: list[events.ProjectChanged] = []
    events.subscribe(heard.append)
    yield heard
    events._listeners.remove(heard.append)
