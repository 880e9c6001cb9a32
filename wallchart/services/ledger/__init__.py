"""A county's ledger (台账) read into rows: the first half of the import (issue 12).

Every county keeps its projects in a spreadsheet of its own shape: a title row or two above the
header (merged cells), a 合计 row at the bottom, amounts in 万元 or 亿元, dates and stages and yeses
written as people write them. This package reads such a file, finds its header row, guesses
which field each column holds, and parses every data row into the record's values, with an error
for each cell it cannot read. It writes nothing: the import service validates the rows by the
record's rules and writes them; the page, the command and the API show what it found.

- ``read_ledger(file, mapping=None)`` does it all and returns a ``Ledger`` (rows.py);
- ``load_sheet`` (files.py: the file, its header found) and ``parse_sheet`` (rows.py) are its two
  halves: read the file once, parse it again with the mapping a person corrected;
- ``guess_mapping`` names each header's field, and ``LEDGER_FIELDS`` is the vocabulary a person
  may choose from, with labels (headers.py); cells.py reads each cell's value.

A file that cannot be read raises ``UnreadableLedger`` (an ``Invalid``: its message is for the
person, in their language; ``reason`` names the fault for scripts). Nothing else escapes.
"""

from wallchart.services.ledger.files import (
    HEADER_SEARCH_ROWS,
    LEDGER_MAX_BYTES,
    LEDGER_MAX_ROWS,
    Sheet,
    UnreadableLedger,
    load_sheet,
)
from wallchart.services.ledger.headers import LEDGER_FIELDS, Column, guess_mapping
from wallchart.services.ledger.rows import CellError, Ledger, LedgerRow, parse_sheet, read_ledger

__all__ = [
    "HEADER_SEARCH_ROWS", "LEDGER_FIELDS", "LEDGER_MAX_BYTES", "LEDGER_MAX_ROWS", "CellError",
    "Column", "Ledger", "LedgerRow", "Sheet", "UnreadableLedger", "guess_mapping", "load_sheet",
    "parse_sheet", "read_ledger",
]
