"""core tables

Revision ID: c0de00000001
Revises: 
Create Date: 2026-11-24 15:43:14.491737
"""
from alembic import op
import sqlalchemy as sa
import core.models.base


revision = 'c0de00000001'
down_revision = None
branch_labels = ('core',)
depends_on = None


def upgrade():
    
    op.create_table('custom_field_definition',
    sa.Column('entity', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('declared_by', sa.String(length=64), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_custom_field_definition')),
    sa.UniqueConstraint('entity', 'key', name=op.f('uq_custom_field_definition_entity_key'))
    )
    op.create_table('role',
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('permissions', sa.JSON(), nullable=False),
    sa.Column('scope', sa.Enum('own', 'team', 'all', name='datascope', native_enum=False, length=8), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role')),
    sa.UniqueConstraint('name', name=op.f('uq_role_name'))
    )
    op.create_table('tag',
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('color', sa.String(length=16), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tag')),
    sa.UniqueConstraint('name', name=op.f('uq_tag_name'))
    )
    op.create_table('team',
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['team.id'], name=op.f('fk_team_parent_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_team')),
    sa.UniqueConstraint('name', name=op.f('uq_team_name'))
    )
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_parent_id'), ['parent_id'], unique=False)

    op.create_table('followup_plan',
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('rule', sa.String(length=64), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_followup_plan_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_followup_plan'))
    )
    with op.batch_alter_table('followup_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_followup_plan_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_followup_plan_rule'), ['rule'], unique=False)
        batch_op.create_index(batch_op.f('ix_followup_plan_team_id'), ['team_id'], unique=False)

    op.create_table('user_account',
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('locale', sa.String(length=10), nullable=True),
    sa.Column('timezone', sa.String(length=64), nullable=True),
    sa.Column('theme', sa.String(length=64), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('role_id', sa.Integer(), nullable=True),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['role_id'], ['role.id'], name=op.f('fk_user_account_role_id_role')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_user_account_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('email', name=op.f('uq_user_account_email'))
    )
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_account_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_account_role_id'), ['role_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_account_team_id'), ['team_id'], unique=False)

    op.create_table('audit_entry',
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('entity', sa.String(length=64), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_audit_entry_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry'))
    )
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entry_entity', ['entity', 'entity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_user_id'), ['user_id'], unique=False)

    op.create_table('customer',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('company', 'person', name='customerkind', native_enum=False, length=16), nullable=False),
    sa.Column('industry', sa.String(length=80), nullable=True),
    sa.Column('grade', sa.Enum('A', 'B', 'C', 'D', name='grade', native_enum=False), nullable=True),
    sa.Column('source', sa.String(length=60), nullable=True),
    sa.Column('stage', sa.Enum('lead', 'prospect', 'customer', 'vip', 'churned', name='stage', native_enum=False, length=16), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('region', sa.String(length=80), nullable=True),
    sa.Column('city', sa.String(length=80), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('phones', sa.JSON(), nullable=False),
    sa.Column('emails', sa.JSON(), nullable=False),
    sa.Column('website', sa.String(length=300), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('custom_fields', sa.JSON(), nullable=False),
    sa.Column('last_contacted_at', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('next_follow_up_at', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], name=op.f('fk_customer_owner_id_user_account')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_customer_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer'))
    )
    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_customer_grade'), ['grade'], unique=False)
        batch_op.create_index(batch_op.f('ix_customer_last_contacted_at'), ['last_contacted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_customer_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_customer_next_follow_up_at'), ['next_follow_up_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_customer_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index('ix_customer_owner_updated', ['owner_id', 'updated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_customer_region'), ['region'], unique=False)
        batch_op.create_index(batch_op.f('ix_customer_source'), ['source'], unique=False)
        batch_op.create_index(batch_op.f('ix_customer_stage'), ['stage'], unique=False)
        batch_op.create_index(batch_op.f('ix_customer_team_id'), ['team_id'], unique=False)
        batch_op.create_index('ix_customer_team_updated', ['team_id', 'updated_at'], unique=False)

    op.create_table('contact',
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=True),
    sa.Column('phones', sa.JSON(), nullable=False),
    sa.Column('emails', sa.JSON(), nullable=False),
    sa.Column('is_primary', sa.Boolean(), nullable=False),
    sa.Column('birthday', sa.Date(), nullable=True),
    sa.Column('preferred_channel', sa.String(length=20), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_contact_customer_id_customer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact'))
    )
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_name'), ['name'], unique=False)

    op.create_table('customer_tag',
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('tag_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_customer_tag_customer_id_customer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tag_id'], ['tag.id'], name=op.f('fk_customer_tag_tag_id_tag'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('customer_id', 'tag_id', name=op.f('pk_customer_tag'))
    )
    with op.batch_alter_table('customer_tag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_tag_tag_id'), ['tag_id'], unique=False)

    op.create_table('activity',
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('direction', sa.String(length=8), nullable=True),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('occurred_at', core.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_at', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('done_at', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=32), nullable=True),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('link_type', sa.String(length=64), nullable=True),
    sa.Column('link_id', sa.Integer(), nullable=True),
    sa.Column('plan_id', sa.Integer(), nullable=True),
    sa.Column('dedupe_key', sa.String(length=120), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', core.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], name=op.f('fk_activity_contact_id_contact')),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_activity_customer_id_customer')),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], name=op.f('fk_activity_owner_id_user_account')),
    sa.ForeignKeyConstraint(['plan_id'], ['followup_plan.id'], name=op.f('fk_activity_plan_id_followup_plan')),
    sa.ForeignKeyConstraint(['task_id'], ['activity.id'], name=op.f('fk_activity_task_id_activity')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity')),
    sa.UniqueConstraint('plan_id', 'dedupe_key', name=op.f('uq_activity_plan_id_dedupe_key'))
    )
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index('ix_activity_customer_occurred', ['customer_id', 'occurred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_kind'), ['kind'], unique=False)
        batch_op.create_index('ix_activity_link', ['link_type', 'link_id'], unique=False)
        batch_op.create_index('ix_activity_owner_due', ['owner_id', 'done_at', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_task_id'), ['task_id'], unique=False)

    op.create_table('contact_point',
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('value', sa.String(length=254), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.models.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], name=op.f('fk_contact_point_contact_id_contact'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_contact_point_customer_id_customer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_point')),
    sa.UniqueConstraint('customer_id', 'contact_id', 'kind', 'value', name=op.f('uq_contact_point_customer_id_contact_id_kind_value'))
    )
    with op.batch_alter_table('contact_point', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_point_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_point_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index('ix_contact_point_kind_value', ['kind', 'value'], unique=False)

    


def downgrade():
    
    with op.batch_alter_table('contact_point', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_point_kind_value')
        batch_op.drop_index(batch_op.f('ix_contact_point_customer_id'))
        batch_op.drop_index(batch_op.f('ix_contact_point_contact_id'))

    op.drop_table('contact_point')
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_task_id'))
        batch_op.drop_index(batch_op.f('ix_activity_plan_id'))
        batch_op.drop_index('ix_activity_owner_due')
        batch_op.drop_index('ix_activity_link')
        batch_op.drop_index(batch_op.f('ix_activity_kind'))
        batch_op.drop_index(batch_op.f('ix_activity_deleted_at'))
        batch_op.drop_index('ix_activity_customer_occurred')
        batch_op.drop_index(batch_op.f('ix_activity_customer_id'))
        batch_op.drop_index(batch_op.f('ix_activity_contact_id'))

    op.drop_table('activity')
    with op.batch_alter_table('customer_tag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_tag_tag_id'))

    op.drop_table('customer_tag')
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_name'))
        batch_op.drop_index(batch_op.f('ix_contact_deleted_at'))
        batch_op.drop_index(batch_op.f('ix_contact_customer_id'))

    op.drop_table('contact')
    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.drop_index('ix_customer_team_updated')
        batch_op.drop_index(batch_op.f('ix_customer_team_id'))
        batch_op.drop_index(batch_op.f('ix_customer_stage'))
        batch_op.drop_index(batch_op.f('ix_customer_source'))
        batch_op.drop_index(batch_op.f('ix_customer_region'))
        batch_op.drop_index('ix_customer_owner_updated')
        batch_op.drop_index(batch_op.f('ix_customer_owner_id'))
        batch_op.drop_index(batch_op.f('ix_customer_next_follow_up_at'))
        batch_op.drop_index(batch_op.f('ix_customer_name'))
        batch_op.drop_index(batch_op.f('ix_customer_last_contacted_at'))
        batch_op.drop_index(batch_op.f('ix_customer_grade'))
        batch_op.drop_index(batch_op.f('ix_customer_deleted_at'))

    op.drop_table('customer')
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entry_user_id'))
        batch_op.drop_index('ix_audit_entry_entity')

    op.drop_table('audit_entry')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_account_team_id'))
        batch_op.drop_index(batch_op.f('ix_user_account_role_id'))
        batch_op.drop_index(batch_op.f('ix_user_account_deleted_at'))

    op.drop_table('user_account')
    with op.batch_alter_table('followup_plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_followup_plan_team_id'))
        batch_op.drop_index(batch_op.f('ix_followup_plan_rule'))
        batch_op.drop_index(batch_op.f('ix_followup_plan_deleted_at'))

    op.drop_table('followup_plan')
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_team_parent_id'))

    op.drop_table('team')
    op.drop_table('tag')
    op.drop_table('role')
    op.drop_table('custom_field_definition')
    
