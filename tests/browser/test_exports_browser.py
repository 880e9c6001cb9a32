"""The scheduling meeting's lists in the real browser: the open blockers and the workload, each
downloaded from its page's button as an Excel file that holds what the page shows; the weekly
report with the week's blockers. Screenshots at a laptop's and a phone's size in
test-artifacts/."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from bench.midyear import build_midyear
from tests.browser.helpers import assert_fits
from tests.helpers import actor, make_app

pytestmark = [pytest.mark.browser, pytest.mark.live]

SIZES = {"laptop": (1366, 768), "phone": (390, 844)}


@pytest.fixture
def meeting_server(live_server, monkeypatch):
    """The live server's database with the mid-year dataset and five blockers raised today on
    its first projects (one of them resolved)."""
    from sqlalchemy import select

    from wallchart.core.models import Project
    from wallchart.extensions import db
    from wallchart.services import blockers

    for key in ("WALLCHART_INSTANCE_PATH", "WALLCHART_DATABASE_URL"):
        monkeypatch.setenv(key, live_server.env[key])
    app = make_app()
    build_midyear(app)
    with app.test_request_context():
        projects = db.session.execute(select(Project.id).where(Project.on_board)
                                      .order_by(Project.id).limit(5)).scalars().all()
        raised = [blockers.raise_blocker(actor("lead"), project_id, {
            "kind": ("land", "funding", "approval")[n % 3], "department": f"市直部门{n % 2}",
            "description": "需市里协调解决的事项" * (n + 1)})
            for n, project_id in enumerate(projects)]
        blockers.resolve_blocker(actor("lead"), raised[0].id, raised[0].version, "已协调解决")
        db.engine.dispose()
    return live_server


def download(page: Page):
    """Click the page's export button (on a phone, in the top bar's menu); the downloaded
    workbook's only sheet."""
    menu = page.get_by_role("button", name="菜单")
    if menu.is_visible():
        menu.click()
    with page.expect_download() as info:
        page.get_by_role("link", name="导出 Excel").click()
    assert info.value.suggested_filename.endswith(".xlsx")
    return load_workbook(io.BytesIO(Path(info.value.path()).read_bytes())).active


@pytest.mark.parametrize("size", SIZES)
def test_the_blocker_list_downloads_as_excel(meeting_server, open_board, artifacts, size):
    width, height = SIZES[size]
    page = open_board("viewer", viewport={"width": width, "height": height})
    page.goto(f"{meeting_server.url}/blockers?sort=department")
    rows = page.locator("tr[data-blocker-id]")
    expect(rows).to_have_count(4)
    assert_fits(page)
    page.screenshot(path=str(artifacts / f"blockers-{size}.png"), full_page=True)
    shown = [rows.nth(i).locator("th").evaluate("th => th.firstChild.textContent.trim()")
             for i in range(4)]
    sheet = download(page)
    data = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [row[1] for row in data] == shown
    assert [row[0] for row in data] == [1, 2, 3, 4]


@pytest.mark.parametrize("size", SIZES)
def test_the_workload_downloads_as_excel(meeting_server, open_board, artifacts, size):
    width, height = SIZES[size]
    page = open_board("lead", viewport={"width": width, "height": height})
    page.goto(f"{meeting_server.url}/board/workload")
    total = page.locator("tfoot tr.total td[data-total]")
    expect(total).to_be_visible()
    assert_fits(page)
    page.screenshot(path=str(artifacts / f"workload-{size}.png"), full_page=True)
    sheet = download(page)
    data = list(sheet.iter_rows(min_row=3, values_only=True))
    total_row = next(row for row in data if row[1] == "合计")
    assert total_row[7] == int(total.inner_text())
    owners = page.locator("tbody tr[data-owner]:not(.unowned)").count()
    assert [row[0] for row in data if row[0] is not None] == list(range(1, owners + 1))


def test_the_weekly_report_lists_the_weeks_blockers(meeting_server, open_board, artifacts):
    width, height = SIZES["laptop"]
    page = open_board("viewer", viewport={"width": width, "height": height})
    page.goto(f"{meeting_server.url}/reports/weekly")
    raised = page.locator('section[data-section="blockers_raised"] tbody tr')
    resolved = page.locator('section[data-section="blockers_resolved"] tbody tr')
    expect(raised).to_have_count(5)
    expect(resolved).to_have_count(1)
    expect(resolved.first).to_contain_text("已协调解决")
    page.locator('section[data-section="blockers_raised"]').scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "report-weekly-blockers.png"), full_page=True)
