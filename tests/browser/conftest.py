"""Real-browser fixtures: the system Chromium through pytest-playwright, signed-in board windows,
a wall display, and a JSON API client, all against ``live_server`` (``python wsgi.py``).

The helpers the tests import (locators, drags, the reload marker, ``Api``) are in
tests/browser/helpers.py. Every page opened here fails its test if a script on it throws
(``pageerror``), so a broken script is never hidden behind a DOM assertion that happens to pass.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import ARTIFACTS, Api, wait_live, watch
from tests.helpers import PASSWORD, printed_wall_path

expect.set_options(timeout=10_000)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def api(live_server, seeded):
    """``api("member")``: a signed-in API session for that user (cached per test)."""
    sessions: dict[str, Api] = {}

    def for_user(username: str = "member") -> Api:
        if username not in sessions:
            sessions[username] = Api(live_server.url, username, seeded)
        return sessions[username]

    return for_user


# --- pages ---------------------------------------------------------------------------------------

@pytest.fixture
def page_errors() -> Iterator[list[str]]:
    """Uncaught script errors of every page opened by ``open_board`` / ``open_wall``."""
    errors: list[str] = []
    yield errors
    assert not errors, f"script errors on the page: {errors}"


@pytest.fixture
def open_board(live_server, new_context, page_errors, seeded):
    """``open_board("member")``: a new browser context on /board, signed in: a seeded user with
    the session made for him in the template (a browser that signed in before), anyone else, or
    with ``through_form=True``, through the sign-in form."""

    def open_(username: str, *, through_form: bool = False, **context_args: Any) -> Page:
        context_args.setdefault("viewport", {"width": 1600, "height": 900})
        context = new_context(**context_args)
        page = watch(context.new_page(), page_errors, username)
        if username in seeded.cookies and not through_form:
            context.add_cookies([{"name": seeded.cookie_name, "value": seeded.cookies[username],
                                  "url": live_server.url}])
            page.goto(f"{live_server.url}/board")
        else:
            page.goto(f"{live_server.url}/login")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", PASSWORD)
            with page.expect_navigation():
                page.press("input[name=password]", "Enter")
        assert page.url.endswith("/board"), page.url
        wait_live(page)
        return page

    return open_


@pytest.fixture
def wall_path(live_server) -> str:
    return printed_wall_path(live_server.flask("display", "create", "lobby"))


@pytest.fixture
def open_wall(live_server, new_context, page_errors, wall_path):
    """``open_wall(1920, 1080)``: a wall display context on its token URL, connected."""

    def open_(width: int = 1920, height: int = 1080) -> Page:
        context = new_context(viewport={"width": width, "height": height})
        page = watch(context.new_page(), page_errors, f"wall {width}x{height}")
        page.goto(live_server.url + wall_path)
        wait_live(page)
        return page

    return open_
