"""Languages: Simplified Chinese by default, English on request, and a catalog that keeps up.

When ``test_catalog_translates_every_message`` fails, a string was added or changed in the code or
the templates. Update the catalog as the README says (extract, update, translate, compile).
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "wallchart" / "translations"
POT = TRANSLATIONS / "messages.pot"
ZH_PO = TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.po"
ZH_MO = TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.mo"

UPDATE_STEPS = (
    "Update the catalog from the repository root:\n"
    "  .venv/bin/pybabel extract -F wallchart/babel.cfg -k _l -k lazy_gettext --no-location "
    "--sort-output -o wallchart/translations/messages.pot wallchart templates\n"
    "  .venv/bin/pybabel update -i wallchart/translations/messages.pot "
    "-d wallchart/translations\n"
    "  (translate the new entries in wallchart/translations/zh/LC_MESSAGES/messages.po)\n"
    "  .venv/bin/pybabel compile -d wallchart/translations"
)

STAGES_ZH = ("接触洽谈", "在谈", "已签约", "已开工", "竣工投产")
STAGES_EN = ("Contact", "Negotiating", "Signed", "Construction started", "Completed & producing")


# --- the catalog ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The messages the code and templates use today, extracted exactly as the README says.

    Babel matches the mapping's patterns against paths relative to the folders it is given, so
    it runs from the repository root, as a person would.
    """
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    result = subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "wallchart/babel.cfg",
         "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "wallchart", "templates"],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    with pot.open("rb") as handle:
        return read_po(handle)


def _read_po(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def _untranslated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return not all(s and s.strip() for s in strings)


def test_extraction_finds_the_code_and_the_templates(extracted):
    locations = {path for message in extracted for path, _line in message.locations}
    assert any(path.startswith("wallchart/") for path in locations), locations
    assert any(path.startswith("templates/") for path in locations), locations
    assert "Contact" in extracted and (" project", " projects") in {m.id for m in extracted}


def test_catalog_translates_every_message(extracted):
    catalog = _read_po(ZH_PO)
    missing, fuzzy, empty = [], [], []
    for message in extracted:
        if not message.id:
            continue
        entry = catalog.get(message.id, message.context)
        if entry is None:
            missing.append(message.id)
        elif entry.fuzzy:
            fuzzy.append(message.id)
        elif _untranslated(entry):
            empty.append(message.id)
    problems = [f"{label} ({len(ids)}):\n" + "\n".join(f"  {mid!r}" for mid in ids)
                for label, ids in (("not in the zh catalog", missing), ("fuzzy", fuzzy),
                                   ("untranslated", empty)) if ids]
    assert not problems, "\n".join(problems) + "\n\n" + UPDATE_STEPS


def test_committed_template_matches_the_code(extracted):
    committed = {m.id for m in _read_po(POT) if m.id}
    fresh = {m.id for m in extracted if m.id}
    assert committed == fresh, (
        f"messages.pot is stale; new: {sorted(fresh - committed, key=str)!r}, "
        f"gone: {sorted(committed - fresh, key=str)!r}\n\n{UPDATE_STEPS}")


def test_translations_keep_their_placeholders():
    catalog = _read_po(ZH_PO)
    broken = {m.id: [str(e) for e in m.check(catalog)] for m in catalog if m.id}
    assert not {k: v for k, v in broken.items() if v}


def _key(value):
    """Plural entries come back as lists; make them comparable and hashable."""
    return tuple(value) if isinstance(value, list) else value


def test_compiled_catalog_is_up_to_date(tmp_path):
    """The app runs from the checkout, so the committed .mo must say what the .po says."""
    compiled = tmp_path / "messages.mo"
    with compiled.open("wb") as handle:
        write_mo(handle, _read_po(ZH_PO))
    with compiled.open("rb") as handle:
        expected = {_key(m.id): _key(m.string) for m in read_mo(handle) if m.id}
    with ZH_MO.open("rb") as handle:
        committed = {_key(m.id): _key(m.string) for m in read_mo(handle) if m.id}
    differ = sorted((set(expected) ^ set(committed)) |
                    {k for k in expected.keys() & committed.keys() if expected[k] != committed[k]},
                    key=str)
    assert not differ, (f"messages.mo is out of date with messages.po for {differ!r}; run\n"
                        "  .venv/bin/pybabel compile -d wallchart/translations")


# --- pages and answers ------------------------------------------------------------------------

def choose(client, lang: str, back: str = "/board"):
    response = client.post("/language", data={"lang": lang, "next": back})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(back)
    return response


def test_board_is_chinese_by_default_and_english_on_request(clients):
    member = clients["member"]
    page = member.get("/board").get_data(as_text=True)
    assert '<html lang="zh-Hans">' in page
    for name in STAGES_ZH:
        assert f"<h2>{name}</h2>" in page
    assert "挂图作战" in page

    choose(member, "en")
    page = html.unescape(member.get("/board").get_data(as_text=True))
    assert '<html lang="en">' in page
    for name in STAGES_EN:
        assert f"<h2>{name}</h2>" in page
    assert not any(name in page for name in STAGES_ZH)

    choose(member, "zh")
    assert '<html lang="zh-Hans">' in member.get("/board").get_data(as_text=True)


def test_language_choice_ignores_unknown_languages_and_foreign_redirects(clients):
    member = clients["member"]
    response = member.post("/language", data={"lang": "fr", "next": "//evil.example/"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/board")
    assert '<html lang="zh-Hans">' in member.get("/board").get_data(as_text=True)


def test_language_survives_sign_in(app, users):
    from tests.helpers import PASSWORD, csrf_token_of

    client = app.test_client()
    token = csrf_token_of(client.get("/login").get_data(as_text=True))
    client.post("/language", data={"lang": "en", "next": "/login", "csrf_token": token})
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in page and "Sign in" in page
    token = csrf_token_of(page)
    client.post("/login", data={"username": "viewer", "password": PASSWORD, "csrf_token": token})
    assert '<html lang="en">' in client.get("/board").get_data(as_text=True)


def test_api_errors_speak_chinese_by_default(clients):
    response = clients["member"].post("/api/projects", json={})
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "请更正标出的错误项。"
    assert body["fields"]["name"] == "此项为必填项。"

    choose(clients["member"], "en")
    body = clients["member"].post("/api/projects", json={}).get_json()
    assert body["error"] == "Please correct the marked fields."


def test_history_reads_as_a_sentence(clients, make_project):
    project = make_project("历史测试项目")
    member = clients["member"]
    moved = member.post(f"/api/projects/{project['id']}/move",
                        json={"stage": "negotiating", "version": project["version"]})
    assert moved.status_code == 200, moved.get_data(as_text=True)
    panel = member.get(f"/board/projects/{project['id']}").get_data(as_text=True)
    assert "Member 将其从“接触洽谈”移至“在谈”" in panel, panel
    assert "Member 新建项目（接触洽谈）" in panel, panel


# --- money ------------------------------------------------------------------------------------

def _column(page: str, stage: str) -> str:
    match = re.search(rf'<section class="column stage-{stage}".*?</section>', page, re.S)
    assert match, f"no {stage} column"
    return match.group(0)


def _total(column: str) -> str:
    match = re.search(r"column-stats.*?·\s*(.*?)</p>", column, re.S)
    assert match
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def test_money_reads_in_yi_yuan_in_chinese_and_cny_in_english(clients, make_project):
    make_project("五亿项目", investment_wan=50000)
    make_project("八百万项目", investment_wan=800)
    viewer = clients["viewer"]

    contact = _column(viewer.get("/board").get_data(as_text=True), "contact")
    assert '<span class="card-amount">5 亿元</span>' in contact
    assert '<span class="card-amount">800 万元</span>' in contact
    assert _total(contact) == "5.08 亿元"
    assert re.search(r'<span class="count">2</span><span class="unit"[^>]*> 个项目</span>', contact)
    assert _total(_column(viewer.get("/board").get_data(as_text=True), "signed")) == "0.00 亿元"

    choose(viewer, "en")
    contact = _column(viewer.get("/board").get_data(as_text=True), "contact")
    assert '<span class="card-amount">CNY 500M</span>' in contact
    assert '<span class="card-amount">CNY 8M</span>' in contact
    assert _total(contact) == "CNY 0.51bn"
    assert re.search(r'<span class="count">2</span><span class="unit"[^>]*> projects</span>',
                     contact)
    make_project("第三个", stage="signed")
    signed = _column(viewer.get("/board").get_data(as_text=True), "signed")
    assert re.search(r'<span class="count">1</span><span class="unit"[^>]*> project</span>', signed)


@pytest.mark.parametrize(("lang", "wan", "shown"), [
    ("zh", 800, "800 万元"), ("zh", 9999, "9,999 万元"), ("zh", 10000, "1 亿元"),
    ("zh", 35000, "3.5 亿元"), ("zh", 1234567, "123.46 亿元"),
    ("en", 800, "CNY 8M"), ("en", 35000, "CNY 350M"), ("en", 100000, "CNY 1bn"),
    ("en", 350000, "CNY 3.5bn"),
])
def test_money_formats(app, lang, wan, shown):
    from flask_babel import force_locale

    from wallchart.core.formatting import money

    with app.test_request_context(), force_locale(lang):
        assert money(wan) == shown


@pytest.mark.parametrize(("lang", "start", "end", "shown"), [
    ("zh", (2026, 1, 1), (2026, 6, 30), "2026年1月1日至6月30日"),
    ("zh", (2025, 12, 1), (2026, 1, 31), "2025年12月1日至2026年1月31日"),
    ("en", (2026, 1, 1), (2026, 6, 30), "Jan 1 – Jun 30, 2026"),
    ("en", (2025, 12, 1), (2026, 1, 31), "Dec 1, 2025 – Jan 31, 2026"),
])
def test_periods_read_as_the_bureau_writes_them(app, lang, start, end, shown):
    """Officials write 至 between the dates, whatever CLDR's interval pattern says this year."""
    from datetime import date

    from flask_babel import force_locale

    from wallchart.core.formatting import date_span

    with app.test_request_context(), force_locale(lang):
        assert date_span(date(*start), date(*end)) == shown


def test_live_push_renders_each_language(app, users, make_project):
    """A change is rendered once per language room; each screen gets its own words."""
    from tests.helpers import project_events, socket_client
    from wallchart.services import accounts

    with app.app_context():
        display = accounts.create_display_token(None, "大厅")
        api = accounts.issue_api_token(None, "viewer")
    screens = {
        "board:zh": socket_client(app, auth={"token": api}),
        "board:en": socket_client(app, auth={"token": api, "lang": "en"}),
        "wall:zh": socket_client(app, auth={"token": display, "lang": "zh"}),
        "wall:en": socket_client(app, auth={"token": display, "lang": "en"}),
    }
    make_project("推送测试项目", investment_wan=50000)
    cards = {name: project_events(screen)[0]["html"] for name, screen in screens.items()}
    assert "5 亿元" in cards["board:zh"] and "5 亿元" in cards["wall:zh"]
    assert "CNY 500M" in cards["board:en"] and "CNY 500M" in cards["wall:en"]
    assert "未指定责任人" in cards["board:zh"] and "No owner" in cards["board:en"]
    assert "data-panel" in cards["board:zh"] and "data-panel" not in cards["wall:en"]


def test_wall_takes_its_language_from_the_link(app, make_project):
    from wallchart.services import accounts

    with app.app_context():
        token = accounts.create_display_token(None, "大厅大屏")
    client = app.test_client()
    page = client.get(f"/wall?token={token}").get_data(as_text=True)
    assert '<html lang="zh-Hans">' in page and "<h2>竣工投产</h2>" in page
    page = html.unescape(client.get(f"/wall?token={token}&lang=en").get_data(as_text=True))
    assert '<html lang="en">' in page and "<h2>Completed & producing</h2>" in page
