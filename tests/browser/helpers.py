"""What the browser tests import: the system Chromium's settings, a signed-in JSON API session
(``Api``), and helpers on a page (a card's locator, a column's ids, drags, the reload marker,
waiting for the live indicator, a finger on a touch screen: ``Finger``). The fixtures are in
tests/browser/conftest.py."""

from __future__ import annotations

import os
import re
from typing import Any

import requests
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.helpers import PASSWORD, ROOT, Seeded

#: Debian's build of Chromium, the browser the bureau's screens run (the wall's benchmark uses it).
CHROMIUM = "/usr/bin/chromium"
#: The browser tests' Chromium: Debian's build of its headless shell (package
#: chromium-headless-shell, which .ci/run installs), the same engine without the desktop browser
#: around it, as Playwright runs headless; it takes half the CPU of the full browser per test.
HEADLESS_SHELL = "/usr/bin/chromium-headless-shell"
TEST_CHROMIUM = HEADLESS_SHELL if os.path.exists(HEADLESS_SHELL) else CHROMIUM
#: From ENVIRONMENT.md: without these Chromium stalls on the closed network.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / "test-artifacts"
STAGES = ("contact", "negotiating", "signed", "started", "producing")


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


# --- pages ---------------------------------------------------------------------------------------

def watch(page: Page, errors: list[str], name: str) -> Page:
    """Collect what breaks on the page: a script that throws, and anything the Content Security
    Policy refuses (a refused style or script is a broken feature that throws nothing)."""
    page.on("pageerror", lambda error: errors.append(f"{name}: {error}"))
    page.on("console", lambda message: errors.append(f"{name}: {message.text}")
            if "Content Security Policy" in message.text else None)
    if os.environ.get("WALLCHART_BROWSER_DEBUG"):
        page.on("console", lambda message: print(name, "console:", message.text))
    return page


OVERFLOWING = """() => [...document.querySelectorAll("body *")]
    .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
    .slice(0, 8).map((e) => `${e.tagName.toLowerCase()}.${e.className} right=${
        Math.round(e.getBoundingClientRect().right)}: ${e.textContent.trim().slice(0, 30)}`)"""


def assert_fits(page: Page) -> None:
    """Nothing on the page is wider than the window. Waits up to 3 s for the layout to settle
    (fonts, late styles) and, if it never fits, names what sticks out."""
    try:
        page.wait_for_function("() => document.documentElement.scrollWidth <= window.innerWidth",
                               timeout=3000)
    except PlaywrightTimeout:
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        raise AssertionError(f"page {width[0]} px wide in a {width[1]} px window; "
                             f"sticking out: {page.evaluate(OVERFLOWING)}") from None


def wait_live(page: Page) -> None:
    expect(page.locator(".live-indicator")).to_have_attribute("data-state", "live")


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


def drop_into(page: Page, project_id: int, stage: str):
    """Drag the card into ``stage``; the move request's response."""
    with page.expect_response(f"**/api/projects/{project_id}/move") as moved:
        drag_to(page, grab_point(page, project_id), empty_spot(page, stage))
    return moved.value


class Finger:
    """Touch input through the DevTools protocol: Playwright has tap, but no touch drag."""

    def __init__(self, page: Page):
        self.page = page
        self.cdp = page.context.new_cdp_session(page)

    def _send(self, kind: str, x: float, y: float) -> None:
        points = [] if kind == "touchEnd" else [{"x": x, "y": y, "id": 1}]
        self.cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    def _slide(self, start: tuple[float, float], end: tuple[float, float], steps: int) -> None:
        (x0, y0), (x1, y1) = start, end
        for i in range(1, steps + 1):
            self._send("touchMove", x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps)

    def drag(self, start: tuple[float, float], end: tuple[float, float], steps: int = 20,
             chosen=None) -> None:
        self._send("touchStart", *start)
        if chosen is not None:
            # A touch must rest (Sortable's delay) before it picks the card up.
            expect(chosen).to_have_class(re.compile(r"\bcard-chosen\b"))
        self._slide(start, end, steps)
        self._send("touchMove", end[0], end[1] + 1)
        self._send("touchEnd", *end)

    def swipe(self, start: tuple[float, float], end: tuple[float, float], steps: int = 6) -> None:
        """A quick stroke: the finger moves at once, without resting first."""
        self._send("touchStart", *start)
        self._slide(start, end, steps)
        self._send("touchEnd", *end)
