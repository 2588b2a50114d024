"""his tables

Revision ID: 415000000001
Revises: 
Create Date: 2026-11-24 16:10:45.849446
"""
from alembic import op
import sqlalchemy as sa
import core.models.base


revision = '415000000001'
down_revision = None
branch_labels = ('his',)
depends_on = 'c0de00000001'


def upgrade():
    op.create_table('his_visit',
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('department', sa.String(length=80), nullable=False),
    sa.Column('doctor_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('visited_at', core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('follow_up_days', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_his_visit_customer_id_customer')),
    sa.ForeignKeyConstraint(['doctor_id'], ['user_account.id'], name=op.f('fk_his_visit_doctor_id_user_account')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_his_visit_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_his_visit'))
    )
    with op.batch_alter_table('his_visit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_his_visit_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_his_visit_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_his_visit_doctor_id'), ['doctor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_his_visit_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_his_visit_visited_at'), ['visited_at'], unique=False)



def downgrade():
    with op.batch_alter_table('his_visit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_his_visit_visited_at'))
        batch_op.drop_index(batch_op.f('ix_his_visit_team_id'))
        batch_op.drop_index(batch_op.f('ix_his_visit_doctor_id'))
        batch_op.drop_index(batch_op.f('ix_his_visit_deleted_at'))
        batch_op.drop_index(batch_op.f('ix_his_visit_customer_id'))

    op.drop_table('his_visit')
