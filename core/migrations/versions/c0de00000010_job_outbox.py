"""job outbox: jobs queued in a transaction wait in job_outbox until it
commits and a relay hands them to the queue (Redis or SQLite), so a job is
neither lost while Redis is down nor queued by a rolled-back write

Revision ID: c0de00000010
Revises: c0de00000009
Create Date: 2026-12-05 06:40:00
"""
from alembic import op
import sqlalchemy as sa
import core.models.base


revision = 'c0de00000010'
down_revision = 'c0de00000009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_outbox',
    sa.Column('code', sa.String(length=100), nullable=False),
    sa.Column('kwargs', sa.JSON(), nullable=False),
    sa.Column('meta', sa.JSON(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('next_attempt_at', core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('leased_until', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('leased_by', sa.String(length=32), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_outbox'))
    )
    with op.batch_alter_table('job_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_outbox_leased_by'), ['leased_by'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_outbox_next_attempt_at'), ['next_attempt_at'], unique=False)


def downgrade():
    with op.batch_alter_table('job_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_outbox_next_attempt_at'))
        batch_op.drop_index(batch_op.f('ix_job_outbox_leased_by'))
    op.drop_table('job_outbox')
