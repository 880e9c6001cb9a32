"""An index on the history's time, newest last (``at``, ``id``): the wall's ticker and the
latest moves are read from the newest end of the history on every burst of changes, and
without it each read sorted the whole history, which only grows.

Nothing held changes: an index only.

Revision ID: 0015
Revises: 0014
"""
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None
DROPPED_BY_DOWNGRADE = "index ix_project_event_at (no data: the history is kept whole)"


def upgrade():
    with op.batch_alter_table("project_event", schema=None) as batch_op:
        batch_op.create_index("ix_project_event_at", ["at", "id"])


def downgrade():
    with op.batch_alter_table("project_event", schema=None) as batch_op:
        batch_op.drop_index("ix_project_event_at")
