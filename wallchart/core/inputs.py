"""What a request may carry: ids, whole numbers and text that the database can hold, and JSON of
a sane depth.

Said once here, so that no input reaches the database (or a page) as something it cannot take —
which would answer 500 instead of telling the person what to correct:

- every ``<int:...>`` in a URL is bounded to the database's integer range (``BoundedInt``);
- every JSON body of the API is read by ``json_object``, which refuses nesting deeper than
  ``JSON_DEPTH_MAX``, integers beyond the database's range, non-finite numbers and text that
  cannot be stored;
- every form field and query argument is checked for text that cannot be stored
  (``refuse_unstorable_fields``, before any view runs);
- ``whole_number`` parses a whole number typed in a form, within that range;
- ``iso_date`` reads a date, written ``YYYY-MM-DD`` in forms, query arguments and JSON alike.
"""

from __future__ import annotations

import json
import math
import re
from datetime import date
from typing import Any

from flask import Flask, request
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

from wallchart.core.errors import Invalid

#: The largest integer every integer column holds: PostgreSQL's INTEGER (what ``Mapped[int]``
#: becomes there, primary keys included) is 32-bit signed; SQLite's would take 64 bits.
INT_MAX = 2**31 - 1
INT_MIN = -(2**31)
#: No request of ours nests deeper than a few levels (``stage_dates`` is the deepest, at 2).
JSON_DEPTH_MAX = 16


def _digits_at_most(largest: int) -> str:
    """A regular expression for the decimal numbers from 0 to ``largest``."""
    digits = str(largest)
    options = [rf"\d{{1,{len(digits) - 1}}}"] if len(digits) > 1 else []
    for i, digit in enumerate(digits):
        if digit != "0":
            options.append(rf"{digits[:i]}[0-{int(digit) - 1}]\d{{{len(digits) - i - 1}}}")
    return "(?:" + "|".join([*options, digits]) + ")"


class BoundedInt(IntegerConverter):
    """``<int:...>`` in a URL: an id beyond what the database holds matches no route (404).

    Bounded by its pattern, not only by ``max``: a value that matches a rule's pattern but fails
    its converter makes Werkzeug answer 405 when the same path takes another method."""

    regex = _digits_at_most(INT_MAX)

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None,  # noqa: A002
                 max: int = INT_MAX, signed: bool = False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits, min, max, signed)


def unstorable(text: str) -> bool:
    """Text the database refuses or that cannot be sent back as UTF-8: a NUL (PostgreSQL's
    text cannot hold one) or an unpaired surrogate (JSON may carry ``"\\ud800"``)."""
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def unstorable_message() -> str:
    return _("This text holds a character that cannot be saved (a NUL or an unpaired "
             "surrogate).")


def whole_number(text: str, largest: int = INT_MAX) -> int | None:
    """The digits of ``text`` (surrounding spaces allowed) as an int of 0 to ``largest``;
    ``None`` for anything else."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(largest)):
        return None
    number = int(text)
    return number if number <= largest else None


def typed_number(value: str) -> int | str:
    """A whole number as people type it in a form ("12,000", "12，000"; "-5" too, for the
    service to say it cannot be negative), else the text unchanged, for the service to name."""
    digits = value.replace(",", "").replace("，", "").replace(" ", "")
    return int(digits) if digits.removeprefix("-").isdecimal() else value


def number_or_text(text: str) -> int | str:
    """A form's whole number (a version) as an int, else the text as typed, for the service to
    refuse in its own words."""
    number = whole_number(text)
    return text if number is None else number


#: How a request writes a date.
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def iso_date(text: str) -> date | None:
    """``text`` (blanks around it allowed) as a ``YYYY-MM-DD`` date; ``None`` for any other
    text, or a day the calendar lacks (2026-02-30). Checking its range is the caller's."""
    text = text.strip()
    if not ISO_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def _where(path: tuple[str, ...]) -> str:
    return ".".join(path) or "body"


def _check(data: Any) -> None:
    """Walk the parsed body (without recursion: depth is what is being checked)."""
    pending: list[tuple[Any, tuple[str, ...], int]] = [(data, (), 1)]
    while pending:
        value, path, depth = pending.pop()
        if isinstance(value, dict | list):
            if depth > JSON_DEPTH_MAX:
                raise Invalid(_("The request body is nested too deeply."))
            items = value.items() if isinstance(value, dict) else \
                ((str(i), item) for i, item in enumerate(value))
            for key, item in items:
                if unstorable(key):
                    raise Invalid(unstorable_message(), {_where(path): unstorable_message()})
                pending.append((item, (*path, key), depth + 1))
        elif isinstance(value, str) and unstorable(value):
            raise Invalid(unstorable_message(), {_where(path): unstorable_message()})
        elif isinstance(value, int) and not isinstance(value, bool) \
                and not INT_MIN <= value <= INT_MAX:
            message = _("Enter a whole number between %(low)s and %(high)s.",
                        low=f"{INT_MIN:,}", high=f"{INT_MAX:,}")
            raise Invalid(message, {_where(path): message})
        elif isinstance(value, float) and not math.isfinite(value):
            message = _("Enter a finite number.")
            raise Invalid(message, {_where(path): message})


def json_object(required: bool = True) -> dict[str, Any]:
    """The request's JSON object, checked by ``_check``; without a body, ``{}`` unless one is
    ``required``. Anything else is refused (422) before a service sees it."""
    raw = request.get_data(cache=True) if request.is_json else b""
    if not raw and not required:
        return {}
    data: Any = None
    if raw:
        try:
            data = json.loads(raw, parse_constant=_refuse_constant)
        except RecursionError:
            raise Invalid(_("The request body is nested too deeply.")) from None
        except ValueError:  # not JSON, not UTF-8, or a number of over 4,300 digits
            data = None
    if not isinstance(data, dict):
        raise Invalid(_("Send a JSON object in the request body."))
    _check(data)
    return data


def refuse_unstorable_fields() -> None:
    """Every form field and query argument (names too) must be text the database can hold."""
    for source in (request.args, request.form):
        for key, values in source.lists():
            if unstorable(key) or any(unstorable(value) for value in values):
                field = "" if unstorable(key) else key
                raise Invalid(unstorable_message(), {field: unstorable_message()})


def init_app(app: Flask) -> None:
    """Before any blueprint adds a route: ids in URLs and fields of every request bounded."""
    app.url_map.converters["int"] = BoundedInt
    app.before_request(refuse_unstorable_fields)
