"""Filters and search (筛选) on the board and the wall: what a screen shows, kept in its URL.

``parse`` reads the query string into a ``BoardFilter`` and refuses an unknown value with a
message (400) rather than showing a board that silently ignores part of what was asked.
``BoardFilter.conditions`` is the filter in SQL, for the one query of ``queries.board_columns``.

The query string is read here and nowhere else, one way whatever its shape: every value of a
parameter counts, empty ones are dropped (a form sends them), padding is stripped, equal values
count once; a parameter that takes one value (all but ``county`` and ``stage``) given two
different ones is refused. What a screen may filter by is then judged on the parsed filter
(``hidden_from_lobby``), never on the raw URL, so that no shape of the URL gets round it.

A live push renders a card once for every screen, so the browser decides whether a pushed card
matches its own screen's filter (``static/js/filters.js``, from the card's data attributes, with
``BoardFilter.client_rules``). The two must agree: change one, change the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.sql.elements import ColumnElement
from werkzeug.datastructures import MultiDict

from wallchart.core.early_warnings import colour_condition, colour_expression
from wallchart.core.errors import ServiceError
from wallchart.core.models import County, Project, Team, User
from wallchart.core.money import BILLION_WAN
from wallchart.core.timeutil import today
from wallchart.core.vocabulary import FIELD_LABELS, SECTORS, STAGES, THREE500
from wallchart.reads import card_cache, queries

if TYPE_CHECKING:
    from wallchart.reads.queries import BoardColumns, Card, FilterChoices

#: The longest search text: a name, an investor or a project code, never a paragraph.
MAX_SEARCH = 100
WARNING_CHOICES = ("any", "yellow", "red")

LABELS: dict[str, Any] = {
    "county": FIELD_LABELS["county"],
    "sector": FIELD_LABELS["sector"],
    "owner": FIELD_LABELS["owner"],
    "team": FIELD_LABELS["team"],
    "stage": _l("Stage"),
    "three500": _l("Three-500 list"),
    "billion": _l("≥1 billion yuan"),
    "foreign": _l("Foreign-invested only"),
    "warning": _l("Early warning"),
    "blockers": _l("With open blockers"),
    "q": _l("Search"),
}
#: Every filter parameter of the query string.
PARAMETERS = tuple(LABELS)
#: The parameters a lobby screen may filter by: those that read only what its cards show of
#: every project. The others (amount, Three-500 list, and the search, which reads the
#: investor) would keep or drop a confidential card by what the lobby must not learn. A new
#: parameter is refused on a lobby until it is named here.
LOBBY_PARAMETERS = frozenset({"county", "sector", "owner", "team", "stage", "foreign",
                              "warning", "blockers"})
LOBBY_REFUSAL = _l("A lobby screen cannot filter by amount, Three-500 or investor: they would "
                   "reveal confidential projects.")


class BadFilter(ServiceError):
    """A filter value the board does not know; ``parameter`` names the filter (and ``fields``
    says it at the parameter, as the API answers a refusal)."""

    status = 400

    def __init__(self, message: str, parameter: str) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.fields = {parameter: message}


@dataclass(frozen=True)
class BoardFilter:
    """A screen's filter; empty fields filter nothing. ``owner`` is a username (``me`` already
    resolved; ``owner_is_me`` remembers it so that the filter bar shows "me")."""

    counties: tuple[str, ...] = ()
    sector: str = ""
    owner: str = ""
    owner_is_me: bool = field(default=False, compare=False)
    team: str = ""
    stages: tuple[str, ...] = ()
    three500: str = ""        # "any" or a THREE500 key
    billion: bool = False
    foreign: bool = False
    warning: str = ""         # "any", "yellow" or "red"
    blockers: bool = False
    q: str = ""

    @property
    def active(self) -> bool:
        return self != BoardFilter()

    def parameters(self) -> tuple[str, ...]:
        """The parameters this filter uses, however its URL was shaped."""
        used = {"county": self.counties, "sector": self.sector, "owner": self.owner,
                "team": self.team, "stage": self.stages, "three500": self.three500,
                "billion": self.billion, "foreign": self.foreign, "warning": self.warning,
                "blockers": self.blockers, "q": self.q}
        return tuple(name for name in PARAMETERS if used[name])

    def shows(self, stage: str) -> bool:
        """Whether the screen shows this stage's column at all."""
        return not self.stages or stage in self.stages

    def conditions(self) -> list[ColumnElement]:
        """The filter in SQL: every condition must hold (an empty list filters nothing)."""
        rules: list[ColumnElement] = []
        if self.counties:
            rules.append(Project.county_id.in_(
                select(County.id).where(County.name.in_(self.counties))))
        if self.sector:
            rules.append(Project.sector == self.sector)
        if self.owner:
            rules.append(Project.owner_id == select(User.id)
                         .where(User.username == self.owner).scalar_subquery())
        if self.team:
            rules.append(Project.team_id == select(Team.id)
                         .where(Team.name == self.team).scalar_subquery())
        if self.stages:
            rules.append(Project.stage.in_(self.stages))
        if self.three500 == "any":
            rules.append(func.coalesce(Project.three500, "") != "")
        elif self.three500:
            rules.append(Project.three500 == self.three500)
        if self.billion:
            rules.append(Project.investment_wan >= BILLION_WAN)
        if self.foreign:
            rules.append(Project.foreign_invested.is_(True))
        if self.warning == "any":
            rules.append(colour_expression(today(), current_app.config).is_not(None))
        elif self.warning:
            rules.append(colour_condition(self.warning, today(), current_app.config))
        if self.blockers:
            rules.append(Project.open_blockers > 0)
        if self.q:
            # LIKE's own wildcards in the text are escaped: "50%" finds "50%", not "50…".
            rules.append(Project.name.icontains(self.q, autoescape=True)
                         | Project.investor.icontains(self.q, autoescape=True)
                         | Project.code.icontains(self.q, autoescape=True))
        return rules

    def client_rules(self) -> dict[str, Any]:
        """The filter as ``static/js/filters.js`` applies it to a card pushed live."""
        return {"counties": list(self.counties), "sector": self.sector, "owner": self.owner,
                "team": self.team, "stages": list(self.stages), "three500": self.three500,
                "billion": self.billion, "billionWan": BILLION_WAN, "foreign": self.foreign,
                "warning": self.warning, "blockers": self.blockers, "q": self.q}


def _values(args: MultiDict, name: str) -> list[str]:
    """The parameter's non-empty values, once each, in order (a form sends empty ones)."""
    return list(dict.fromkeys(value.strip() for value in args.getlist(name) if value.strip()))


def _unknown(name: str, value: str) -> BadFilter:
    return BadFilter(_("Unknown %(filter)s: “%(value)s”.", filter=LABELS[name], value=value),
                     name)


def _one(args: MultiDict, name: str, allowed) -> str:
    values = _values(args, name)
    if len(values) > 1:
        raise BadFilter(_("Choose only one %(filter)s.", filter=LABELS[name]), name)
    if values and values[0] not in allowed:
        raise _unknown(name, values[0])
    return values[0] if values else ""


def _switch(args: MultiDict, name: str) -> bool:
    """A checkbox: ``1`` or absent."""
    return _one(args, name, ("1",)) == "1"


def parse(args: MultiDict, choices: FilterChoices, me: str | None) -> BoardFilter:
    """The filter the query string asks for, every value checked against what exists.

    ``me`` is the signed-in person's username (``None`` on a wall display, where ``owner=me``
    means nobody and is refused).
    """
    counties = _values(args, "county")
    for name in counties:
        if name not in choices.counties:
            raise _unknown("county", name)
    stages = _values(args, "stage")
    for stage in stages:
        if stage not in STAGES:
            raise _unknown("stage", stage)
    owner = _one(args, "owner", {*choices.usernames, "me"})
    owner_is_me = owner == "me"
    if owner_is_me:
        if me is None:
            raise BadFilter(_("A wall display has no “me”: name the owner instead."), "owner")
        owner = me
    searched = _values(args, "q")
    if len(searched) > 1:
        raise BadFilter(_("Search for one text at a time."), "q")
    q = searched[0] if searched else ""
    if len(q) > MAX_SEARCH:
        raise BadFilter(ngettext("The search text is too long: at most %(num)d character.",
                                 "The search text is too long: at most %(num)d characters.",
                                 MAX_SEARCH), "q")
    return BoardFilter(
        counties=tuple(name for name in choices.counties if name in counties),
        sector=_one(args, "sector", SECTORS),
        owner=owner, owner_is_me=owner_is_me,
        team=_one(args, "team", choices.teams),
        stages=tuple(stage for stage in STAGES if stage in stages),
        three500=_one(args, "three500", ("any", *THREE500)),
        billion=_switch(args, "billion"),
        foreign=_switch(args, "foreign"),
        warning=_one(args, "warning", WARNING_CHOICES),
        blockers=_switch(args, "blockers"),
        q=q,
    )


@dataclass
class Screen:
    """What a board or wall screen shows: its filter and the columns, or why the filter was
    refused (then no columns at all, and status 400)."""

    board_filter: BoardFilter
    choices: FilterChoices
    revision: int
    columns: BoardColumns[Card] | None = None
    error: str | None = None

    @property
    def status(self) -> int:
        return 400 if self.error else 200

    def with_cards(self) -> Screen:
        """The screen with the cards its filter keeps (none if the filter was refused)."""
        if self.error is None and self.columns is None:
            self.columns = queries.board_cards(self.board_filter)
        return self

    def context(self, view: str, redact: bool = False) -> dict[str, Any]:
        """What the templates (``board.html``, ``wall.html``, the partials) read, for the
        ``board`` or the ``wall`` view; ``redact`` for a lobby wall."""
        return {"board_filter": self.board_filter, "filter_choices": self.choices,
                "columns": self.columns, "filter_error": self.error, "revision": self.revision,
                "view": view,
                "card_html": card_cache.cards_html(self.columns, view, redact)
                if self.columns is not None else {}}


def hidden_from_lobby(board_filter: BoardFilter) -> tuple[str, ...]:
    """The parameters of this filter that a lobby screen may not use (``LOBBY_PARAMETERS``)."""
    return tuple(name for name in board_filter.parameters() if name not in LOBBY_PARAMETERS)


def asked(args: MultiDict, me: str | None, lobby: bool = False) -> Screen:
    """The filter the query string asks for, parsed and judged (on a ``lobby`` screen, by
    ``hidden_from_lobby``): a screen without its cards yet, or refused (``with_cards``)."""
    choices = queries.filter_choices()
    revision = queries.board_revision(lobby)
    try:
        board_filter = parse(args, choices, me)
        if lobby and (hidden := hidden_from_lobby(board_filter)):
            raise BadFilter(str(LOBBY_REFUSAL), hidden[0])
    except BadFilter as error:
        return Screen(BoardFilter(), choices, revision, error=error.message)
    return Screen(board_filter, choices, revision)


def screen(args: MultiDict, me: str | None) -> Screen:
    """Parse the filter and read the board: a constant number of statements, whatever the
    filter and however many projects. The revision is read first: a change committed in
    between is then both in the columns and pushed again, never lost."""
    return asked(args, me).with_cards()
