"""Files a page offers to download: the scheduling report, the blocker list, the workload."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response

from wallchart.reports.indicators import Period

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Werkzeug adds ``; charset=utf-8`` to a text type itself: naming it here too said it twice.
CSV = "text/csv"


def attachment(body: bytes, ascii_name: str, name: str, mimetype: str) -> Response:
    """The file as a download; the header carries its name in ASCII and, for browsers that read
    it (RFC 6266/5987), in the reader's language."""
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}")
    return response


def period_attachment(body: bytes, period: Period, ascii_stem: str, title: str,
                      extension: str, mimetype: str) -> Response:
    """A report's file, named after the report and its period's dates."""
    dates = f"{period.start.isoformat()}_{period.end.isoformat()}"
    return attachment(body, f"{ascii_stem}_{dates}.{extension}", f"{title}_{dates}.{extension}",
                      mimetype)
