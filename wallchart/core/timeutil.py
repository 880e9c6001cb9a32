"""Time as the bureau reads it: stored in UTC, shown and dated in Asia/Shanghai."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def today() -> date:
    """Today's date in Shanghai: the date a project enters a stage."""
    return datetime.now(SHANGHAI).date()


def iso_utc(moment: datetime) -> str:
    """An ISO 8601 string with an explicit UTC offset, for JSON and data attributes."""
    return moment.replace(tzinfo=UTC).isoformat()
