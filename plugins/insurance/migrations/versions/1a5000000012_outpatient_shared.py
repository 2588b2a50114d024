"""insurance: a family-shared outpatient deductible and limit

``insurance_product.outpatient_shared``: the outpatient deductible and
annual limit are the policy's, used up by everyone it insures together
(家庭共享), rather than each insured person's.

Revision ID: 1a5000000012
Revises: 1a5000000011
Create Date: 2026-12-06 17:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "1a5000000012"
down_revision = "1a5000000011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("insurance_product") as batch:
        batch.add_column(
            sa.Column("outpatient_shared", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade():
    with op.batch_alter_table("insurance_product") as batch:
        batch.drop_column("outpatient_shared")
