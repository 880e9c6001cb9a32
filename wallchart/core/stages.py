"""The order of the stages, said once: whatever asks which stage comes before another asks here.

The stages and their labels are ``vocabulary.STAGES``, first to last; the board's columns, the
stage dates, the gates, the weekly report's "moved forward" and the panel read the order through
these names (templates too: ``stages_reached``, ``stages_between``).
"""

from __future__ import annotations

from wallchart.core.vocabulary import STAGES

#: The stage keys, first to last.
STAGE_ORDER: tuple[str, ...] = tuple(STAGES)
_INDEX = {stage: index for index, stage in enumerate(STAGE_ORDER)}


def stage_index(stage: str) -> int:
    """The place of ``stage`` in the order, 0 for the first."""
    return _INDEX[stage]


def stages_before(stage: str) -> tuple[str, ...]:
    """The stages a project passes before ``stage``."""
    return STAGE_ORDER[:_INDEX[stage]]


def stages_reached(stage: str) -> tuple[str, ...]:
    """The stages a project in ``stage`` has entered: those before it and itself."""
    return STAGE_ORDER[:_INDEX[stage] + 1]


def stages_between(start: str, end: str) -> tuple[str, ...]:
    """The stages a move from ``start`` to ``end`` skips (none for a move back or to the next)."""
    return STAGE_ORDER[_INDEX[start] + 1:_INDEX[end]]


def is_forward(from_stage: str, to_stage: str) -> bool:
    """A move to a later stage (a move back, or within a column, is not)."""
    return _INDEX[to_stage] > _INDEX[from_stage]
