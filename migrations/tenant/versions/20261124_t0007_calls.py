"""Calls for entries: units on offer, a deadline, weighted criteria, a jury that scores.

Revision ID: t0007
Revises: t0006
Create Date: 2026-11-24

A tenant migration: never name a schema here. An application joins a call
through ``call_entries`` (not a column on ``applications``: SQLite could not
drop such a column with its key again).
"""
from alembic import op
import sqlalchemy as sa

revision = "t0007"
down_revision = "t0006"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime(timezone=True)


def upgrade():
    op.create_table('calls',
    sa.Column('id', BigId, nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('eligibility', sa.Text(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('unit_ids', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', Timestamp, nullable=False),
    sa.PrimaryKeyConstraint('id', name='pk_calls')
    )
    op.create_table('call_criteria',
    sa.Column('id', BigId, nullable=False),
    sa.Column('call_id', BigId, nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name='fk_call_criteria_call_id_calls', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name='pk_call_criteria')
    )
    op.create_table('jury_members',
    sa.Column('id', BigId, nullable=False),
    sa.Column('call_id', BigId, nullable=False),
    sa.Column('user_id', BigId, nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name='fk_jury_members_call_id_calls', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name='fk_jury_members_user_id_users', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name='pk_jury_members'),
    sa.UniqueConstraint('call_id', 'user_id', name='uq_jury_members_call_user')
    )
    op.create_table('call_entries',
    sa.Column('id', BigId, nullable=False),
    sa.Column('call_id', BigId, nullable=False),
    sa.Column('application_id', BigId, nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name='fk_call_entries_application_id_applications', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name='fk_call_entries_call_id_calls', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name='pk_call_entries'),
    sa.UniqueConstraint('application_id', name='uq_call_entries_application_id')
    )
    op.create_table('jury_scores',
    sa.Column('id', BigId, nullable=False),
    sa.Column('application_id', BigId, nullable=False),
    sa.Column('criterion_id', BigId, nullable=False),
    sa.Column('user_id', BigId, nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('updated_at', Timestamp, nullable=False),
    sa.CheckConstraint('score BETWEEN 0 AND 10', name='ck_jury_scores_score'),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name='fk_jury_scores_application_id_applications', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['criterion_id'], ['call_criteria.id'], name='fk_jury_scores_criterion_id_call_criteria', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name='fk_jury_scores_user_id_users', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name='pk_jury_scores'),
    sa.UniqueConstraint('application_id', 'criterion_id', 'user_id', name='uq_jury_scores_one')
    )


def downgrade():
    op.drop_table('jury_scores')
    op.drop_table('call_entries')
    op.drop_table('jury_members')
    op.drop_table('call_criteria')
    op.drop_table('calls')
