"""his: outpatient gaps — a waitlist entry ended by a stopped session keeps why

A clinic session stopped (停诊) ends its waiting waitlist entries
(status ``ended``) with the stop's reason in ``end_reason``.

Revision ID: 415000000012
Revises: 415000000011
Create Date: 2026-12-06 02:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "415000000012"
down_revision = "415000000011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("his_waitlist_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("end_reason", sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table("his_waitlist_entry", schema=None) as batch_op:
        batch_op.drop_column("end_reason")
