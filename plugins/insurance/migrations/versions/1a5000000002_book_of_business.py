"""book of business: carriers, products and premium tables; persons,
households and agents; policies by term with their transactions,
instalments and payments; claims; commission.

The policies of 1a5000000001 are carried over: a carrier "LEGACY", one
product per product name, and per policy a term in force (when it was
active) with its new-business transaction and one settled instalment of
its premium. Downgrading gives each policy back its product name and
premium and a number of its own (a quote its quote number, an earlier
term of a renewed policy ``<number>/<term>``), and drops what only the book
of business knew.

Revision ID: 1a5000000002
Revises: 1a5000000001
Create Date: 2026-12-05 12:43:22.774194
"""
from alembic import op
import sqlalchemy as sa
import core.api


revision = '1a5000000002'
down_revision = '1a5000000001'
branch_labels = None
depends_on = None


POLICY = sa.table(
    "insurance_policy",
    sa.column("id", sa.Integer),
    sa.column("product", sa.String),
    sa.column("premium", sa.Numeric),
    sa.column("status", sa.String),
    sa.column("number", sa.String),
    sa.column("quote_number", sa.String),
    sa.column("product_id", sa.Integer),
    sa.column("carrier_id", sa.Integer),
    sa.column("line", sa.String),
    sa.column("term_no", sa.Integer),
    sa.column("inception_on", sa.Date),
    sa.column("issued_on", sa.Date),
    sa.column("frequency", sa.String),
    sa.column("annual_premium", sa.Numeric),
    sa.column("term_premium", sa.Numeric),
    sa.column("sum_insured", sa.Numeric),
    sa.column("paid_to_date", sa.Date),
    sa.column("start_date", sa.Date),
    sa.column("end_date", sa.Date),
    sa.column("customer_id", sa.Integer),
    sa.column("agent_id", sa.Integer),
    sa.column("team_id", sa.Integer),
    sa.column("currency", sa.String),
)
CARRIER = sa.table(
    "insurance_carrier",
    sa.column("id", sa.Integer),
    sa.column("code", sa.String),
    sa.column("name", sa.String),
    sa.column("active", sa.Boolean),
    sa.column("version", sa.Integer),
)
PRODUCT = sa.table(
    "insurance_product",
    *(sa.column(c, sa.Integer) for c in ("id", "carrier_id", "term_months", "version")),
    *(sa.column(c, sa.String) for c in ("code", "name", "line", "currency", "pricing")),
    *(
        sa.column(c, sa.Integer)
        for c in (
            "grace_days",
            "cooling_off_days",
            "renewal_lead_days",
            "renewal_late_days",
            "reinstatement_days",
            "backdate_days",
            "clawback_months",
        )
    ),
    sa.column("cooling_off_fee", sa.Numeric),
    sa.column("clawback_percent", sa.Numeric),
    sa.column("frequencies", sa.JSON),
    sa.column("claim_documents", sa.JSON),
    *(
        sa.column(c, sa.Boolean)
        for c in ("auto_renew", "callback_required", "recorded_sale_required", "active")
    ),
    sa.column("effective_from", sa.Date),
)
TRANSACTION = sa.table(
    "insurance_transaction",
    *(sa.column(c, sa.Integer) for c in ("policy_id", "seq", "customer_id", "agent_id")),
    *(sa.column(c, sa.Integer) for c in ("team_id", "carrier_id", "product_id")),
    *(sa.column(c, sa.String) for c in ("kind", "line", "currency")),
    *(sa.column(c, sa.Date) for c in ("effective_on", "booked_on")),
    *(sa.column(c, sa.Numeric) for c in ("premium_delta", "annual_premium_after")),
)
INSTALMENT = sa.table(
    "insurance_instalment",
    *(sa.column(c, sa.Integer) for c in ("policy_id", "seq", "customer_id", "agent_id")),
    *(sa.column(c, sa.Integer) for c in ("team_id", "version")),
    *(sa.column(c, sa.Date) for c in ("due_on", "settled_on")),
    *(sa.column(c, sa.Numeric) for c in ("amount", "paid")),
    sa.column("currency", sa.String),
)


def _carry_policies_over():
    """Give the policies of 1a5000000001 their place in the book of business."""
    bind = op.get_bind()
    policies = bind.execute(
        sa.select(
            POLICY.c.id, POLICY.c.product, POLICY.c.premium, POLICY.c.status,
            POLICY.c.start_date, POLICY.c.end_date, POLICY.c.customer_id,
            POLICY.c.agent_id, POLICY.c.team_id, POLICY.c.currency,
        ).order_by(POLICY.c.id)
    ).all()
    if not policies:
        return
    carrier_id = bind.execute(
        CARRIER.insert()
        .values(code="LEGACY", name="Unassigned", active=True, version=1)
        .returning(CARRIER.c.id)
    ).scalar_one()
    products = {}
    for row in policies:
        if row.product in products:
            continue
        products[row.product] = bind.execute(
            PRODUCT.insert()
            .values(
                carrier_id=carrier_id, code=f"LEGACY-{len(products) + 1}", name=row.product,
                line="property", currency=row.currency, pricing="fixed", term_months=12,
                grace_days=30, cooling_off_days=0, renewal_lead_days=30, renewal_late_days=30,
                reinstatement_days=0, backdate_days=0, clawback_months=12,
                cooling_off_fee=0, clawback_percent=100, frequencies=["annual"],
                claim_documents=[], auto_renew=False, callback_required=False,
                recorded_sale_required=False, active=True,
                effective_from=min(r.start_date for r in policies), version=1,
            )
            .returning(PRODUCT.c.id)
        ).scalar_one()
    for row in policies:
        status = "in_force" if row.status == "active" else row.status
        bind.execute(
            POLICY.update()
            .where(POLICY.c.id == row.id)
            .values(
                product_id=products[row.product], carrier_id=carrier_id, line="property",
                term_no=1, inception_on=row.start_date, issued_on=row.start_date,
                frequency="annual", annual_premium=row.premium, term_premium=row.premium,
                sum_insured=0, paid_to_date=row.end_date, status=status,
            )
        )
        common = {
            "policy_id": row.id, "seq": 1, "customer_id": row.customer_id,
            "agent_id": row.agent_id, "team_id": row.team_id, "currency": row.currency,
        }
        bind.execute(
            TRANSACTION.insert().values(
                **common, carrier_id=carrier_id, product_id=products[row.product],
                kind="new_business", line="property", effective_on=row.start_date,
                booked_on=row.start_date, premium_delta=row.premium,
                annual_premium_after=row.premium,
            )
        )
        bind.execute(
            INSTALMENT.insert().values(
                **common, version=1, due_on=row.start_date, settled_on=row.start_date,
                amount=row.premium, paid=row.premium,
            )
        )


def _carry_policies_back():
    """Each policy's product name and premium again, and a number of its
    own, as 1a5000000001 had one row per number: a quote keeps its quote
    number, an earlier term of a renewed policy its number with ``/<term>``
    (``P-1/1``), the latest term the number itself. No row is deleted (the
    tables that point at them are still there)."""
    bind = op.get_bind()
    bind.execute(
        POLICY.update().where(POLICY.c.number.is_(None)).values(number=POLICY.c.quote_number)
    )
    later = POLICY.alias()
    bind.execute(
        POLICY.update()
        .where(
            sa.exists().where(
                later.c.number == POLICY.c.number, later.c.term_no > POLICY.c.term_no
            )
        )
        .values(number=POLICY.c.number + "/" + sa.cast(POLICY.c.term_no, sa.String))
    )
    names = dict(bind.execute(sa.select(PRODUCT.c.id, PRODUCT.c.name)).all())
    for row in bind.execute(
        sa.select(POLICY.c.id, POLICY.c.product_id, POLICY.c.annual_premium, POLICY.c.status)
    ).all():
        bind.execute(
            POLICY.update()
            .where(POLICY.c.id == row.id)
            .values(
                product=names.get(row.product_id, ""), premium=row.annual_premium,
                status="active" if row.status in ("in_force", "grace") else row.status,
            )
        )


def upgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('insurance_carrier',
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('statement_columns', sa.JSON(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', core.api.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insurance_carrier')),
    sa.UniqueConstraint('code', name=op.f('uq_insurance_carrier_code'))
    )
    with op.batch_alter_table('insurance_carrier', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_insurance_carrier_deleted_at'), ['deleted_at'], unique=False)

    op.create_table('insurance_product',
    sa.Column('carrier_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('line', sa.String(length=10), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('pricing', sa.String(length=6), nullable=False),
    sa.Column('fixed_premium', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('term_months', sa.Integer(), nullable=False),
    sa.Column('frequencies', sa.JSON(), nullable=False),
    sa.Column('grace_days', sa.Integer(), nullable=False),
    sa.Column('cooling_off_days', sa.Integer(), nullable=False),
    sa.Column('cooling_off_fee', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('renewal_lead_days', sa.Integer(), nullable=False),
    sa.Column('renewal_late_days', sa.Integer(), nullable=False),
    sa.Column('reinstatement_days', sa.Integer(), nullable=False),
    sa.Column('backdate_days', sa.Integer(), nullable=False),
    sa.Column('clawback_months', sa.Integer(), nullable=False),
    sa.Column('clawback_percent', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('auto_renew', sa.Boolean(), nullable=False),
    sa.Column('callback_required', sa.Boolean(), nullable=False),
    sa.Column('recorded_sale_required', sa.Boolean(), nullable=False),
    sa.Column('claim_documents', sa.JSON(), nullable=False),
    sa.Column('norm_sum_insured', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('effective_to', sa.Date(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', core.api.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['carrier_id'], ['insurance_carrier.id'], name=op.f('fk_insurance_product_carrier_id_insurance_carrier')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insurance_product'))
    )
    with op.batch_alter_table('insurance_product', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_insurance_product_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_insurance_product_line'), ['line'], unique=False)
        batch_op.create_index('uq_insurance_product_code', ['carrier_id', 'code'], unique=True)

    op.create_table('insurance_agent',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('rank', sa.String(length=14), nullable=False),
    sa.Column('upline_user_id', sa.Integer(), nullable=True),
    sa.Column('licence_no', sa.String(length=40), nullable=True),
    sa.Column('licence_expires_on', sa.Date(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['upline_user_id'], ['user_account.id'], name=op.f('fk_insurance_agent_upline_user_id_user_account')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_insurance_agent_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insurance_agent')),
    sa.UniqueConstraint('code', name=op.f('uq_insurance_agent_code')),
    sa.UniqueConstraint('user_id', name=op.f('uq_insurance_agent_user_id'))
    )
    with op.batch_alter_table('insurance_agent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_insurance_agent_licence_expires_on'), ['licence_expires_on'], unique=False)

    op.create_table('insurance_agent_statement',
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('commission', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('overrides', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('clawbacks', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('total', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('issued_at', core.api.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['user_account.id'], name=op.f('fk_insurance_agent_statement_agent_id_user_account')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_insurance_agent_statement_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insurance_agent_statement'))
    )
    with op.batch_alter_table('insurance_agent_statement', schema=None) as batch_op:
        batch_op.create_index('uq_insurance_agent_statement', ['agent_id', 'month', 'currency'], unique=True)

    op.create_table('insurance_carrier_statement',
    sa.Column('carrier_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('received_total', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('expected_total', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('matched', sa.Integer(), nullable=False),
    sa.Column('unmatched', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['carrier_id'], ['insurance_carrier.id'], name=op.f('fk_insurance_carrier_statement_carrier_id_insurance_carrier')),
    sa.ForeignKeyConstraint(['imported_by_id'], ['user_account.id'], name=op.f('fk_insurance_carrier_statement_imported_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insurance_carrier_statement'))
    )
    with op.batch_alter_table('insurance_carrier_statement', schema=None) as batch_op:
        batch_op.create_index('ix_insurance_carrier_statement_month', ['carrier_id', 'month'], unique=False)
        batch_op.create_index('uq_insurance_carrier_statement_file', ['carrier_id', 'sha256'], unique=True)

    op.create_table('insurance_commission_rule',
    sa.Column('carrier_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('first_year_rate', sa.Numeric(precision=7, scale=4), nullable=False),
    sa.Column('renewal_rate', sa.Numeric(precision=7, scale=4), nullable=False),
    sa.Column('agent_share', sa.Numeric(precision=5, scale=4), nullable=False),
    sa.Column('leader_override', sa.Numeric(precision=5, scale=4), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('effective_to', sa.Date(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['carrier_id'], ['insurance_carrier.id'], name=op.f('fk_insurance_commission_rule_carrier_id_insurance_carrier')),
    sa.ForeignKeyConstraint(['product_id'], ['insurance_product.id'], name=op.f('fk_insurance_commission_rule_product_id_insurance_product')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insurance_commission_rule'))
    )
    with op.batch_alter_table('insurance_commission_rule', schema=None) as batch_op:
        batch_op.create_index('uq_insurance_commission_rule', ['carrier_id', 'product_id', 'effective_from'], unique=True)

    op.create_table('insurance_cover',
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('mandatory', sa.Boolean(), nullable=False),
    sa.Column('min_sum_insured', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('max_sum_insured', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('default_deductible', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['insurance_product.id'], name=op.f('fk_insurance_cover_product_id_insurance_product')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insurance_cover'))
    )
    with op.batch_alter_table('insurance_cover', schema=None) as batch_op:
        batch_op.create_index('uq_insurance_cover_code', ['product_id', 'code'], unique=True)

    op.create_table('insurance_rate',
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('cover_code', sa.String(length=30), nullable=True),
    sa.Column('age_from', sa.Integer(), nullable=True),
    sa.Column('age_to', sa.Integer(), nullable=True),
    sa.Column('sum_from', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('sum_to', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('vehicle_class', sa.String(length=20), nullable=True),
    sa.Column('annual_premium', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('rate_per_mille', sa.Numeric(precision=9, scale=4), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['insurance_product.id'], name=op.f('fk_insurance_rate_product_id_insurance_product')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insurance_rate'))
    )
    with op.batch_alter_table('insurance_rate', schema=None) as batch_op:
        batch_op.create_index('ix_insurance_rate_product', ['product_id', 'cover_code'], unique=False)

    op.create_table('insurance_household',
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', core.api.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['user_account.id'], name=op.f('fk_insurance_household_agent_id_user_account')),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_insurance_household_customer_id_customer')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_insurance_household_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insurance_household'))
    )
    with op.batch_alter_table('insurance_household', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_insurance_household_agent_id'), ['agent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_insurance_household_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_insurance_household_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_insurance_household_team_id'), ['team_id'], unique=False)

    op.create_table('insurance_person',
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('person_customer_id', sa.Integer(), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('gender', sa.String(length=1), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('id_type', sa.String(length=8), nullable=True),
    sa.Column('national_id', core.api.Encrypted(), nullable=True),
    sa.Column('national_id_lookup', sa.String(length=64), nullable=True),
    sa.Column('national_id_tail', sa.String(length=4), nullable=True),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', core.api.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['user_account.id'], name=op.f('fk_insurance_person_agent_id_user_account')),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], name=op.f('fk_insurance_person_contact_id_contact')),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_insurance_person_customer_id_customer')),
    sa.ForeignKeyConstraint(['household_id'], ['insurance_household.id'], name=op.f('fk_insurance_person_household_id_insurance_household')),
    sa.ForeignKeyConstraint(['person_customer_id'], ['customer.id'], name=op.f('fk_insurance_person_person_customer_id_customer')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_insurance_person_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insurance_person'))
    )
    with op.batch_alter_table('insurance_person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_insurance_person_agent_id'), ['agent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_insurance_person_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_insurance_person_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_insurance_person_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_insurance_person_national_id_lookup'), ['national_id_lookup'], unique=False)
        batch_op.create_index(batch_op.f('ix_insurance_person_team_id'), ['team_id'], unique=False)

    op.create_table('insurance_beneficiary',
    sa.Column('policy_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('share', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['insurance_person.id'], name=op.f('fk_insurance_beneficiary_person_id_insurance_person')),
    sa.ForeignKeyConstraint(['policy_id'], ['insurance_policy.id'], name=op.f('fk_insurance_beneficiary_policy_id_insurance_policy')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insurance_beneficiary'))
    )
    with op.batch_alter_table('insurance_beneficiary', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_insurance_beneficiary_person_id'), ['person_id'], unique=False)
        batch_op.create_index('uq_insurance_beneficiary', ['policy_id', 'person_id', 'rank'], unique=True)

    op.create_table('insurance_carrier_statement_line',
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('row_no', sa.Integer(), nullable=False),
    sa.Column('policy_number', sa.String(length=40), nullable=False),
    sa.Column('policy_id', sa.Integer(), nullable=True),
    sa.Column('term_no', sa.Integer(), nullable=True),
    sa.Column('transaction_type', sa.String(length=14), nullable=True),
    sa.Column('effective_on', sa.Date(), nullable=True),
    sa.Column('premium', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('rate', sa.Numeric(precision=7, scale=4), nullable=True),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('expected', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('variance', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['policy_id'], ['insurance_policy.id'], name=op.f('fk_insurance_carrier_statement_line_policy_id_insurance_policy')),
    sa.ForeignKeyConstraint(['statement_id'], ['insurance_carrier_statement.id'], name=op.f('fk_insurance_carrier_statement_line_statement_id_insurance_carrier_statement')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insurance_carrier_statement_line'))
    )
    with op.batch_alter_table('insurance_carrier_statement_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_insurance_carrier_statement_line_policy_id'), ['policy_id'], unique=False)
        batch_op.create_index('ix_insurance_statement_line_status', ['statement_id', 'status'], unique=False)

    op.create_table('insurance_instalment',
    sa.Column('policy_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('paid', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('settled_on', sa.Date(), nullable=True),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['user_account.id'], name=op.f('fk_insurance_instalment_agent_id_user_account')),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_insurance_instalment_customer_id_customer')),
    sa.ForeignKeyConstraint(['policy_id'], ['insurance_policy.id'], name=op.f('fk_insurance_instalment_policy_id_insurance_policy')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_insurance_instalment_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insurance_instalment'))
    )
    with op.batch_alter_table('insurance_instalment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_insurance_instalment_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index('ix_insurance_instalment_due', ['due_on', 'id', 'agent_id', 'team_id'], unique=False, sqlite_where=sa.text('settled_on IS NULL'), postgresql_where=sa.text('settled_on IS NULL'))
        batch_op.create_index('ix_insurance_instalment_open', ['policy_id', 'due_on', 'seq'], unique=False, sqlite_where=sa.text('settled_on IS NULL'), postgresql_where=sa.text('settled_on IS NULL'))
        batch_op.create_index('uq_insurance_instalment_seq', ['policy_id', 'seq'], unique=True)

    op.create_table('insurance_insured',
    sa.Column('policy_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('relation', sa.String(length=10), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['insurance_person.id'], name=op.f('fk_insurance_insured_person_id_insurance_person')),
    sa.ForeignKeyConstraint(['policy_id'], ['insurance_policy.id'], name=op.f('fk_insurance_insured_policy_id_insurance_policy')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insurance_insured'))
    )
    with op.batch_alter_table('insurance_insured', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_insurance_insured_person_id'), ['person_id'], unique=False)
        batch_op.create_index('uq_insurance_insured', ['policy_id', 'person_id'], unique=True)

    op.create_table('insurance_object',
    sa.Column('policy_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('plate', sa.String(length=20), nullable=True),
    sa.Column('vin', sa.String(length=17), nullable=True),
    sa.Column('vehicle_class', sa.String(length=20), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('value', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['policy_id'], ['insurance_policy.id'], name=op.f('fk_insurance_object_policy_id_insurance_policy')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insurance_object'))
    )
    with op.batch_alter_table('insurance_object', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_insurance_object_policy_id'), ['policy_id'], unique=False)

    op.create_table('insurance_transaction',
    sa.Column('policy_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=14), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=True),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('booked_on', sa.Date(), nullable=False),
    sa.Column('premium_delta', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('annual_premium_after', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('refund', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('gap_from', sa.Date(), nullable=True),
    sa.Column('gap_to', sa.Date(), nullable=True),
    sa.Column('changes', sa.JSON(), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('carrier_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('line', sa.String(length=10), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_insurance_transaction_actor_id_user_account')),
    sa.ForeignKeyConstraint(['agent_id'], ['user_account.id'], name=op.f('fk_insurance_transaction_agent_id_user_account')),
    sa.ForeignKeyConstraint(['carrier_id'], ['insurance_carrier.id'], name=op.f('fk_insurance_transaction_carrier_id_insurance_carrier')),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_insurance_transaction_customer_id_customer')),
    sa.ForeignKeyConstraint(['policy_id'], ['insurance_policy.id'], name=op.f('fk_insurance_transaction_policy_id_insurance_policy')),
    sa.ForeignKeyConstraint(['product_id'], ['insurance_product.id'], name=op.f('fk_insurance_transaction_product_id_insurance_product')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_insurance_transaction_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insurance_transaction'))
    )
    with op.batch_alter_table('insurance_transaction', schema=None) as batch_op:
        batch_op.create_index('ix_insurance_transaction_booked', ['booked_on', 'carrier_id', 'product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_insurance_transaction_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index('ix_insurance_transaction_kind', ['kind', 'booked_on'], unique=False)
        batch_op.create_index('uq_insurance_transaction_seq', ['policy_id', 'seq'], unique=True)

    op.create_table('insurance_coverage',
    sa.Column('policy_id', sa.Integer(), nullable=False),
    sa.Column('cover_code', sa.String(length=30), nullable=False),
    sa.Column('insured_id', sa.Integer(), nullable=True),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('sum_insured', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('deductible', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('annual_premium', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['insured_id'], ['insurance_insured.id'], name=op.f('fk_insurance_coverage_insured_id_insurance_insured')),
    sa.ForeignKeyConstraint(['object_id'], ['insurance_object.id'], name=op.f('fk_insurance_coverage_object_id_insurance_object')),
    sa.ForeignKeyConstraint(['policy_id'], ['insurance_policy.id'], name=op.f('fk_insurance_coverage_policy_id_insurance_policy')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insurance_coverage'))
    )
    with op.batch_alter_table('insurance_coverage', schema=None) as batch_op:
        batch_op.create_index('uq_insurance_coverage', ['policy_id', 'cover_code', 'insured_id', 'object_id'], unique=True)

    op.create_table('insurance_payment',
    sa.Column('policy_id', sa.Integer(), nullable=False),
    sa.Column('instalment_id', sa.Integer(), nullable=True),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('reference', sa.String(length=80), nullable=True),
    sa.Column('received_by_id', sa.Integer(), nullable=True),
    sa.Column('reversed_at', core.api.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reversal_reason', sa.String(length=200), nullable=True),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', core.api.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['user_account.id'], name=op.f('fk_insurance_payment_agent_id_user_account')),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_insurance_payment_customer_id_customer')),
    sa.ForeignKeyConstraint(['instalment_id'], ['insurance_instalment.id'], name=op.f('fk_insurance_payment_instalment_id_insurance_instalment')),
    sa.ForeignKeyConstraint(['policy_id'], ['insurance_policy.id'], name=op.f('fk_insurance_payment_policy_id_insurance_policy')),
    sa.ForeignKeyConstraint(['received_by_id'], ['user_account.id'], name=op.f('fk_insurance_payment_received_by_id_user_account')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_insurance_payment_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insurance_payment'))
    )
    with op.batch_alter_table('insurance_payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_insurance_payment_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_insurance_payment_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_insurance_payment_policy_id'), ['policy_id'], unique=False)
        batch_op.create_index('uq_insurance_payment_reference', ['policy_id', 'reference'], unique=True, sqlite_where=sa.text('reference IS NOT NULL'), postgresql_where=sa.text('reference IS NOT NULL'))

    op.create_table('insurance_claim',
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('policy_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('handler_id', sa.Integer(), nullable=True),
    sa.Column('coverage_id', sa.Integer(), nullable=True),
    sa.Column('insured_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('loss_date', sa.Date(), nullable=False),
    sa.Column('reported_at', core.api.UTCDateTime(timezone=True), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('claimed_amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('reserve', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('approved_amount', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('paid_amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('decided_at', core.api.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', core.api.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reject_code', sa.String(length=20), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('exception', sa.Boolean(), nullable=False),
    sa.Column('exception_note', sa.String(length=500), nullable=True),
    sa.Column('risk_flags', sa.JSON(), nullable=False),
    sa.Column('risk_count', sa.Integer(), nullable=False),
    sa.Column('reviewed_at', core.api.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('review_note', sa.String(length=500), nullable=True),
    sa.Column('tracking_hash', sa.String(length=64), nullable=True),
    sa.Column('contact_phone', sa.String(length=40), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', core.api.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['user_account.id'], name=op.f('fk_insurance_claim_agent_id_user_account')),
    sa.ForeignKeyConstraint(['coverage_id'], ['insurance_coverage.id'], name=op.f('fk_insurance_claim_coverage_id_insurance_coverage')),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_insurance_claim_customer_id_customer')),
    sa.ForeignKeyConstraint(['handler_id'], ['user_account.id'], name=op.f('fk_insurance_claim_handler_id_user_account')),
    sa.ForeignKeyConstraint(['insured_id'], ['insurance_insured.id'], name=op.f('fk_insurance_claim_insured_id_insurance_insured')),
    sa.ForeignKeyConstraint(['policy_id'], ['insurance_policy.id'], name=op.f('fk_insurance_claim_policy_id_insurance_policy')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['user_account.id'], name=op.f('fk_insurance_claim_reviewed_by_id_user_account')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_insurance_claim_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insurance_claim')),
    sa.UniqueConstraint('number', name=op.f('uq_insurance_claim_number')),
    sa.UniqueConstraint('tracking_hash', name=op.f('uq_insurance_claim_tracking_hash'))
    )
    with op.batch_alter_table('insurance_claim', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_insurance_claim_agent_id'), ['agent_id'], unique=False)
        batch_op.create_index('ix_insurance_claim_customer', ['customer_id', 'loss_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_insurance_claim_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index('ix_insurance_claim_open', ['status', 'reported_at', 'id', 'agent_id', 'team_id'], unique=False, sqlite_where=sa.text("status <> 'closed' AND deleted_at IS NULL"), postgresql_where=sa.text("status <> 'closed' AND deleted_at IS NULL"))
        batch_op.create_index('ix_insurance_claim_policy', ['policy_id', 'loss_date'], unique=False)
        batch_op.create_index('ix_insurance_claim_review', ['reported_at', 'id'], unique=False, sqlite_where=sa.text('reviewed_at IS NULL AND risk_count > 0'), postgresql_where=sa.text('reviewed_at IS NULL AND risk_count > 0'))
        batch_op.create_index(batch_op.f('ix_insurance_claim_team_id'), ['team_id'], unique=False)

    op.create_table('insurance_commission_line',
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.Column('policy_id', sa.Integer(), nullable=False),
    sa.Column('term_no', sa.Integer(), nullable=False),
    sa.Column('basis', sa.String(length=10), nullable=False),
    sa.Column('carrier_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('premium', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('rate', sa.Numeric(precision=7, scale=4), nullable=False),
    sa.Column('expected', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('agent_amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('statement_line_id', sa.Integer(), nullable=True),
    sa.Column('agent_statement_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['user_account.id'], name=op.f('fk_insurance_commission_line_agent_id_user_account')),
    sa.ForeignKeyConstraint(['agent_statement_id'], ['insurance_agent_statement.id'], name=op.f('fk_insurance_commission_line_agent_statement_id_insurance_agent_statement')),
    sa.ForeignKeyConstraint(['carrier_id'], ['insurance_carrier.id'], name=op.f('fk_insurance_commission_line_carrier_id_insurance_carrier')),
    sa.ForeignKeyConstraint(['payment_id'], ['insurance_payment.id'], name=op.f('fk_insurance_commission_line_payment_id_insurance_payment')),
    sa.ForeignKeyConstraint(['policy_id'], ['insurance_policy.id'], name=op.f('fk_insurance_commission_line_policy_id_insurance_policy')),
    sa.ForeignKeyConstraint(['product_id'], ['insurance_product.id'], name=op.f('fk_insurance_commission_line_product_id_insurance_product')),
    sa.ForeignKeyConstraint(['statement_line_id'], ['insurance_carrier_statement_line.id'], name=op.f('fk_insurance_commission_line_statement_line_id_insurance_carrier_statement_line')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_insurance_commission_line_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insurance_commission_line'))
    )
    with op.batch_alter_table('insurance_commission_line', schema=None) as batch_op:
        batch_op.create_index('ix_insurance_commission_agent', ['agent_id', 'month', 'id', 'kind', 'expected', 'agent_amount'], unique=False)
        batch_op.create_index('ix_insurance_commission_carrier', ['carrier_id', 'month', 'policy_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_insurance_commission_line_policy_id'), ['policy_id'], unique=False)
        batch_op.create_index('uq_insurance_commission_payment', ['payment_id', 'kind', 'agent_id'], unique=True)

    op.create_table('insurance_claim_event',
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('reserve_delta', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('paid_delta', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', core.api.UTCDateTime(timezone=True), nullable=False),
    sa.Column('event_on', sa.Date(), nullable=False),
    sa.Column('carrier_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('line', sa.String(length=10), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', core.api.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_insurance_claim_event_actor_id_user_account')),
    sa.ForeignKeyConstraint(['agent_id'], ['user_account.id'], name=op.f('fk_insurance_claim_event_agent_id_user_account')),
    sa.ForeignKeyConstraint(['carrier_id'], ['insurance_carrier.id'], name=op.f('fk_insurance_claim_event_carrier_id_insurance_carrier')),
    sa.ForeignKeyConstraint(['claim_id'], ['insurance_claim.id'], name=op.f('fk_insurance_claim_event_claim_id_insurance_claim')),
    sa.ForeignKeyConstraint(['product_id'], ['insurance_product.id'], name=op.f('fk_insurance_claim_event_product_id_insurance_product')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_insurance_claim_event_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insurance_claim_event'))
    )
    with op.batch_alter_table('insurance_claim_event', schema=None) as batch_op:
        batch_op.create_index('ix_insurance_claim_event_on', ['event_on', 'carrier_id'], unique=False)
        batch_op.create_index('uq_insurance_claim_event_seq', ['claim_id', 'seq'], unique=True)

    with op.batch_alter_table('insurance_policy', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quote_number', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('term_no', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('predecessor_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('inception_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('product_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('carrier_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('line', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('frequency', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('annual_premium', sa.Numeric(precision=14, scale=2), nullable=True))
        batch_op.add_column(sa.Column('term_premium', sa.Numeric(precision=14, scale=2), nullable=True))
        batch_op.add_column(sa.Column('sum_insured', sa.Numeric(precision=16, scale=2), nullable=True))
        batch_op.add_column(sa.Column('quote_valid_until', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('quoted_at', core.api.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('bound_at', core.api.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('issued_at', core.api.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('issued_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('cooling_off_ends_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('next_due_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('paid_to_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('grace_ends_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('lapsed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('cancelled_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('cancel_reason', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('renewal_outcome', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('lost_reason', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('lost_note', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('callback_due_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('callback_done_at', core.api.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('callback_outcome', sa.String(length=14), nullable=True))
        batch_op.add_column(sa.Column('p13', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('p25', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('inputs', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('household_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('deal_id', sa.Integer(), nullable=True))
        batch_op.alter_column('number',
               existing_type=sa.VARCHAR(length=40),
               nullable=True)
        batch_op.alter_column('status',
               existing_type=sa.VARCHAR(length=16),
               type_=sa.String(length=12),
               existing_nullable=False)

    _carry_policies_over()

    with op.batch_alter_table('insurance_policy', schema=None) as batch_op:
        batch_op.alter_column('term_no', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('inception_on', existing_type=sa.Date(), nullable=False)
        batch_op.alter_column('product_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('carrier_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('line', existing_type=sa.String(length=10), nullable=False)
        batch_op.alter_column('frequency', existing_type=sa.String(length=10), nullable=False)
        batch_op.alter_column('annual_premium', existing_type=sa.Numeric(precision=14, scale=2), nullable=False)
        batch_op.alter_column('term_premium', existing_type=sa.Numeric(precision=14, scale=2), nullable=False)
        batch_op.alter_column('sum_insured', existing_type=sa.Numeric(precision=16, scale=2), nullable=False)
        batch_op.drop_index(batch_op.f('ix_insurance_policy_customer_id'))
        batch_op.drop_index(batch_op.f('ix_insurance_policy_end_date'))
        batch_op.drop_index(batch_op.f('ix_insurance_policy_status'))
        batch_op.drop_constraint(batch_op.f('uq_insurance_policy_number'), type_='unique')
        batch_op.create_index('ix_insurance_policy_agent_grace', ['agent_id', 'grace_ends_on', 'id'], unique=False, sqlite_where=sa.text("status = 'grace' AND deleted_at IS NULL"), postgresql_where=sa.text("status = 'grace' AND deleted_at IS NULL"))
        batch_op.create_index('ix_insurance_policy_agent_renewal', ['agent_id', 'end_date', 'id'], unique=False, sqlite_where=sa.text("status IN ('in_force', 'grace') AND deleted_at IS NULL"), postgresql_where=sa.text("status IN ('in_force', 'grace') AND deleted_at IS NULL"))
        batch_op.create_index('ix_insurance_policy_arrears', ['next_due_on', 'id'], unique=False, sqlite_where=sa.text("status = 'in_force' AND deleted_at IS NULL"), postgresql_where=sa.text("status = 'in_force' AND deleted_at IS NULL"))
        batch_op.create_index(batch_op.f('ix_insurance_policy_carrier_id'), ['carrier_id'], unique=False)
        batch_op.create_index('ix_insurance_policy_customer', ['customer_id', 'status'], unique=False)
        batch_op.create_index('ix_insurance_policy_grace', ['grace_ends_on', 'id', 'agent_id', 'team_id', 'customer_id'], unique=False, sqlite_where=sa.text("status = 'grace' AND deleted_at IS NULL"), postgresql_where=sa.text("status = 'grace' AND deleted_at IS NULL"))
        batch_op.create_index(batch_op.f('ix_insurance_policy_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_insurance_policy_product_id'), ['product_id'], unique=False)
        batch_op.create_index('ix_insurance_policy_quotes', ['agent_id', 'quoted_at'], unique=False, sqlite_where=sa.text("status IN ('draft', 'quoted', 'bound') AND deleted_at IS NULL"), postgresql_where=sa.text("status IN ('draft', 'quoted', 'bound') AND deleted_at IS NULL"))
        batch_op.create_index('ix_insurance_policy_renewal', ['end_date', 'id', 'agent_id', 'team_id', 'customer_id'], unique=False, sqlite_where=sa.text("status IN ('in_force', 'grace') AND deleted_at IS NULL"), postgresql_where=sa.text("status IN ('in_force', 'grace') AND deleted_at IS NULL"))
        batch_op.create_index('uq_insurance_policy_number_term', ['number', 'term_no'], unique=True, sqlite_where=sa.text('number IS NOT NULL'), postgresql_where=sa.text('number IS NOT NULL'))
        batch_op.create_index('uq_insurance_policy_predecessor', ['predecessor_id'], unique=True, sqlite_where=sa.text('predecessor_id IS NOT NULL'), postgresql_where=sa.text('predecessor_id IS NOT NULL'))
        batch_op.create_unique_constraint(batch_op.f('uq_insurance_policy_quote_number'), ['quote_number'])
        batch_op.create_foreign_key(batch_op.f('fk_insurance_policy_household_id_insurance_household'), 'insurance_household', ['household_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_insurance_policy_predecessor_id_insurance_policy'), 'insurance_policy', ['predecessor_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_insurance_policy_product_id_insurance_product'), 'insurance_product', ['product_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_insurance_policy_carrier_id_insurance_carrier'), 'insurance_carrier', ['carrier_id'], ['id'])
        batch_op.drop_column('product')
        batch_op.drop_column('premium')

    # ### end Alembic commands ###


def downgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('insurance_policy', schema=None) as batch_op:
        batch_op.add_column(sa.Column('premium', sa.NUMERIC(precision=14, scale=2), nullable=True))
        batch_op.add_column(sa.Column('product', sa.VARCHAR(length=120), nullable=True))

    _carry_policies_back()

    with op.batch_alter_table('insurance_policy', schema=None) as batch_op:
        batch_op.alter_column('premium', existing_type=sa.NUMERIC(precision=14, scale=2), nullable=False)
        batch_op.alter_column('product', existing_type=sa.VARCHAR(length=120), nullable=False)
        batch_op.drop_constraint(batch_op.f('fk_insurance_policy_carrier_id_insurance_carrier'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_insurance_policy_product_id_insurance_product'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_insurance_policy_predecessor_id_insurance_policy'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_insurance_policy_household_id_insurance_household'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_insurance_policy_quote_number'), type_='unique')
        batch_op.drop_index('uq_insurance_policy_predecessor', sqlite_where=sa.text('predecessor_id IS NOT NULL'), postgresql_where=sa.text('predecessor_id IS NOT NULL'))
        batch_op.drop_index('uq_insurance_policy_number_term', sqlite_where=sa.text('number IS NOT NULL'), postgresql_where=sa.text('number IS NOT NULL'))
        batch_op.drop_index('ix_insurance_policy_renewal', sqlite_where=sa.text("status IN ('in_force', 'grace') AND deleted_at IS NULL"), postgresql_where=sa.text("status IN ('in_force', 'grace') AND deleted_at IS NULL"))
        batch_op.drop_index('ix_insurance_policy_quotes', sqlite_where=sa.text("status IN ('draft', 'quoted', 'bound') AND deleted_at IS NULL"), postgresql_where=sa.text("status IN ('draft', 'quoted', 'bound') AND deleted_at IS NULL"))
        batch_op.drop_index(batch_op.f('ix_insurance_policy_product_id'))
        batch_op.drop_index(batch_op.f('ix_insurance_policy_household_id'))
        batch_op.drop_index('ix_insurance_policy_grace', sqlite_where=sa.text("status = 'grace' AND deleted_at IS NULL"), postgresql_where=sa.text("status = 'grace' AND deleted_at IS NULL"))
        batch_op.drop_index('ix_insurance_policy_customer')
        batch_op.drop_index(batch_op.f('ix_insurance_policy_carrier_id'))
        batch_op.drop_index('ix_insurance_policy_arrears', sqlite_where=sa.text("status = 'in_force' AND deleted_at IS NULL"), postgresql_where=sa.text("status = 'in_force' AND deleted_at IS NULL"))
        batch_op.drop_index('ix_insurance_policy_agent_renewal', sqlite_where=sa.text("status IN ('in_force', 'grace') AND deleted_at IS NULL"), postgresql_where=sa.text("status IN ('in_force', 'grace') AND deleted_at IS NULL"))
        batch_op.drop_index('ix_insurance_policy_agent_grace', sqlite_where=sa.text("status = 'grace' AND deleted_at IS NULL"), postgresql_where=sa.text("status = 'grace' AND deleted_at IS NULL"))
        batch_op.create_unique_constraint(batch_op.f('uq_insurance_policy_number'), ['number'])
        batch_op.create_index(batch_op.f('ix_insurance_policy_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_insurance_policy_end_date'), ['end_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_insurance_policy_customer_id'), ['customer_id'], unique=False)
        batch_op.alter_column('status',
               existing_type=sa.String(length=12),
               type_=sa.VARCHAR(length=16),
               existing_nullable=False)
        batch_op.alter_column('number',
               existing_type=sa.VARCHAR(length=40),
               nullable=False)
        batch_op.drop_column('deal_id')
        batch_op.drop_column('household_id')
        batch_op.drop_column('inputs')
        batch_op.drop_column('p25')
        batch_op.drop_column('p13')
        batch_op.drop_column('callback_outcome')
        batch_op.drop_column('callback_done_at')
        batch_op.drop_column('callback_due_on')
        batch_op.drop_column('lost_note')
        batch_op.drop_column('lost_reason')
        batch_op.drop_column('renewal_outcome')
        batch_op.drop_column('cancel_reason')
        batch_op.drop_column('cancelled_on')
        batch_op.drop_column('lapsed_on')
        batch_op.drop_column('grace_ends_on')
        batch_op.drop_column('paid_to_date')
        batch_op.drop_column('next_due_on')
        batch_op.drop_column('cooling_off_ends_on')
        batch_op.drop_column('issued_on')
        batch_op.drop_column('issued_at')
        batch_op.drop_column('bound_at')
        batch_op.drop_column('quoted_at')
        batch_op.drop_column('quote_valid_until')
        batch_op.drop_column('sum_insured')
        batch_op.drop_column('term_premium')
        batch_op.drop_column('annual_premium')
        batch_op.drop_column('frequency')
        batch_op.drop_column('line')
        batch_op.drop_column('carrier_id')
        batch_op.drop_column('product_id')
        batch_op.drop_column('inception_on')
        batch_op.drop_column('predecessor_id')
        batch_op.drop_column('term_no')
        batch_op.drop_column('quote_number')

    with op.batch_alter_table('insurance_claim_event', schema=None) as batch_op:
        batch_op.drop_index('uq_insurance_claim_event_seq')
        batch_op.drop_index('ix_insurance_claim_event_on')

    op.drop_table('insurance_claim_event')
    with op.batch_alter_table('insurance_commission_line', schema=None) as batch_op:
        batch_op.drop_index('uq_insurance_commission_payment')
        batch_op.drop_index(batch_op.f('ix_insurance_commission_line_policy_id'))
        batch_op.drop_index('ix_insurance_commission_carrier')
        batch_op.drop_index('ix_insurance_commission_agent')

    op.drop_table('insurance_commission_line')
    with op.batch_alter_table('insurance_claim', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_insurance_claim_team_id'))
        batch_op.drop_index('ix_insurance_claim_review', sqlite_where=sa.text('reviewed_at IS NULL AND risk_count > 0'), postgresql_where=sa.text('reviewed_at IS NULL AND risk_count > 0'))
        batch_op.drop_index('ix_insurance_claim_policy')
        batch_op.drop_index('ix_insurance_claim_open', sqlite_where=sa.text("status <> 'closed' AND deleted_at IS NULL"), postgresql_where=sa.text("status <> 'closed' AND deleted_at IS NULL"))
        batch_op.drop_index(batch_op.f('ix_insurance_claim_deleted_at'))
        batch_op.drop_index('ix_insurance_claim_customer')
        batch_op.drop_index(batch_op.f('ix_insurance_claim_agent_id'))

    op.drop_table('insurance_claim')
    with op.batch_alter_table('insurance_payment', schema=None) as batch_op:
        batch_op.drop_index('uq_insurance_payment_reference', sqlite_where=sa.text('reference IS NOT NULL'), postgresql_where=sa.text('reference IS NOT NULL'))
        batch_op.drop_index(batch_op.f('ix_insurance_payment_policy_id'))
        batch_op.drop_index(batch_op.f('ix_insurance_payment_deleted_at'))
        batch_op.drop_index(batch_op.f('ix_insurance_payment_customer_id'))

    op.drop_table('insurance_payment')
    with op.batch_alter_table('insurance_coverage', schema=None) as batch_op:
        batch_op.drop_index('uq_insurance_coverage')

    op.drop_table('insurance_coverage')
    with op.batch_alter_table('insurance_transaction', schema=None) as batch_op:
        batch_op.drop_index('uq_insurance_transaction_seq')
        batch_op.drop_index('ix_insurance_transaction_kind')
        batch_op.drop_index(batch_op.f('ix_insurance_transaction_customer_id'))
        batch_op.drop_index('ix_insurance_transaction_booked')

    op.drop_table('insurance_transaction')
    with op.batch_alter_table('insurance_object', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_insurance_object_policy_id'))

    op.drop_table('insurance_object')
    with op.batch_alter_table('insurance_insured', schema=None) as batch_op:
        batch_op.drop_index('uq_insurance_insured')
        batch_op.drop_index(batch_op.f('ix_insurance_insured_person_id'))

    op.drop_table('insurance_insured')
    with op.batch_alter_table('insurance_instalment', schema=None) as batch_op:
        batch_op.drop_index('uq_insurance_instalment_seq')
        batch_op.drop_index('ix_insurance_instalment_open', sqlite_where=sa.text('settled_on IS NULL'), postgresql_where=sa.text('settled_on IS NULL'))
        batch_op.drop_index('ix_insurance_instalment_due', sqlite_where=sa.text('settled_on IS NULL'), postgresql_where=sa.text('settled_on IS NULL'))
        batch_op.drop_index(batch_op.f('ix_insurance_instalment_customer_id'))

    op.drop_table('insurance_instalment')
    with op.batch_alter_table('insurance_carrier_statement_line', schema=None) as batch_op:
        batch_op.drop_index('ix_insurance_statement_line_status')
        batch_op.drop_index(batch_op.f('ix_insurance_carrier_statement_line_policy_id'))

    op.drop_table('insurance_carrier_statement_line')
    with op.batch_alter_table('insurance_beneficiary', schema=None) as batch_op:
        batch_op.drop_index('uq_insurance_beneficiary')
        batch_op.drop_index(batch_op.f('ix_insurance_beneficiary_person_id'))

    op.drop_table('insurance_beneficiary')
    with op.batch_alter_table('insurance_person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_insurance_person_team_id'))
        batch_op.drop_index(batch_op.f('ix_insurance_person_national_id_lookup'))
        batch_op.drop_index(batch_op.f('ix_insurance_person_household_id'))
        batch_op.drop_index(batch_op.f('ix_insurance_person_deleted_at'))
        batch_op.drop_index(batch_op.f('ix_insurance_person_customer_id'))
        batch_op.drop_index(batch_op.f('ix_insurance_person_agent_id'))

    op.drop_table('insurance_person')
    with op.batch_alter_table('insurance_household', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_insurance_household_team_id'))
        batch_op.drop_index(batch_op.f('ix_insurance_household_deleted_at'))
        batch_op.drop_index(batch_op.f('ix_insurance_household_customer_id'))
        batch_op.drop_index(batch_op.f('ix_insurance_household_agent_id'))

    op.drop_table('insurance_household')
    with op.batch_alter_table('insurance_rate', schema=None) as batch_op:
        batch_op.drop_index('ix_insurance_rate_product')

    op.drop_table('insurance_rate')
    with op.batch_alter_table('insurance_cover', schema=None) as batch_op:
        batch_op.drop_index('uq_insurance_cover_code')

    op.drop_table('insurance_cover')
    with op.batch_alter_table('insurance_commission_rule', schema=None) as batch_op:
        batch_op.drop_index('uq_insurance_commission_rule')

    op.drop_table('insurance_commission_rule')
    with op.batch_alter_table('insurance_carrier_statement', schema=None) as batch_op:
        batch_op.drop_index('uq_insurance_carrier_statement_file')
        batch_op.drop_index('ix_insurance_carrier_statement_month')

    op.drop_table('insurance_carrier_statement')
    with op.batch_alter_table('insurance_agent_statement', schema=None) as batch_op:
        batch_op.drop_index('uq_insurance_agent_statement')

    op.drop_table('insurance_agent_statement')
    with op.batch_alter_table('insurance_agent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_insurance_agent_licence_expires_on'))

    op.drop_table('insurance_agent')
    with op.batch_alter_table('insurance_product', schema=None) as batch_op:
        batch_op.drop_index('uq_insurance_product_code')
        batch_op.drop_index(batch_op.f('ix_insurance_product_line'))
        batch_op.drop_index(batch_op.f('ix_insurance_product_deleted_at'))

    op.drop_table('insurance_product')
    with op.batch_alter_table('insurance_carrier', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_insurance_carrier_deleted_at'))

    op.drop_table('insurance_carrier')
    # ### end Alembic commands ###
