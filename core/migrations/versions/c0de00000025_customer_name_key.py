"""core: customer name key

``customer.name_key`` is the name as duplicates are found by it
(:func:`core.models.customers.name_key`: NFKC, case-folded, white space
collapsed), indexed, so that finding a customer by name reads one index
entry instead of the whole table. Existing rows are filled in batches; the
column keeps its server default ``''`` (dropping it would rebuild the
table on SQLite), which the model declares as well.

A plain column, not an index on ``lower(name)``: SQLite's reflection does
not see expression indexes, and a batch migration would drop one.

Revision ID: c0de00000025
Revises: c0de00000024
Create Date: 2026-12-06 17:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "c0de00000025"
down_revision = "c0de00000024"
branch_labels = None
depends_on = None

#: rows read and written per statement while filling the key
BATCH = 2000


def _key(name):
    # the migration's own copy: a migration must not change when the model does
    import unicodedata

    if not name:
        return ""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())[:600]


def upgrade():
    op.add_column(
        "customer", sa.Column("name_key", sa.String(length=600), nullable=False, server_default="")
    )
    customer = sa.table(
        "customer", sa.column("id", sa.Integer), sa.column("name"), sa.column("name_key")
    )
    conn = op.get_bind()
    last = 0
    while True:
        rows = conn.execute(
            sa.select(customer.c.id, customer.c.name)
            .where(customer.c.id > last)
            .order_by(customer.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        conn.execute(
            customer.update()
            .where(customer.c.id == sa.bindparam("rid"))
            .values(name_key=sa.bindparam("key")),
            [{"rid": row.id, "key": _key(row.name)} for row in rows],
        )
        last = rows[-1].id
    op.create_index("ix_customer_name_key", "customer", ["name_key"])


def downgrade():
    op.drop_index("ix_customer_name_key", table_name="customer")
    with op.batch_alter_table("customer") as batch:
        batch.drop_column("name_key")
