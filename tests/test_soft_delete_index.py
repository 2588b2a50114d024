"""``SoftDeleteMixin``'s index: ``ix_<table>_deleted_at`` holds only the
deleted rows (``deleted_at IS NOT NULL``), the only ones the recycle bin
looks for. A full index, every key NULL for the live rows, lured SQLite into
reading it for ``deleted_at IS NULL`` instead of a table's narrow status
indexes (the grace policies walked every term)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import String, inspect, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.schema import CreateIndex

from core import create_app
from core import migrate as mig
from core.api import SoftDeleteMixin, TimestampMixin, db

#: the revision before each branch's partial-index migration
BEFORE = {
    "core": "c0de00000016",
    "sales": "5a1e50000016",
    "service_dispatch": "5e7100000009",
    "his": "415000000003",
    "insurance": "1a5000000005",
}
#: branches whose tables had the partial index from their first revision
BORN_PARTIAL = {"marketing"}
#: tables of a branch above made after its revision in BEFORE, partial from the first
BORN_AFTER = {"webhook_subscription", "automation_rule"}
#: soft-deletable tables there are today (more may come; none may go unchecked)
KNOWN = {
    "activity",
    "approval_flow",
    "contact",
    "customer",
    "followup_plan",
    "user_account",
    "sales_contract",
    "sales_deal",
    "sales_invoice",
    "sales_lead",
    "sales_payment",
    "sales_quote",
    "service_dispatch_contract",
    "service_dispatch_work_order",
    "his_visit",
    "insurance_carrier",
    "insurance_claim",
    "insurance_household",
    "insurance_payment",
    "insurance_person",
    "insurance_policy",
    "insurance_product",
    "marketing_segment",
}
DELETED_ROWS = "deleted_at IS NOT NULL"
GRACE_LIST = "SELECT id FROM insurance_policy WHERE status = 'grace' AND deleted_at IS NULL"


def soft_deletable_tables() -> set[str]:
    return {
        mapper.local_table.name
        for mapper in db.Model.registry.mappers
        if issubclass(mapper.class_, SoftDeleteMixin)
    }


def deleted_at_indexes(table: str) -> list[tuple[str, str | None]]:
    """(name, condition) of the table's indexes on ``deleted_at`` alone, as
    the database has them."""
    found = []
    for index in inspect(db.engine).get_indexes(table):
        if index["column_names"] == ["deleted_at"]:
            options = index.get("dialect_options", {})
            where = options.get("sqlite_where", options.get("postgresql_where"))
            found.append((index["name"], None if where is None else str(where).strip("() ")))
    return found


def partial(table: str) -> list[tuple[str, str | None]]:
    return [(f"ix_{table}_deleted_at", DELETED_ROWS)]


def plain(table: str) -> list[tuple[str, str | None]]:
    return [(f"ix_{table}_deleted_at", None)]


@contextmanager
def migrated_app(url: str, instance) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "TRELLIS_SECRET_KEY": "k",
            "TRELLIS_INSTANCE_PATH": str(instance),
            "TRELLIS_DATABASE_URL": url,
        }
    )
    with app.app_context():
        try:
            mig.upgrade()
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def test_every_soft_deletable_table_has_the_partial_index_after_migrating(app):
    tables = soft_deletable_tables()
    assert KNOWN <= tables
    assert {table: deleted_at_indexes(table) for table in sorted(tables)} == {
        table: partial(table) for table in sorted(tables)
    }


class ProbeBase(DeclarativeBase):
    pass


class Probe(TimestampMixin, SoftDeleteMixin, ProbeBase):
    __tablename__ = "probe"
    label: Mapped[str] = mapped_column(String(40))


def test_the_mixin_gives_each_table_the_partial_index_once():
    (index,) = [i for i in Probe.__table__.indexes if i.name == "ix_probe_deleted_at"]
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        ddl = str(CreateIndex(index).compile(dialect=dialect))
        assert ddl.endswith("ON probe (deleted_at) WHERE deleted_at IS NOT NULL"), ddl
    assert [i.name for i in Probe.__table__.indexes if "deleted_at" in i.columns] == [
        "ix_probe_deleted_at"
    ]
    # customer declares its own index of that name: it keeps just that one
    customer = db.metadata.tables["customer"]
    assert [i.name for i in customer.indexes].count("ix_customer_deleted_at") == 1


def test_downgrade_restores_the_plain_index_and_upgrade_the_partial(empty_database_url, tmp_path):
    with migrated_app(empty_database_url, tmp_path) as app:
        owners = app.extensions["trellis"].table_owners
        every = sorted(soft_deletable_tables())
        assert {owners[t] for t in every} == set(BEFORE) | BORN_PARTIAL
        tables = [t for t in every if owners[t] in BEFORE and t not in BORN_AFTER]
        for branch, revision in BEFORE.items():
            mig.downgrade(branch, revision)
        db.session.remove()
        # customer's was made partial by hand before (c0de00000004); the born-partial stay so
        there = [t for t in every if t not in BORN_AFTER]
        assert {t: deleted_at_indexes(t) for t in there} == {
            t: partial(t) if t == "customer" or owners[t] in BORN_PARTIAL else plain(t)
            for t in there
        }
        mig.upgrade()
        again = tables + sorted(BORN_AFTER)
        assert {t: deleted_at_indexes(t) for t in again} == {t: partial(t) for t in again}


def test_sqlite_reads_the_grace_list_from_its_status_index(tmp_path):
    """5,000 terms, 50 in grace, 1 in 50 deleted, ANALYZE run: with the full
    index SQLite searched it for ``deleted_at IS NULL`` (every live term); with
    the partial one it scans the 50-row grace index."""
    from core.services.customers import create_customer
    from core.services.users import create_user, ensure_default_roles
    from plugins.insurance.tests.factories import product_named

    with migrated_app(f"sqlite:///{tmp_path / 'plan.db'}", tmp_path):
        ensure_default_roles()
        agents = [
            create_user(
                {"email": f"agent{n}@example.com", "name": f"Agent {n}", "password": "x" * 12}, None
            ).id
            for n in range(5)
        ]
        customer = create_customer({"name": "Acme"}, None).customer
        product = product_named("Fleet motor")
        db.session.commit()
        db.session.execute(
            text(
                """
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
                INSERT INTO insurance_policy (
                    number, term_no, inception_on, customer_id, product_id, carrier_id, line,
                    status, frequency, annual_premium, term_premium, currency, sum_insured,
                    start_date, end_date, grace_ends_on, agent_id, version, created_at,
                    updated_at, deleted_at)
                SELECT 'P' || i, 1, '2026-01-01', :customer, :product, :carrier, 'motor',
                    CASE WHEN i % 100 = 0 THEN 'grace'
                         WHEN i % 3 = 0 THEN 'expired' ELSE 'in_force' END,
                    'annual', 100, 100, 'CNY', 1000, '2026-01-01', '2026-12-31',
                    CASE WHEN i % 100 = 0 THEN date('2026-12-01', '+' || (i % 30) || ' days')
                    END,
                    :first_agent + i % 5, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP,
                    CASE WHEN i % 50 = 7 THEN datetime('now', '-' || i || ' minutes') END
                FROM n
                """
            ),
            {
                "customer": customer.id,
                "product": product.id,
                "carrier": product.carrier_id,
                "first_agent": min(agents),
            },
        )
        db.session.commit()
        assert agents == list(range(min(agents), min(agents) + 5))

        def plan() -> str:
            db.session.execute(text("ANALYZE"))
            db.session.commit()
            (row,) = db.session.execute(text(f"EXPLAIN QUERY PLAN {GRACE_LIST}")).all()
            return row[3]

        assert db.session.scalar(text(f"SELECT count(*) FROM ({GRACE_LIST})")) == 50
        # both grace indexes hold the same 50 rows; SQLite takes either
        assert plan() in {
            "SCAN insurance_policy USING INDEX ix_insurance_policy_grace",
            "SCAN insurance_policy USING INDEX ix_insurance_policy_agent_grace",
        }
        mig.downgrade("insurance", BEFORE["insurance"])
        assert "USING INDEX ix_insurance_policy_deleted_at (deleted_at=?)" in plan()
