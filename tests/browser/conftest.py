"""Real-browser fixtures: the system Chromium through pytest-playwright, signed-in board windows,
a wall display, and a JSON API client, all against ``live_server`` (``python wsgi.py``).

Every page opened here fails its test if a script on it throws (``pageerror``), so a broken
script is never hidden behind a DOM assertion that happens to pass.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD, ROOT, Seeded

CHROMIUM = "/usr/bin/chromium"
#: From ENVIRONMENT.md: without these Chromium stalls on the closed network.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / "test-artifacts"
STAGES = ("contact", "negotiating", "signed", "started", "producing")

expect.set_options(timeout=10_000)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS,
            "headless": True}


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


# --- the JSON API, as a script or a second person would use it ----------------------------------

class Api:
    """A ``requests`` session signed in, sending the CSRF header: a seeded user with the
    session made for him in the template (``seeded``), anyone else through the login form."""

    def __init__(self, base: str, username: str, seeded: Seeded | None = None):
        self.base = base
        self.session = requests.Session()
        if seeded and username in seeded.cookies:
            self.session.cookies.set(seeded.cookie_name, seeded.cookies[username])
            self.session.headers["X-CSRFToken"] = seeded.csrf[username]
            return
        login = self.session.get(f"{base}/login", timeout=10).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', login).group(1)
        response = self.session.post(f"{base}/login", timeout=10, allow_redirects=False, data={
            "username": username, "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 302, response.text
        board = self.session.get(f"{base}/board", timeout=10).text
        self.session.headers["X-CSRFToken"] = re.search(
            r'"X-CSRFToken": "([^"]+)"', board).group(1)

    def create(self, name: str, **fields: Any) -> dict:
        body = {"name": name, "investor": "示例投资有限公司", "investment_wan": 50000,
                "sector": "industry", **fields}
        response = self.session.post(f"{self.base}/api/projects", json=body, timeout=10)
        assert response.status_code == 201, response.text
        return response.json()

    def get(self, project_id: int) -> dict:
        response = self.session.get(f"{self.base}/api/projects/{project_id}", timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    def projects(self) -> list[dict]:
        response = self.session.get(f"{self.base}/api/projects", timeout=10)
        assert response.status_code == 200, response.text
        return response.json()["projects"]

    def move(self, project_id: int, stage: str, position: int | None = None,
             **fields: Any) -> dict:
        """A move through the API; ``fields`` (``stage_dates``…) go with it, as a gate asks."""
        version = self.get(project_id)["version"]
        response = self.session.post(f"{self.base}/api/projects/{project_id}/move", timeout=10,
                                     json={"stage": stage, "version": version,
                                           "position": position, **fields})
        assert response.status_code == 200, response.text
        return response.json()

    def patch(self, project_id: int, **fields: Any) -> dict:
        version = self.get(project_id)["version"]
        response = self.session.patch(f"{self.base}/api/projects/{project_id}", timeout=10,
                                      json={"version": version, **fields})
        assert response.status_code == 200, response.text
        return response.json()


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


def _watch(page: Page, errors: list[str], name: str) -> Page:
    page.on("pageerror", lambda error: errors.append(f"{name}: {error}"))
    if os.environ.get("WALLCHART_BROWSER_DEBUG"):
        page.on("console", lambda message: print(name, "console:", message.text))
    return page


def wait_live(page: Page) -> None:
    expect(page.locator(".live-indicator")).to_have_attribute("data-state", "live")


@pytest.fixture
def open_board(live_server, new_context, page_errors):
    """``open_board("member")``: a new browser context signed in through the form, on /board."""

    def open_(username: str, **context_args: Any) -> Page:
        context_args.setdefault("viewport", {"width": 1600, "height": 900})
        context = new_context(**context_args)
        page = _watch(context.new_page(), page_errors, username)
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
    return live_server.flask("display", "create", "lobby").strip().splitlines()[-1]


@pytest.fixture
def open_wall(live_server, new_context, page_errors, wall_path):
    """``open_wall(1920, 1080)``: a wall display context on its token URL, connected."""

    def open_(width: int = 1920, height: int = 1080) -> Page:
        context = new_context(viewport={"width": width, "height": height})
        page = _watch(context.new_page(), page_errors, f"wall {width}x{height}")
        page.goto(live_server.url + wall_path)
        wait_live(page)
        return page

    return open_


# --- helpers used by the tests -------------------------------------------------------------------

def card(page: Page, project_id: int, stage: str | None = None):
    column = f'.column[data-stage="{stage}"] ' if stage else ""
    return page.locator(f'{column}.card[data-project-id="{project_id}"]')


def column_ids(page: Page, stage: str) -> list[int]:
    return [int(i) for i in page.locator(f'.column[data-stage="{stage}"] .card').evaluate_all(
        "cards => cards.map(c => c.dataset.projectId)")]


def mark(*pages: Page) -> None:
    """Set a marker that a navigation or reload would wipe out."""
    for page in pages:
        page.evaluate("window.__marker = 1")


def assert_not_reloaded(*pages: Page) -> None:
    for page in pages:
        assert page.evaluate("window.__marker") == 1, f"{page.url} reloaded or navigated"


def grab_point(page: Page, project_id: int) -> tuple[float, float]:
    """A point on the card away from its title button (the money line)."""
    box = card(page, project_id).locator(".card-meta").bounding_box()
    return box["x"] + 4, box["y"] + box["height"] / 2


def drag_to(page: Page, start: tuple[float, float], end: tuple[float, float],
            steps: int = 15) -> None:
    """A mouse drag in small steps, the way SortableJS's fallback mode follows a real hand."""
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(start[0] + 6, start[1] + 6, steps=3)
    page.mouse.move(*end, steps=steps)
    page.mouse.move(end[0], end[1] + 1, steps=2)
    page.mouse.up()


def empty_spot(page: Page, stage: str) -> tuple[float, float]:
    """A point in the column's card list below its last card."""
    box = page.locator(f'.column[data-stage="{stage}"] .cards').bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] - 30
