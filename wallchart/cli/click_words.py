"""Click's own words, in the command line's language: the usage errors an operator meets.

Click writes its usage errors ("Usage: …", "Error: Missing argument 'NAME'.", "Try '… --help' for
help.") through the standard library's ``gettext.gettext`` and ``ngettext``: the default domain,
``messages``, in the language that the ``LANGUAGE`` variable names first. Our catalog has that
domain's name, so it holds Click's messages too (those listed below, written exactly as the
installed Click writes them: tests/cli/test_cli.py checks they are still Click's);
``speak`` binds the domain to our translations and names the command line's language.

The lists are here, marked as messages, so that ``pybabel extract`` keeps them in the catalog.
"""

from __future__ import annotations

import gettext
import os
from pathlib import Path

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


def _(message: str) -> str:
    """Marks a message for ``pybabel extract``; Click translates it."""
    return message


def ngettext(singular: str, plural: str, count: int) -> tuple[str, str]:
    """Marks a message with its plural for ``pybabel extract``; Click translates it."""
    return singular, plural


#: Click's messages that we translate (click/core.py, exceptions.py, parser.py, types.py, termui.py,
#: formatting.py).
MESSAGES = (
    _("Usage:"),
    _("Error: {message}"),
    _("Try '{command} {option}' for help."),
    _("Missing argument"),
    _("Missing option"),
    _("Missing parameter"),
    _("Missing command."),
    _("No such option {name!r}."),
    _("No such command {name!r}."),
    _("Invalid value: {message}"),
    _("Invalid value for {param_hint}: {message}"),
    _("{value!r} is not a valid {number_type}."),
    _("Option {name!r} does not take a value."),
    _("Error: The two entered values do not match."),
    _("Aborted!"),
)

PLURAL_MESSAGES = (
    ngettext("{value!r} is not {choice}.", "{value!r} is not one of {choices}.", 2),
    ngettext("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)", 2),
    ngettext("Got unexpected extra argument ({args})",
             "Got unexpected extra arguments ({args})", 2),
    ngettext("Option {name!r} requires an argument.",
             "Option {name!r} requires {nargs} arguments.", 2),
)


def speak(language: str) -> None:
    """Have Click write its messages in ``language`` in this process (a command's process).

    The standard library reads the language from the environment at each message, ``LANGUAGE``
    first: setting it is how a program names the language of its messages whatever the locale
    (so ``LANG=C`` still gets Chinese, the interface's default, as our own messages do)."""
    os.environ["LANGUAGE"] = language
    gettext.bindtextdomain("messages", str(TRANSLATIONS))
