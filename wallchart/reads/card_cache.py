"""Rendered cards, kept: a board of thousands of cards renders each card once, not on every load.

Rendering the card partial costs far more than reading its row (each card translates labels,
formats money, computes its warning), and a board or wall of 5,000 projects is loaded again
and again while only a few cards change. So the screens take each card's HTML from here, and
load and render only the cards they find missing; and the live push keeps each card it renders
for a change (``render``), so that the pages loaded after a move find the moved card too.

A card's HTML depends on its own row, whose ``version`` changes with every write to it; on the
names of its county, team and owner, which change without it; on the day (days in the stage,
warnings, an overdue next step); and on the screen's view and language. The key names all of
them: a card that comes to show something of yet another row must add it to ``_key`` (and to
``queries.Card``). Translations and warning thresholds only change with a restart, which
empties the cache.

Each app keeps its own (in its process); nothing in it is needed by another process. When it
holds ``LIMIT`` cards it starts afresh, so that cards of past days, old versions and deleted
projects go. Nothing is kept across a restart (a card's HTML also depends on the templates, the
translations and the warning thresholds, which a restart may change), except today's cards of a
server stopped and started again with the same code, settings and board (``keep``,
``reload``): the screens that reload all at once after a restart find their cards. ``warm``
renders every card missing in the background when the server starts and when a new day
begins, so that the first screen to load does not pay for them all.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path

from flask import Flask, current_app
from flask_babel import force_locale, get_locale
from markupsafe import Markup

from wallchart.core.models import Project
from wallchart.core.timeutil import today
from wallchart.reads import queries
from wallchart.reads.queries import Card

#: Five thousand projects in two languages and two views, with room for their next versions.
LIMIT = 50_000
#: The screens ``warm`` renders for: (view, redact). A lobby wall's own cards are only its
#: confidential ones (``_key``).
SCREENS = (("board", False), ("wall", False), ("wall", True))
#: Cards rendered between two pauses of ``warm``.
CHUNK = 200


def _cards() -> dict[tuple, Markup]:
    return current_app.extensions.setdefault("wallchart_cards", {})


def _key(card: Card, view: str, locale: str, day: date, redact: bool) -> tuple:
    # A lobby wall's card differs only for a confidential project.
    return (card.id, card.version, card.county, card.team, card.owner, card.owner_label, view,
            locale, day, redact and card.confidential)


def _card(project: Project) -> Card:
    """What the key needs, read from a whole project."""
    owner = project.owner
    return Card(project.id, project.version, project.investment_wan,
                project.county.name if project.county else None,
                project.team.name if project.team else None,
                owner.username if owner else None, owner.label if owner else None,
                project.confidential)


def cards_html(columns: Mapping[str, list[Card]], view: str, redact: bool = False
               ) -> dict[int, Markup]:
    """Each card's HTML by project id, for the ``board`` or ``wall`` view (``redact``: of a
    lobby wall) in the current language: the missing ones loaded in one statement (always
    sent, so that a page costs the same statements cold or warm) and rendered from the partial
    the live push renders."""
    locale, day, kept = str(get_locale()), today(), _cards()
    html: dict[int, Markup] = {}
    for cards in columns.values():
        for card in cards:
            cached = kept.get(_key(card, view, locale, day, redact))
            if cached is not None:
                html[card.id] = cached
    missing = [card.id for cards in columns.values() for card in cards if card.id not in html]
    if len(kept) + len(missing) > LIMIT:
        kept.clear()
    card = _macro(view, redact)
    for project in queries.card_projects(missing):
        # Keyed by what was rendered: the row may have changed since the cards were read.
        html[project.id] = kept[_key(_card(project), view, locale, day, redact)] = card(project)
    return html


def render(project: Project, view: str, redact: bool = False) -> Markup:
    """One card's HTML for ``view`` (``redact``: of a lobby wall) in the current language, kept:
    the live push renders a changed card once per room, and the pages that load it next take
    it from here rather than render it again."""
    kept = _cards()
    if len(kept) >= LIMIT:
        kept.clear()
    html = _macro(view, redact)(project)
    kept[_key(_card(project), view, str(get_locale()), today(), redact)] = html
    return html


def _macro(view: str, redact: bool) -> Callable[[Project], Markup]:
    """The card partial's ``card`` macro for ``view`` in the current language, made once per app
    (and again if the template is reloaded), where ``render_template`` would make the partial's
    context (the context processors, the card's words in the language) for every card.

    It is made in a request of no one, since a card must not depend on who is looking: the push
    renders it once for every screen, and a page takes it from the cards kept."""
    locale = str(get_locale())
    template = current_app.jinja_env.get_template("partials/card.html")
    macros = current_app.extensions.setdefault("wallchart_card_macros", {})
    made = macros.get((locale, view, redact))
    if made is None or made[0] is not template:
        with current_app.test_request_context(), force_locale(locale):
            context = {"view": view, "redact": redact}
            current_app.update_template_context(context)
            made = macros[(locale, view, redact)] = (template, template.make_module(context).card)
    return made[1]


def warm(app: Flask, pause: Callable[[], None]) -> None:
    """Render every card on the board for each of ``SCREENS`` in each language (the default
    one first), ``CHUNK`` cards at a time, calling ``pause`` after each chunk (under gevent, it
    lets the requests waiting run). What is kept already is not rendered again."""
    first = app.config["BABEL_DEFAULT_LOCALE"]
    for locale in sorted(app.config["LANGUAGES"], key=lambda code: code != first):
        for view, redact in SCREENS:
            with app.test_request_context(), force_locale(locale):
                cards = [card for column in queries.board_cards().values() for card in column]
            for start in range(0, len(cards), CHUNK):
                # A clean request context, as the push renders in: a card is nobody's.
                with app.test_request_context(), force_locale(locale):
                    cards_html({"": cards[start:start + CHUNK]}, view, redact)
                pause()


def clear() -> None:
    """Forget every card (the benchmark times a cold page with it)."""
    _cards().clear()


# --- across a restart ---------------------------------------------------------------------------

#: Today's cards, kept in the instance folder while the server is stopped (``keep``, ``reload``).
KEPT_FILE = "cards-kept.json"


def _fingerprint(app: Flask) -> str:
    """What a card's HTML depends on besides its key: the code, the templates, the translations,
    the settings (the database's address among them). Cards kept under another are not taken."""
    digest = hashlib.sha256()
    package, templates = Path(app.root_path), Path(app.template_folder or "")
    for path in sorted([*package.rglob("*.py"), *package.rglob("*.mo"),
                        *templates.rglob("*.html")]):
        digest.update(path.name.encode() + path.read_bytes())
    settings = sorted((key, repr(value)) for key, value in app.config.items()
                      if isinstance(value, str | int | float | bool | list | tuple | dict | None))
    digest.update(repr(settings).encode())
    return digest.hexdigest()


def keep(app: Flask) -> None:
    """Write today's cards to the instance folder (the server is stopping), with what they were
    rendered under: the next start takes them if nothing of it changed (``reload``)."""
    day = today()
    path = Path(app.instance_path, KEPT_FILE)
    temporary = path.with_suffix(f".{os.getpid()}")
    try:
        with app.app_context():
            kept = [[*key[:8], key[9], html] for key, html in _cards().items() if key[8] == day]
            state = {"fingerprint": _fingerprint(app), "day": day.isoformat(),
                     "revision": queries.board_revision(), "cards": kept}
        temporary.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, path)
    except Exception:  # the database away, the disk full: the next start renders them
        app.logger.exception("Keeping the cards for the next start")
        temporary.unlink(missing_ok=True)


def reload(app: Flask) -> int:
    """Take the cards a stopped server kept (``keep``), if they were rendered today, by this
    code with these settings, and the board has not changed since (then they are what would be
    rendered now; each process of several takes them). Returns how many were taken: after a
    restart, the screens that reload at once find them, rather than each rendering thousands."""
    try:
        state = json.loads(Path(app.instance_path, KEPT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0
    with app.app_context():
        if not isinstance(state, dict) or state.get("day") != today().isoformat() \
                or state.get("fingerprint") != _fingerprint(app) \
                or state.get("revision") != queries.board_revision():
            return 0
        day, cards = today(), _cards()
        for *key, redact, html in state["cards"][:LIMIT]:
            cards[(*key, day, redact)] = Markup(html)
        return len(cards)
