"""covering indexes for the money reports and the collection list

Measured at 200,000 contracts, 1,000,000 instalments and 800,000 payments
(bench/results.md, "Issue 24"): aging, the collection list and contracted vs
collected looked up a table row for each open instalment or payment. The
open instalments now have partial indexes holding every column those read
(for everyone oldest due first, per owner, per currency and owner), the
instalments by due date one for the collection rate, and payments and
contracts theirs for a period's money, live rows only.

Revision ID: 5a1e50000015
Revises: 5a1e50000014
Create Date: 2026-12-05 10:49:12.709363
"""
from alembic import op
import sqlalchemy as sa
import core.api


revision = '5a1e50000015'
down_revision = '5a1e50000014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sales_contract', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sales_contract_signed'))
        batch_op.create_index('ix_sales_contract_signed', ['signed_date', 'owner_id', 'team_id', 'currency', 'amount', 'customer_id'], unique=False, sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))

    with op.batch_alter_table('sales_instalment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sales_instalment_open'))
        batch_op.create_index('ix_sales_instalment_open', ['due_date', 'id', 'currency', 'owner_id', 'team_id', 'customer_id', 'amount', 'collected'], unique=False, sqlite_where=sa.text('settled_on IS NULL'), postgresql_where=sa.text('settled_on IS NULL'))
        batch_op.drop_index(batch_op.f('ix_sales_instalment_owner_open'))
        batch_op.create_index('ix_sales_instalment_owner_open', ['owner_id', 'due_date', 'id', 'currency', 'customer_id', 'amount', 'collected'], unique=False, sqlite_where=sa.text('settled_on IS NULL'), postgresql_where=sa.text('settled_on IS NULL'))
        batch_op.create_index('ix_sales_instalment_aging', ['currency', 'owner_id', 'due_date', 'amount', 'collected', 'customer_id', 'team_id'], unique=False, sqlite_where=sa.text('settled_on IS NULL'), postgresql_where=sa.text('settled_on IS NULL'))
        batch_op.create_index('ix_sales_instalment_due', ['due_date', 'currency', 'owner_id', 'team_id', 'customer_id', 'amount', 'collected'], unique=False)

    with op.batch_alter_table('sales_payment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sales_payment_paid'))
        batch_op.create_index('ix_sales_payment_paid', ['paid_on', 'status', 'owner_id', 'team_id', 'currency', 'amount', 'customer_id'], unique=False, sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))
        batch_op.create_index('ix_sales_payment_reversed', ['reversed_at', 'owner_id', 'team_id', 'currency', 'amount', 'customer_id'], unique=False, sqlite_where=sa.text("status = 'reversed'"), postgresql_where=sa.text("status = 'reversed'"))



def downgrade():
    with op.batch_alter_table('sales_payment', schema=None) as batch_op:
        batch_op.drop_index('ix_sales_payment_reversed', sqlite_where=sa.text("status = 'reversed'"), postgresql_where=sa.text("status = 'reversed'"))
        batch_op.drop_index('ix_sales_payment_paid', sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))
        batch_op.create_index(batch_op.f('ix_sales_payment_paid'), ['paid_on', 'status', 'owner_id', 'currency', 'amount'], unique=False)

    with op.batch_alter_table('sales_instalment', schema=None) as batch_op:
        batch_op.drop_index('ix_sales_instalment_due')
        batch_op.drop_index('ix_sales_instalment_aging', sqlite_where=sa.text('settled_on IS NULL'), postgresql_where=sa.text('settled_on IS NULL'))
        batch_op.drop_index('ix_sales_instalment_owner_open', sqlite_where=sa.text('settled_on IS NULL'), postgresql_where=sa.text('settled_on IS NULL'))
        batch_op.create_index(batch_op.f('ix_sales_instalment_owner_open'), ['owner_id', 'settled_on', 'due_date'], unique=False)
        batch_op.drop_index('ix_sales_instalment_open', sqlite_where=sa.text('settled_on IS NULL'), postgresql_where=sa.text('settled_on IS NULL'))
        batch_op.create_index(batch_op.f('ix_sales_instalment_open'), ['settled_on', 'due_date', 'owner_id'], unique=False)

    with op.batch_alter_table('sales_contract', schema=None) as batch_op:
        batch_op.drop_index('ix_sales_contract_signed', sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))
        batch_op.create_index(batch_op.f('ix_sales_contract_signed'), ['signed_date', 'owner_id', 'currency', 'amount'], unique=False)

