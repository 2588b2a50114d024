"""marketing: an A/B test of an e-mail campaign's subject

A campaign may try a second subject (``subject_b``) on ``test_percent`` of
its recipients, half each; the rest are held (recipient state ``held``)
until the subject with the better open (or click) rate after
``test_hours`` wins (``winner``, ``winner_at``) and goes to them. Each
recipient row records the subject it got (``variant``: ``a`` or ``b``).

Revision ID: 3a7e00000008
Revises: 3a7e00000007
Create Date: 2026-12-06 17:20:00
"""

import sqlalchemy as sa
from alembic import op

from core.api import UTCDateTime

revision = "3a7e00000008"
down_revision = "3a7e00000007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("marketing_campaign") as batch:
        batch.add_column(sa.Column("subject_b", sa.String(length=200), nullable=True))
        batch.add_column(
            sa.Column("test_percent", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("test_hours", sa.Integer(), nullable=False, server_default="4"))
        batch.add_column(
            sa.Column("winner_by", sa.String(length=8), nullable=False, server_default="open")
        )
        batch.add_column(sa.Column("winner", sa.String(length=1), nullable=True))
        batch.add_column(
            sa.Column("winner_at", UTCDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("marketing_recipient") as batch:
        batch.add_column(sa.Column("variant", sa.String(length=1), nullable=True))


def downgrade():
    with op.batch_alter_table("marketing_recipient") as batch:
        batch.drop_column("variant")
    with op.batch_alter_table("marketing_campaign") as batch:
        for column in ("winner_at", "winner", "winner_by", "test_hours", "test_percent"):
            batch.drop_column(column)
        batch.drop_column("subject_b")
