"""Repair text that no page can show: lone UTF-16 surrogates stored inside JSON columns.

Before input checks refused them, a note such as ``{"text": "\\ud800"}`` was stored (JSON
escapes it), and from then on every page that rendered it answered 500 for everyone. Such a
character becomes U+FFFD (the replacement character); a proper surrogate pair is kept.
Text columns could never hold one: the drivers refuse to encode it.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None
DROPPED_BY_DOWNGRADE = "nothing: repaired text stays repaired (the backup taken before has it)"

#: (table, JSON column) pairs that hold people's text.
JSON_COLUMNS = (("project_event", "changes"), ("audit_entry", "details"),
                ("display_token", "views"))


def repaired(value):
    """``value`` with every lone surrogate in its strings (keys included) replaced."""
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, list):
        return [repaired(item) for item in value]
    if isinstance(value, dict):
        return {repaired(key): repaired(item) for key, item in value.items()}
    return value


def upgrade():
    connection = op.get_bind()
    for table_name, column_name in JSON_COLUMNS:
        table = sa.table(table_name, sa.column("id", sa.Integer), sa.column(column_name, sa.JSON))
        column = table.c[column_name]
        # JSON writes a surrogate as an escape; only rows with an escape can need repair.
        suspects = connection.execute(sa.select(table.c.id, column).where(
            sa.cast(column, sa.Text).like("%\\u%", escape="!")))
        for row_id, value in suspects.all():
            fixed = repaired(value)
            if fixed != value:
                connection.execute(table.update().where(table.c.id == row_id)
                                   .values({column_name: fixed}))


def downgrade():
    pass
