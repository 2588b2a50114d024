"""marketing: SMS campaigns

A template and a campaign have a channel (email, sms); an SMS template has
a text per language. A recipient row holds an e-mail address or a mobile
number (unique per campaign), and the suppression list numbers too.

Revision ID: 3a7e00000006
Revises: 3a7e00000005
Create Date: 2026-12-06 13:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "3a7e00000006"
down_revision = "3a7e00000005"
branch_labels = None
depends_on = None


def _channel() -> sa.Column:
    return sa.Column("channel", sa.String(length=8), server_default="email", nullable=False)


def upgrade():
    with op.batch_alter_table("marketing_template") as batch:
        batch.add_column(_channel())
        batch.add_column(sa.Column("text_en", sa.Text(), nullable=True))
        batch.add_column(sa.Column("text_zh_CN", sa.Text(), nullable=True))
    with op.batch_alter_table("marketing_campaign") as batch:
        batch.add_column(_channel())
    with op.batch_alter_table("marketing_recipient") as batch:
        batch.add_column(sa.Column("phone", sa.String(length=20), nullable=True))
        batch.alter_column("email", existing_type=sa.String(length=254), nullable=True)
        batch.create_unique_constraint("uq_marketing_recipient_phone", ["campaign_id", "phone"])
    with op.batch_alter_table("marketing_suppression") as batch:
        batch.add_column(sa.Column("phone", sa.String(length=20), nullable=True))
        batch.alter_column("email", existing_type=sa.String(length=254), nullable=True)
        batch.create_unique_constraint(op.f("uq_marketing_suppression_phone"), ["phone"])


def downgrade():
    # the SMS rows cannot be e-mail rows: they go with the columns they need
    op.execute("DELETE FROM marketing_suppression WHERE email IS NULL")
    op.execute("DELETE FROM marketing_recipient WHERE email IS NULL")
    with op.batch_alter_table("marketing_suppression") as batch:
        batch.drop_constraint(op.f("uq_marketing_suppression_phone"), type_="unique")
        batch.alter_column("email", existing_type=sa.String(length=254), nullable=False)
        batch.drop_column("phone")
    with op.batch_alter_table("marketing_recipient") as batch:
        batch.drop_constraint("uq_marketing_recipient_phone", type_="unique")
        batch.alter_column("email", existing_type=sa.String(length=254), nullable=False)
        batch.drop_column("phone")
    with op.batch_alter_table("marketing_campaign") as batch:
        batch.drop_column("channel")
    with op.batch_alter_table("marketing_template") as batch:
        batch.drop_column("text_zh_CN")
        batch.drop_column("text_en")
        batch.drop_column("channel")
