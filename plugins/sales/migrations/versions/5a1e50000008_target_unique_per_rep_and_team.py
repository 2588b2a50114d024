"""sales targets: one per rep and month, one per team and month, enforced by the database

Revision ID: 5a1e50000008
Revises: 5a1e50000007
Create Date: 2026-11-26 05:00:00.000000

The UNIQUE over (month, user_id, team_id) never held: one of the two ids is
always NULL, and NULLs never collide. Two partial unique indexes replace it.
Duplicates that slipped in (two requests setting one target at once) are
removed first, keeping the newest.
"""
from alembic import op
import sqlalchemy as sa


revision = '5a1e50000008'
down_revision = '5a1e50000007'
branch_labels = None
depends_on = None


def upgrade():
    for column in ("user_id", "team_id"):
        op.execute(f"""
            DELETE FROM sales_target WHERE {column} IS NOT NULL AND id NOT IN (
                SELECT max(id) FROM sales_target WHERE {column} IS NOT NULL
                GROUP BY month, {column})""")
    with op.batch_alter_table('sales_target', schema=None) as batch_op:
        batch_op.drop_constraint('uq_sales_target_month_user_id_team_id', type_='unique')
    for name, column in (("uq_sales_target_month_user", "user_id"),
                         ("uq_sales_target_month_team", "team_id")):
        op.create_index(name, 'sales_target', ['month', column], unique=True,
                        sqlite_where=sa.text(f'{column} IS NOT NULL'),
                        postgresql_where=sa.text(f'{column} IS NOT NULL'))


def downgrade():
    op.drop_index('uq_sales_target_month_team', table_name='sales_target')
    op.drop_index('uq_sales_target_month_user', table_name='sales_target')
    with op.batch_alter_table('sales_target', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_sales_target_month_user_id_team_id',
                                          ['month', 'user_id', 'team_id'])
