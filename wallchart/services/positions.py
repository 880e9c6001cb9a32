"""Sparse positions within a column: a move rewrites the moved row only.

Each card has a float ``rank``; the board orders a column by (rank, id). A card dropped between
two others takes the midpoint of their ranks. Only when floats run out of room between two
neighbours (after about fifty halvings in one spot) is the column renumbered.
"""

from __future__ import annotations

from sqlalchemy import BindParameter, bindparam, func, select, update

from wallchart.core.models import Project
from wallchart.extensions import db

STEP = 1024.0


def _on_board(stage: str | BindParameter[str]):
    """The cards of a column."""
    return (Project.on_board, Project.stage == stage)


def _column(stage: str, exclude_id: int | None):
    query = select(Project.rank).where(*_on_board(stage))
    if exclude_id is not None:
        query = query.where(Project.id != exclude_id)
    return query


def rank_for(stage: str, index: int | None, exclude_id: int | None = None) -> float:
    """The rank that puts a card at ``index`` (0-based) among the other cards of ``stage``.

    ``None`` or an index past the end means the bottom of the column.
    """
    if index is None or index < 0:
        index = None
    if index is not None:
        others = _column(stage, exclude_id).order_by(Project.rank, Project.id)
        start = max(index - 1, 0)
        neighbours = db.session.execute(others.offset(start).limit(2)).scalars().all()
        if index == 0:
            return neighbours[0] - STEP if neighbours else STEP
        if len(neighbours) == 2:
            low, high = neighbours
            middle = (low + high) / 2
            if low < middle < high:
                return middle
            _renumber(stage, exclude_id)
            return rank_for(stage, index, exclude_id)
    # On the session's connection: a maximum needs none of the ORM's work around a query.
    last = db.session.connection().execute(
        _BOTTOM, {"stage": stage, "exclude_id": exclude_id or 0}).scalar()
    return (last or 0.0) + STEP


#: The lowest card's rank in a column (but a card's own), built once: a card added at the
#: bottom, thousands of times in an import, asks for it.
_BOTTOM = select(func.max(Project.rank)).where(
    *_on_board(bindparam("stage")), Project.id != bindparam("exclude_id"))


def _renumber(stage: str, exclude_id: int | None) -> None:
    ids = db.session.execute(
        select(Project.id)
        .where(*_on_board(stage), Project.id != (exclude_id or 0))
        .order_by(Project.rank, Project.id)
    ).scalars().all()
    for number, project_id in enumerate(ids, start=1):
        db.session.execute(
            update(Project)
            .where(Project.id == project_id)
            .values(rank=number * STEP)
            .execution_options(synchronize_session=False)
        )
