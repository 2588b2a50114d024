"""attachments: files on any plugin's record (a contract's signed scan, a
claim's documents), with the customer they belong to for merge and purge

Revision ID: c0de00000015
Revises: c0de00000014
Create Date: 2026-12-05 12:40:00
"""

from alembic import op
import sqlalchemy as sa
import core.models.base

revision = 'c0de00000015'
down_revision = 'c0de00000014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'attachment',
        sa.Column('link_type', sa.String(length=64), nullable=False),
        sa.Column('link_id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=True),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('stored_name', sa.String(length=80), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_attachment_customer_id_customer')),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_attachment_uploaded_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_attachment')),
        sa.UniqueConstraint('stored_name', name=op.f('uq_attachment_stored_name')))
    op.create_index('ix_attachment_link', 'attachment', ['link_type', 'link_id'], unique=False)
    op.create_index(op.f('ix_attachment_customer_id'), 'attachment', ['customer_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_attachment_customer_id'), table_name='attachment')
    op.drop_index('ix_attachment_link', table_name='attachment')
    op.drop_table('attachment')
