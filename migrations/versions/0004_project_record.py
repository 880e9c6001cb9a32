"""The project record (origin, Three-500, channel, foreign capital, stage dates, next step,
withdrawal), blockers, county targets, and display profiles and rotations.

Existing rows get neutral values; each project's current stage takes its stage_entered_at as its
own date, so the indicators count the history that is known.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

#: What the downgrade destroys (env.py logs it, after a backup).
DROPPED_BY_DOWNGRADE = (
    "tables blocker, county_target; display_token.profile, views, rotate_seconds (every "
    "display becomes a lobby display again on the way up); project's record columns, with "
    "the confidential flags, withdrawals, stage dates and next steps"
)

STAGES = ("contact", "negotiating", "signed", "started", "producing")

def upgrade():
    op.create_table('county_target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('signed_count', sa.Integer(), nullable=False),
    sa.Column('signed_investment_wan', sa.Integer(), nullable=False),
    sa.Column('started_count', sa.Integer(), nullable=False),
    sa.Column('foreign_capital_usd_wan', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['county_id'], ['county.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('county_id', 'year')
    )
    op.create_table('blocker',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('department', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('raised_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('resolution', sa.Text(), nullable=False),
    sa.Column('resolved_on', sa.Date(), nullable=True),
    sa.Column('raised_by_id', sa.Integer(), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.ForeignKeyConstraint(['raised_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('blocker', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_blocker_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_blocker_status'), ['status'], unique=False)

    with op.batch_alter_table('display_token', schema=None) as batch_op:
        # A display that had no profile is a lobby display: nothing confidential on an unknown
        # screen (also after a step down and up again, which drops the column).
        batch_op.add_column(sa.Column('profile', sa.String(length=16), nullable=False, server_default="lobby"))
        batch_op.add_column(sa.Column('views', sa.JSON(), nullable=False, server_default='["board"]'))
        batch_op.add_column(sa.Column('rotate_seconds', sa.Integer(), nullable=False, server_default="60"))

    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin', sa.String(length=64), nullable=False, server_default=""))
        batch_op.add_column(sa.Column('foreign_invested', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('three500', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('enterprise_type', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('industry_chain', sa.String(length=64), nullable=False, server_default=""))
        batch_op.add_column(sa.Column('source_channel', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('source_detail', sa.String(length=100), nullable=False, server_default=""))
        batch_op.add_column(sa.Column('foreign_capital_usd_wan', sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column('new_trade_entity', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('contact_person', sa.String(length=64), nullable=False, server_default=""))
        batch_op.add_column(sa.Column('contact_phone', sa.String(length=32), nullable=False, server_default=""))
        batch_op.add_column(sa.Column('land_mu', sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column('description', sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column('confidential', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('contact_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('negotiating_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('signed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('started_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('producing_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('planned_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('next_step', sa.String(length=200), nullable=False, server_default=""))
        batch_op.add_column(sa.Column('next_step_due', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('next_step_owner_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('status', sa.String(length=16), nullable=False, server_default="active"))
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_reason', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_comment', sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column('last_note_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('open_blockers', sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column('blocker_due', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_project_signed_on'), ['signed_on'], unique=False)
        batch_op.create_foreign_key('fk_project_next_step_owner_id_user', 'user',
                                    ['next_step_owner_id'], ['id'])

    project = sa.table("project", sa.column("stage", sa.String),
                       sa.column("stage_entered_at", sa.Date),
                       *(sa.column(f"{stage}_on", sa.Date) for stage in STAGES))
    for stage in STAGES:
        op.execute(project.update().where(project.c.stage == stage)
                   .values({f"{stage}_on": project.c.stage_entered_at}))


def downgrade():
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_constraint('fk_project_next_step_owner_id_user', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_project_signed_on'))
        batch_op.drop_column('blocker_due')
        batch_op.drop_column('open_blockers')
        batch_op.drop_column('last_note_on')
        batch_op.drop_column('withdrawn_comment')
        batch_op.drop_column('withdrawn_reason')
        batch_op.drop_column('withdrawn_at')
        batch_op.drop_column('status')
        batch_op.drop_column('next_step_owner_id')
        batch_op.drop_column('next_step_due')
        batch_op.drop_column('next_step')
        batch_op.drop_column('planned_on')
        batch_op.drop_column('producing_on')
        batch_op.drop_column('started_on')
        batch_op.drop_column('signed_on')
        batch_op.drop_column('negotiating_on')
        batch_op.drop_column('contact_on')
        batch_op.drop_column('confidential')
        batch_op.drop_column('description')
        batch_op.drop_column('land_mu')
        batch_op.drop_column('contact_phone')
        batch_op.drop_column('contact_person')
        batch_op.drop_column('new_trade_entity')
        batch_op.drop_column('foreign_capital_usd_wan')
        batch_op.drop_column('source_detail')
        batch_op.drop_column('source_channel')
        batch_op.drop_column('industry_chain')
        batch_op.drop_column('enterprise_type')
        batch_op.drop_column('three500')
        batch_op.drop_column('foreign_invested')
        batch_op.drop_column('origin')

    with op.batch_alter_table('display_token', schema=None) as batch_op:
        batch_op.drop_column('rotate_seconds')
        batch_op.drop_column('views')
        batch_op.drop_column('profile')

    with op.batch_alter_table('blocker', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_blocker_status'))
        batch_op.drop_index(batch_op.f('ix_blocker_project_id'))

    op.drop_table('blocker')
    op.drop_table('county_target')
