"""leads, the web forms that capture them, assignment rules

Revision ID: 5a1e50000003
Revises: 5a1e50000002
Create Date: 2026-11-25 06:28:55.822360
"""
from alembic import op
import sqlalchemy as sa
import core.models.base


revision = '5a1e50000003'
down_revision = '5a1e50000002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sales_lead_form',
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_lead_form')),
    sa.UniqueConstraint('key', name=op.f('uq_sales_lead_form_key'))
    )
    op.create_table('sales_assignment_rule',
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=True),
    sa.Column('region', sa.String(length=80), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('last_user_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_sales_assignment_rule_team_id_team')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_sales_assignment_rule_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_assignment_rule'))
    )
    op.create_table('sales_lead',
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('company', sa.String(length=200), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('region', sa.String(length=80), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('notes', sa.String(length=2000), nullable=True),
    sa.Column('disqualify_reason', sa.String(length=200), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('form_id', sa.Integer(), nullable=True),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('deal_id', sa.Integer(), nullable=True),
    sa.Column('converted_at', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_sales_lead_customer_id_customer')),
    sa.ForeignKeyConstraint(['deal_id'], ['sales_deal.id'], name=op.f('fk_sales_lead_deal_id_sales_deal')),
    sa.ForeignKeyConstraint(['form_id'], ['sales_lead_form.id'], name=op.f('fk_sales_lead_form_id_sales_lead_form')),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], name=op.f('fk_sales_lead_owner_id_user_account')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_sales_lead_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_lead'))
    )
    with op.batch_alter_table('sales_lead', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sales_lead_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_lead_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_lead_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index('ix_sales_lead_owner_status', ['owner_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_lead_source'), ['source'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_lead_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_lead_team_id'), ['team_id'], unique=False)



def downgrade():
    with op.batch_alter_table('sales_lead', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sales_lead_team_id'))
        batch_op.drop_index(batch_op.f('ix_sales_lead_status'))
        batch_op.drop_index(batch_op.f('ix_sales_lead_source'))
        batch_op.drop_index('ix_sales_lead_owner_status')
        batch_op.drop_index(batch_op.f('ix_sales_lead_owner_id'))
        batch_op.drop_index(batch_op.f('ix_sales_lead_deleted_at'))
        batch_op.drop_index(batch_op.f('ix_sales_lead_customer_id'))

    op.drop_table('sales_lead')
    op.drop_table('sales_assignment_rule')
    op.drop_table('sales_lead_form')
