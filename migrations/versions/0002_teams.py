"""Teams (工作专班): every project belongs to one; people belong to several.

Existing projects move to one team, 默认专班, whose members are all existing users, so that
nobody loses access to a project on upgrade. Leads then split it up.

Revision ID: 0002
Revises: ceab376b2b30
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "ceab376b2b30"
branch_labels = None
depends_on = None

#: What the downgrade destroys (env.py logs it, after a backup).
DROPPED_BY_DOWNGRADE = "tables team, team_member; column project.team_id"

DEFAULT_TEAM = "默认专班"


def upgrade():
    op.create_table(
        "team",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["user.id"], name="fk_team_lead_id_user"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", name="uq_team_name"),
    )
    op.create_table(
        "team_member",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name="fk_team_member_team_id_team"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name="fk_team_member_user_id_user"),
        sa.PrimaryKeyConstraint("team_id", "user_id"),
    )
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.add_column(sa.Column("team_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_project_team_id", ["team_id"], unique=False)
        batch_op.create_foreign_key("fk_project_team_id_team", "team", ["team_id"], ["id"])

    connection = op.get_bind()
    if connection.execute(sa.text("SELECT count(*) FROM project")).scalar():
        connection.execute(sa.text("INSERT INTO team (name, created_at) "
                                   "VALUES (:name, CURRENT_TIMESTAMP)"), {"name": DEFAULT_TEAM})
        team_id = connection.execute(sa.text("SELECT id FROM team WHERE name = :name"),
                                     {"name": DEFAULT_TEAM}).scalar()
        connection.execute(sa.text("INSERT INTO team_member (team_id, user_id) "
                                   "SELECT :team, id FROM \"user\""), {"team": team_id})
        connection.execute(sa.text("UPDATE project SET team_id = :team"), {"team": team_id})


def downgrade():
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_constraint("fk_project_team_id_team", type_="foreignkey")
        batch_op.drop_index("ix_project_team_id")
        batch_op.drop_column("team_id")
    op.drop_table("team_member")
    op.drop_table("team")
