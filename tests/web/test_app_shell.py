"""The installable app (issue 15): its manifest, its service worker and its offline page are the
same for everyone and hold no data; sign-out leads to a page that deletes what was kept."""

from __future__ import annotations

import json
import re

from tests.helpers import csrf_token_of


def test_the_manifest_opens_my_projects_standalone_with_its_icons(app):
    client = app.test_client()
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json(force=True)
    assert manifest["name"] == "挂图作战"
    assert manifest["start_url"] == "/board?mine=1"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#b3261e"
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert sizes == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for icon in manifest["icons"]:
        png = client.get(icon["src"])
        assert png.status_code == 200 and png.data.startswith(b"\x89PNG"), icon["src"]
        width, height = (int.from_bytes(png.data[at:at + 4], "big") for at in (16, 20))
        assert f"{width}x{height}" == icon["sizes"]
        png.close()


def test_the_worker_is_served_at_the_root_and_stores_only_the_shell(app):
    client = app.test_client()
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-cache"
    body = response.get_data(as_text=True)
    cache = json.loads(re.search(r"const CACHE = (.*);", body).group(1))
    shell = json.loads(re.search(r"const SHELL = (.*);", body).group(1))
    assert re.fullmatch(r"wallchart-shell-v\d+-[0-9a-f]{12}", cache)
    assert "/offline" in shell
    assert "/static/js/board.js" in shell and "/static/css/app.css" in shell
    assert "/static/vendor/htmx-2.0.11/htmx.min.js" in shell
    assert "/static/icons/icon-192.png" in shell
    # Nothing that holds data: no page, no API, no fragment.
    assert all(url == "/offline" or url.startswith("/static/") for url in shell), shell
    assert not any(url.endswith(".map") for url in shell)
    # No eval, nothing the page's policy would refuse.
    assert "eval(" not in body and "new Function" not in body


def test_the_offline_page_holds_nothing_of_the_person(app, clients):
    member = clients["member"]
    page = member.get("/offline")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "member" not in html
    assert member.csrf not in html and "csrf" not in html.lower()
    assert 'href="/board?mine=1"' in html
    assert "<script>" not in html   # the policy allows no inline script


def test_signed_in_pages_register_the_worker_and_sign_out_deletes_what_was_kept(app, clients):
    member = clients["member"]
    board = member.get("/board").get_data(as_text=True)
    assert 'rel="manifest" href="/manifest.webmanifest"' in board
    assert 'data-worker="/sw.js"' in board and 'data-user="member"' in board
    assert 'id="outbox-dialog"' in board

    signed_out = member.post("/logout")
    assert signed_out.status_code == 302
    login = member.get("/login").get_data(as_text=True)
    assert 'data-clear="member"' in login
    # Once: the next visit to the sign-in page has nothing to delete.
    assert "data-clear=" not in member.get("/login").get_data(as_text=True)


def test_an_anonymous_visitor_gets_no_worker(app):
    client = app.test_client()
    login = client.get("/login").get_data(as_text=True)
    assert csrf_token_of(login)
    assert "data-worker" not in login and "data-clear" not in login
