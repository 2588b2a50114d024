"""job claims and worker heartbeats: a periodic job runs once per scheduled
slot across every process (job_claim), and /readyz sees whether a job worker
is alive (worker_heartbeat)

Revision ID: c0de00000009
Revises: c0de00000008
Create Date: 2026-12-05 04:00:00
"""
from alembic import op
import sqlalchemy as sa
import core.models.base


revision = 'c0de00000009'
down_revision = 'c0de00000008'
branch_labels = None
depends_on = None


def _timestamps():
    return [
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    ]


def upgrade():
    op.create_table('job_claim',
    sa.Column('code', sa.String(length=100), nullable=False),
    sa.Column('slot', core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_by', sa.String(length=200), nullable=False),
    *_timestamps(),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_claim')),
    sa.UniqueConstraint('code', 'slot', name=op.f('uq_job_claim_code_slot'))
    )
    op.create_table('worker_heartbeat',
    sa.Column('queue', sa.String(length=64), nullable=False),
    sa.Column('worker', sa.String(length=200), nullable=False),
    sa.Column('beat_at', core.models.base.UTCDateTime(timezone=True), nullable=False),
    *_timestamps(),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_worker_heartbeat')),
    sa.UniqueConstraint('queue', 'worker', name=op.f('uq_worker_heartbeat_queue_worker'))
    )


def downgrade():
    op.drop_table('worker_heartbeat')
    op.drop_table('job_claim')
