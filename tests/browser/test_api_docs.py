"""The API's reference page (``/api/docs``) in a real browser: swagger-ui, vendored, renders
every operation from ``/api/openapi.json`` under the app's own Content-Security-Policy, with no
script error, no CSP violation and no request leaving the server."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import watch

pytestmark = [pytest.mark.browser, pytest.mark.live]


def test_the_reference_renders_offline_under_the_apps_csp(live_server, new_context,
                                                          page_errors, artifacts):
    page = watch(new_context().new_page(), page_errors, "api docs")
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    contract = live_server.url + "/api/openapi.json"
    with page.expect_response(contract) as loaded:
        page.goto(live_server.url + "/api/docs")
    document = loaded.value.json()
    expect(page.get_by_role("heading", name="API 参考", exact=True)).to_be_visible()
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("挂图作战 API")
    operations = page.locator(".opblock")
    expected = sum(len(methods) for methods in document["paths"].values())
    expect(operations).to_have_count(expected)
    # An operation opens to its parameters; nothing offers to send a request from the page.
    page.locator(".opblock-summary-path", has_text="/api/projects").first.click()
    expect(page.locator(".opblock.is-open .parameters-container")).to_be_visible()
    expect(page.locator(".try-out__btn")).to_have_count(0)
    page.screenshot(path=str(artifacts / "api-docs.png"), full_page=False)
    assert violations == []
    assert all(url.startswith(live_server.url) or url.startswith("data:") for url in requested), \
        requested
