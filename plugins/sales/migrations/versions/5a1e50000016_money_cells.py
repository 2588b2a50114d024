"""money report cells: payments and contracts added up by month

Contracted vs collected for someone who sees every record added up every
payment of the period (323 ms over 12 months at 800,000 payments on SQLite,
bench/results.md "Issue 24"). The report cells now also hold the payments
collected and reversed and the contracts signed, by month, currency, owner
and team (plugins/sales/services/report_cells/money.py); no new column.
Existing payments and contracts are added up here.

Revision ID: 5a1e50000016
Revises: 5a1e50000015
Create Date: 2026-12-05 13:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '5a1e50000016'
down_revision = '5a1e50000015'
branch_labels = None
depends_on = None

KINDS = ('paid', 'reversal', 'signed')


def upgrade():
    from core.api import UTCDateTime
    from plugins.sales.services.report_cells import (
        cell_rows,
        contract_contributions,
        payment_contributions,
    )

    bind = op.get_bind()
    # the columns of report_cells.PAYMENT_COLUMNS and CONTRACT_COLUMNS, in that order
    payment = sa.table('sales_payment', sa.column('id'), sa.column('paid_on', sa.Date()),
                       sa.column('status'), sa.column('reversed_at', UTCDateTime()),
                       sa.column('currency'), sa.column('amount', sa.Numeric(14, 2)),
                       sa.column('owner_id'), sa.column('team_id'),
                       sa.column('deleted_at', UTCDateTime()))
    contract = sa.table('sales_contract', sa.column('id'), sa.column('signed_date', sa.Date()),
                        sa.column('currency'), sa.column('amount', sa.Numeric(14, 2)),
                        sa.column('owner_id'), sa.column('team_id'),
                        sa.column('deleted_at', UTCDateTime()))
    rows = cell_rows(payment_contributions(bind.execute(sa.select(*payment.c))))
    rows += cell_rows(contract_contributions(bind.execute(sa.select(*contract.c))))
    cell = sa.table('sales_report_cell', *(sa.column(name) for name in rows[0])) if rows else None
    for chunk in range(0, len(rows), 5_000):
        bind.execute(cell.insert(), rows[chunk:chunk + 5_000])


def downgrade():
    cell = sa.table('sales_report_cell', sa.column('kind'))
    op.get_bind().execute(sa.delete(cell).where(cell.c.kind.in_(KINDS)))
