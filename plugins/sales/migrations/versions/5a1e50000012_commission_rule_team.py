"""commission rules per team

A rule with ``team_id`` counts only for the reps of that team and its
sub-teams, and a team's manager may write only such rules; NULL keeps a
rule company-wide (every existing rule stays so).

Revision ID: 5a1e50000012
Revises: 5a1e50000011
Create Date: 2026-12-04 12:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '5a1e50000012'
down_revision = '5a1e50000011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sales_commission_rule', schema=None) as batch_op:
        batch_op.add_column(sa.Column('team_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_sales_commission_rule_team_id'), ['team_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_sales_commission_rule_team_id_team'), 'team', ['team_id'], ['id'])


def downgrade():
    with op.batch_alter_table('sales_commission_rule', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_sales_commission_rule_team_id_team'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_sales_commission_rule_team_id'))
        batch_op.drop_column('team_id')
