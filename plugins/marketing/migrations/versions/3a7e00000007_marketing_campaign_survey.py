"""marketing: a survey sent by campaign

A campaign may name a survey: each recipient's message carries their own
invitation link (the template's ``{{ survey_url }}``).

Revision ID: 3a7e00000007
Revises: 3a7e00000006
Create Date: 2026-12-06 14:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = "3a7e00000007"
down_revision = "3a7e00000006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("marketing_campaign") as batch:
        batch.add_column(sa.Column("survey_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_marketing_campaign_survey_id_marketing_survey"),
            "marketing_survey",
            ["survey_id"],
            ["id"],
        )
        batch.create_index(batch.f("ix_marketing_campaign_survey_id"), ["survey_id"])


def downgrade():
    with op.batch_alter_table("marketing_campaign") as batch:
        batch.drop_index(batch.f("ix_marketing_campaign_survey_id"))
        batch.drop_constraint(
            batch.f("fk_marketing_campaign_survey_id_marketing_survey"), type_="foreignkey"
        )
        batch.drop_column("survey_id")
