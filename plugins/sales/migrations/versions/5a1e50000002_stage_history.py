"""stage outcome (open/won/lost), deal contact, lost reason, close time, stage history

Revision ID: 5a1e50000002
Revises: 5a1e50000001
Create Date: 2026-11-25 06:11:52.128074
"""
from alembic import op
import sqlalchemy as sa
import core.models.base


revision = '5a1e50000002'
down_revision = '5a1e50000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sales_stage_change',
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('from_stage_id', sa.Integer(), nullable=True),
    sa.Column('to_stage_id', sa.Integer(), nullable=False),
    sa.Column('changed_at', core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['deal_id'], ['sales_deal.id'], name=op.f('fk_sales_stage_change_deal_id_sales_deal')),
    sa.ForeignKeyConstraint(['from_stage_id'], ['sales_stage.id'], name=op.f('fk_sales_stage_change_from_stage_id_sales_stage')),
    sa.ForeignKeyConstraint(['to_stage_id'], ['sales_stage.id'], name=op.f('fk_sales_stage_change_to_stage_id_sales_stage')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_sales_stage_change_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_stage_change'))
    )
    with op.batch_alter_table('sales_stage_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sales_stage_change_deal_id'), ['deal_id'], unique=False)
        batch_op.create_index('ix_sales_stage_change_stage_at', ['to_stage_id', 'changed_at'], unique=False)

    with op.batch_alter_table('sales_deal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('lost_reason', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('closed_at', core.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_sales_deal_closed_at'), ['closed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_deal_contact_id'), ['contact_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_sales_deal_contact_id_contact'), 'contact', ['contact_id'], ['id'])

    with op.batch_alter_table('sales_stage', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcome', sa.String(length=8), server_default='open', nullable=False))

    # existing pipelines: a 100 % stage is where deals are won; the demo's lost stage is named so
    op.execute("UPDATE sales_stage SET outcome = 'won' WHERE probability = 100")
    op.execute("UPDATE sales_stage SET outcome = 'lost' WHERE name IN ('Lost', '输单')")
    # existing deals start their history where they are now
    op.execute("INSERT INTO sales_stage_change (deal_id, from_stage_id, to_stage_id, changed_at, "
               "created_at, updated_at) SELECT id, NULL, stage_id, created_at, created_at, "
               "created_at FROM sales_deal")


def downgrade():
    with op.batch_alter_table('sales_stage', schema=None) as batch_op:
        batch_op.drop_column('outcome')

    with op.batch_alter_table('sales_deal', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_sales_deal_contact_id_contact'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_sales_deal_contact_id'))
        batch_op.drop_index(batch_op.f('ix_sales_deal_closed_at'))
        batch_op.drop_column('closed_at')
        batch_op.drop_column('lost_reason')
        batch_op.drop_column('contact_id')

    with op.batch_alter_table('sales_stage_change', schema=None) as batch_op:
        batch_op.drop_index('ix_sales_stage_change_stage_at')
        batch_op.drop_index(batch_op.f('ix_sales_stage_change_deal_id'))

    op.drop_table('sales_stage_change')
