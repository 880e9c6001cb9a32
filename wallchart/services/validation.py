"""The checks every service applies to what a request sends, said once: text as a person typed
it, fields nobody may set this way, and the one refusal that gathers every fault.

Each checker writes its refusal into ``errors`` (field to message) and returns the cleaned
value, so that a form shows every fault at once; ``refuse_if`` then raises them as one
``Invalid`` (422). Dates are read by ``core.inputs.iso_date``, which the reports share.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from flask_babel import gettext as _

from wallchart.core.errors import Invalid
from wallchart.core.inputs import unstorable, unstorable_message


def clean_text(value: Any, field: str, errors: dict[str, str], *, limit: int,
               required: bool = False, lines: bool = False) -> str:
    """Text as a person typed it, blanks around it trimmed (``None`` is empty): with ``lines``,
    line breaks are kept (as ``\\n``); any other control character is refused (it would not
    print, or mislead), as is text the database cannot hold."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[field] = _("Enter text.")
        return ""
    if lines:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.strip()
    if required and not value:
        errors[field] = _("This field is required.")
    elif len(value) > limit:
        errors[field] = _("At most %(n)d characters.", n=limit)
    elif any(unicodedata.category(ch) == "Cc" and not (lines and ch == "\n") for ch in value):
        errors[field] = (_("Only text and line breaks are allowed here.") if lines
                         else _("Line breaks and control characters are not allowed here."))
    elif unstorable(value):
        errors[field] = unstorable_message()
    return value


#: The longest reason a correction or a removal gives, for the history to keep.
REASON_MAX = 1000


def required_reason(reason: Any) -> str:
    """Why a lead corrects or removes something (a receipt, a document, a verification):
    required, as the history keeps it."""
    errors: dict[str, str] = {}
    if reason is None or (isinstance(reason, str) and not reason.strip()):
        errors["reason"] = _("Say why.")
    reason = clean_text(reason, "reason", errors, limit=REASON_MAX, lines=True)
    refuse_if(errors)
    return reason


def refuse_unknown(data: dict[str, Any], allowed: set[str]) -> None:
    """Refuse fields nobody may set this way (``role``, ``id``...) rather than drop them quietly."""
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise Invalid(_("Unknown fields: %(names)s", names=", ".join(unknown)),
                      {name: _("Unknown field.") for name in unknown})


def refuse_if(errors: dict[str, str]) -> None:
    """Refuse the request when any check wrote a fault, naming each at its field."""
    if errors:
        raise Invalid(_("Please correct the marked fields."), errors)
