"""quotes (报价单), contracts (合同) and their amendments, receivable plans'
instalments (回款计划) and payments (回款), invoices (发票) and customers'
billing details; targets by measure (won, contracted, collected) and
commission rules on won deals or on money collected

Revision ID: 5a1e50000014
Revises: 5a1e50000013
Create Date: 2026-12-05 09:25:12.404174
"""
from alembic import op
import sqlalchemy as sa
import core.api


revision = '5a1e50000014'
down_revision = '5a1e50000013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sales_billing_profile',
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('tax_number', sa.String(length=40), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('bank_name', sa.String(length=120), nullable=True),
    sa.Column('bank_account', sa.String(length=60), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_sales_billing_profile_customer_id_customer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_billing_profile')),
    sa.UniqueConstraint('customer_id', name=op.f('uq_sales_billing_profile_customer_id'))
    )
    op.create_table('sales_quote',
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.Column('deal_id', sa.Integer(), nullable=True),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('list_total', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('subtotal', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('discount_percent', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('tax_percent', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('tax_amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('total', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('effective_discount_percent', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('locale', sa.String(length=16), nullable=True),
    sa.Column('terms', sa.Text(), nullable=True),
    sa.Column('sent_at', core.api.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_at', core.api.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', core.api.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], name=op.f('fk_sales_quote_contact_id_contact')),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_sales_quote_customer_id_customer')),
    sa.ForeignKeyConstraint(['deal_id'], ['sales_deal.id'], name=op.f('fk_sales_quote_deal_id_sales_deal')),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], name=op.f('fk_sales_quote_owner_id_user_account')),
    sa.ForeignKeyConstraint(['supersedes_id'], ['sales_quote.id'], name=op.f('fk_sales_quote_supersedes_id_sales_quote')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_sales_quote_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_quote'))
    )
    with op.batch_alter_table('sales_quote', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sales_quote_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_quote_deal_id'), ['deal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_quote_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_quote_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_quote_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_quote_team_id'), ['team_id'], unique=False)
        batch_op.create_index('ix_sales_quote_updated', ['updated_at', 'id'], unique=False)
        batch_op.create_index('uq_sales_quote_number_revision', ['number', 'revision'], unique=True)

    op.create_table('sales_contract',
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('deal_id', sa.Integer(), nullable=True),
    sa.Column('quote_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('signed_date', sa.Date(), nullable=True),
    sa.Column('terms', sa.Text(), nullable=True),
    sa.Column('amendment', sa.Integer(), server_default='0', nullable=False),
    sa.Column('termination_reason', sa.String(length=200), nullable=True),
    sa.Column('terminated_at', core.api.UTCDateTime(timezone=True), nullable=True),
    sa.Column('collected', sa.Numeric(precision=14, scale=2), server_default='0', nullable=False),
    sa.Column('invoiced', sa.Numeric(precision=14, scale=2), server_default='0', nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', core.api.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], name=op.f('fk_sales_contract_contact_id_contact')),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_sales_contract_customer_id_customer')),
    sa.ForeignKeyConstraint(['deal_id'], ['sales_deal.id'], name=op.f('fk_sales_contract_deal_id_sales_deal')),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], name=op.f('fk_sales_contract_owner_id_user_account')),
    sa.ForeignKeyConstraint(['quote_id'], ['sales_quote.id'], name=op.f('fk_sales_contract_quote_id_sales_quote')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_sales_contract_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_contract')),
    sa.UniqueConstraint('number', name=op.f('uq_sales_contract_number'))
    )
    with op.batch_alter_table('sales_contract', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sales_contract_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_contract_deal_id'), ['deal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_contract_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_contract_end_date'), ['end_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_contract_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index('ix_sales_contract_owner_status', ['owner_id', 'status', 'end_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_contract_quote_id'), ['quote_id'], unique=False)
        batch_op.create_index('ix_sales_contract_signed', ['signed_date', 'owner_id', 'currency', 'amount'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_contract_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_contract_team_id'), ['team_id'], unique=False)
        batch_op.create_index('ix_sales_contract_updated', ['updated_at', 'id'], unique=False)

    op.create_table('sales_quote_line',
    sa.Column('quote_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('list_price', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=12, scale=3), nullable=False),
    sa.Column('discount_percent', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('total', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['sales_product.id'], name=op.f('fk_sales_quote_line_product_id_sales_product')),
    sa.ForeignKeyConstraint(['quote_id'], ['sales_quote.id'], name=op.f('fk_sales_quote_line_quote_id_sales_quote')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_quote_line'))
    )
    with op.batch_alter_table('sales_quote_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sales_quote_line_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_quote_line_quote_id'), ['quote_id'], unique=False)

    op.create_table('sales_contract_amendment',
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('at', core.api.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['sales_contract.id'], name=op.f('fk_sales_contract_amendment_contract_id_sales_contract')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_sales_contract_amendment_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_contract_amendment'))
    )
    with op.batch_alter_table('sales_contract_amendment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sales_contract_amendment_contract_id'), ['contract_id'], unique=False)

    op.create_table('sales_instalment',
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('collected', sa.Numeric(precision=14, scale=2), server_default='0', nullable=False),
    sa.Column('settled_on', sa.Date(), nullable=True),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['sales_contract.id'], name=op.f('fk_sales_instalment_contract_id_sales_contract')),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_sales_instalment_customer_id_customer')),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], name=op.f('fk_sales_instalment_owner_id_user_account')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_sales_instalment_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_instalment'))
    )
    with op.batch_alter_table('sales_instalment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sales_instalment_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index('ix_sales_instalment_open', ['settled_on', 'due_date', 'owner_id'], unique=False)
        batch_op.create_index('ix_sales_instalment_owner_open', ['owner_id', 'settled_on', 'due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_instalment_team_id'), ['team_id'], unique=False)
        batch_op.create_index('uq_sales_instalment_contract_number', ['contract_id', 'number'], unique=True)

    op.create_table('sales_payment',
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('instalment_id', sa.Integer(), nullable=True),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('reference', sa.String(length=80), nullable=True),
    sa.Column('received_by_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('confirmed_at', core.api.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reversed_at', core.api.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reversal_reason', sa.String(length=200), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', core.api.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['contract_id'], ['sales_contract.id'], name=op.f('fk_sales_payment_contract_id_sales_contract')),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_sales_payment_customer_id_customer')),
    sa.ForeignKeyConstraint(['instalment_id'], ['sales_instalment.id'], name=op.f('fk_sales_payment_instalment_id_sales_instalment')),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], name=op.f('fk_sales_payment_owner_id_user_account')),
    sa.ForeignKeyConstraint(['received_by_id'], ['user_account.id'], name=op.f('fk_sales_payment_received_by_id_user_account')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_sales_payment_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_payment'))
    )
    with op.batch_alter_table('sales_payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sales_payment_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_payment_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_payment_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_payment_instalment_id'), ['instalment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_payment_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index('ix_sales_payment_paid', ['paid_on', 'status', 'owner_id', 'currency', 'amount'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_payment_team_id'), ['team_id'], unique=False)
        batch_op.create_index('ix_sales_payment_updated', ['updated_at', 'id'], unique=False)

    op.create_table('sales_invoice',
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=True),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('tax_percent', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('tax_number', sa.String(length=40), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('bank_name', sa.String(length=120), nullable=True),
    sa.Column('bank_account', sa.String(length=60), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('cancelled_at', core.api.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancel_reason', sa.String(length=200), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', core.api.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['contract_id'], ['sales_contract.id'], name=op.f('fk_sales_invoice_contract_id_sales_contract')),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_sales_invoice_customer_id_customer')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['user_account.id'], name=op.f('fk_sales_invoice_issued_by_id_user_account')),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], name=op.f('fk_sales_invoice_owner_id_user_account')),
    sa.ForeignKeyConstraint(['payment_id'], ['sales_payment.id'], name=op.f('fk_sales_invoice_payment_id_sales_payment')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], name=op.f('fk_sales_invoice_requested_by_id_user_account')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_sales_invoice_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_invoice'))
    )
    with op.batch_alter_table('sales_invoice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sales_invoice_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_invoice_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_invoice_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_invoice_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_invoice_payment_id'), ['payment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_invoice_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_invoice_team_id'), ['team_id'], unique=False)
        batch_op.create_index('ix_sales_invoice_updated', ['updated_at', 'id'], unique=False)
        batch_op.create_index('uq_sales_invoice_number_issued', ['number'], unique=True, sqlite_where=sa.text("status = 'issued'"), postgresql_where=sa.text("status = 'issued'"))

    with op.batch_alter_table('sales_commission_rule', schema=None) as batch_op:
        batch_op.add_column(sa.Column('basis', sa.String(length=12), server_default='won', nullable=False))

    with op.batch_alter_table('sales_target', schema=None) as batch_op:
        batch_op.add_column(sa.Column('measure', sa.String(length=12), server_default='won', nullable=False))
        batch_op.drop_index(batch_op.f('uq_sales_target_month_team'), sqlite_where=sa.text('team_id IS NOT NULL'))
        batch_op.create_index('uq_sales_target_month_team', ['month', 'measure', 'team_id'], unique=True, sqlite_where=sa.text('team_id IS NOT NULL'), postgresql_where=sa.text('team_id IS NOT NULL'))
        batch_op.drop_index(batch_op.f('uq_sales_target_month_user'), sqlite_where=sa.text('user_id IS NOT NULL'))
        batch_op.create_index('uq_sales_target_month_user', ['month', 'measure', 'user_id'], unique=True, sqlite_where=sa.text('user_id IS NOT NULL'), postgresql_where=sa.text('user_id IS NOT NULL'))



def downgrade():
    # targets and commission rules over contracts or collected money mean
    # nothing to the code before: they go (else they would count won deals)
    op.execute("DELETE FROM sales_target WHERE measure <> 'won'")
    op.execute("DELETE FROM sales_commission_rule WHERE basis <> 'won'")
    with op.batch_alter_table('sales_target', schema=None) as batch_op:
        batch_op.drop_index('uq_sales_target_month_user', sqlite_where=sa.text('user_id IS NOT NULL'), postgresql_where=sa.text('user_id IS NOT NULL'))
        batch_op.create_index(batch_op.f('uq_sales_target_month_user'), ['month', 'user_id'], unique=True, sqlite_where=sa.text('user_id IS NOT NULL'), postgresql_where=sa.text('user_id IS NOT NULL'))
        batch_op.drop_index('uq_sales_target_month_team', sqlite_where=sa.text('team_id IS NOT NULL'), postgresql_where=sa.text('team_id IS NOT NULL'))
        batch_op.create_index(batch_op.f('uq_sales_target_month_team'), ['month', 'team_id'], unique=True, sqlite_where=sa.text('team_id IS NOT NULL'), postgresql_where=sa.text('team_id IS NOT NULL'))
        batch_op.drop_column('measure')

    with op.batch_alter_table('sales_commission_rule', schema=None) as batch_op:
        batch_op.drop_column('basis')

    with op.batch_alter_table('sales_invoice', schema=None) as batch_op:
        batch_op.drop_index('uq_sales_invoice_number_issued', sqlite_where=sa.text("status = 'issued'"), postgresql_where=sa.text("status = 'issued'"))
        batch_op.drop_index('ix_sales_invoice_updated')
        batch_op.drop_index(batch_op.f('ix_sales_invoice_team_id'))
        batch_op.drop_index(batch_op.f('ix_sales_invoice_status'))
        batch_op.drop_index(batch_op.f('ix_sales_invoice_payment_id'))
        batch_op.drop_index(batch_op.f('ix_sales_invoice_owner_id'))
        batch_op.drop_index(batch_op.f('ix_sales_invoice_deleted_at'))
        batch_op.drop_index(batch_op.f('ix_sales_invoice_customer_id'))
        batch_op.drop_index(batch_op.f('ix_sales_invoice_contract_id'))

    op.drop_table('sales_invoice')
    with op.batch_alter_table('sales_payment', schema=None) as batch_op:
        batch_op.drop_index('ix_sales_payment_updated')
        batch_op.drop_index(batch_op.f('ix_sales_payment_team_id'))
        batch_op.drop_index('ix_sales_payment_paid')
        batch_op.drop_index(batch_op.f('ix_sales_payment_owner_id'))
        batch_op.drop_index(batch_op.f('ix_sales_payment_instalment_id'))
        batch_op.drop_index(batch_op.f('ix_sales_payment_deleted_at'))
        batch_op.drop_index(batch_op.f('ix_sales_payment_customer_id'))
        batch_op.drop_index(batch_op.f('ix_sales_payment_contract_id'))

    op.drop_table('sales_payment')
    with op.batch_alter_table('sales_instalment', schema=None) as batch_op:
        batch_op.drop_index('uq_sales_instalment_contract_number')
        batch_op.drop_index(batch_op.f('ix_sales_instalment_team_id'))
        batch_op.drop_index('ix_sales_instalment_owner_open')
        batch_op.drop_index('ix_sales_instalment_open')
        batch_op.drop_index(batch_op.f('ix_sales_instalment_customer_id'))

    op.drop_table('sales_instalment')
    with op.batch_alter_table('sales_contract_amendment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sales_contract_amendment_contract_id'))

    op.drop_table('sales_contract_amendment')
    with op.batch_alter_table('sales_quote_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sales_quote_line_quote_id'))
        batch_op.drop_index(batch_op.f('ix_sales_quote_line_product_id'))

    op.drop_table('sales_quote_line')
    with op.batch_alter_table('sales_contract', schema=None) as batch_op:
        batch_op.drop_index('ix_sales_contract_updated')
        batch_op.drop_index(batch_op.f('ix_sales_contract_team_id'))
        batch_op.drop_index(batch_op.f('ix_sales_contract_status'))
        batch_op.drop_index('ix_sales_contract_signed')
        batch_op.drop_index(batch_op.f('ix_sales_contract_quote_id'))
        batch_op.drop_index('ix_sales_contract_owner_status')
        batch_op.drop_index(batch_op.f('ix_sales_contract_owner_id'))
        batch_op.drop_index(batch_op.f('ix_sales_contract_end_date'))
        batch_op.drop_index(batch_op.f('ix_sales_contract_deleted_at'))
        batch_op.drop_index(batch_op.f('ix_sales_contract_deal_id'))
        batch_op.drop_index(batch_op.f('ix_sales_contract_customer_id'))

    op.drop_table('sales_contract')
    with op.batch_alter_table('sales_quote', schema=None) as batch_op:
        batch_op.drop_index('uq_sales_quote_number_revision')
        batch_op.drop_index('ix_sales_quote_updated')
        batch_op.drop_index(batch_op.f('ix_sales_quote_team_id'))
        batch_op.drop_index(batch_op.f('ix_sales_quote_status'))
        batch_op.drop_index(batch_op.f('ix_sales_quote_owner_id'))
        batch_op.drop_index(batch_op.f('ix_sales_quote_deleted_at'))
        batch_op.drop_index(batch_op.f('ix_sales_quote_deal_id'))
        batch_op.drop_index(batch_op.f('ix_sales_quote_customer_id'))

    op.drop_table('sales_quote')
    op.drop_table('sales_billing_profile')
