"""A project's documents in a real browser: a member uploads a signed agreement (a PDF) from the
project's panel, through htmx with its CSRF header; it is listed at once, downloads as an
attachment, and a lead with the same panel open sees it arrive without a reload."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_not_reloaded, mark
from tests.browser.test_tracking_browser import open_panel

pytestmark = [pytest.mark.browser, pytest.mark.live]

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_a_member_uploads_an_agreement_from_the_panel(api, open_board, artifacts):
    project = api("member").create("签约文件测试项目")
    a, b = open_board("member"), open_board("lead")
    mark(a, b)
    panel_a, panel_b = open_panel(a, project["id"]), open_panel(b, project["id"])
    expect(panel_a.locator("#documents-list .empty")).to_have_text("还没有文件。")

    panel_a.locator("details.upload-document > summary").click()
    panel_a.locator("#document-kind").select_option(label="签约协议")
    panel_a.locator("#document-file").set_input_files(
        {"name": "投资协议.pdf", "mimeType": "application/pdf", "buffer": PDF})
    with a.expect_response(f"**/board/projects/{project['id']}/documents") as answer:
        panel_a.get_by_role("button", name="上传", exact=True).click()
    assert answer.value.status == 200
    link = panel_a.locator("#documents-list .document-link")
    expect(link).to_have_text("投资协议.pdf")
    expect(panel_a.locator("#documents-list .document-kind")).to_have_text("签约协议")
    a.screenshot(path=artifacts / "document-uploaded.png")

    with a.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "投资协议.pdf"
    assert Path(download.value.path()).read_bytes() == PDF

    # The lead's open panel follows without a reload.
    expect(panel_b.locator("#documents-list .document-link")).to_have_text("投资协议.pdf")
    assert_not_reloaded(a, b)
