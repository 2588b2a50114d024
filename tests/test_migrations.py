"""Migrations: one Alembic tree for core and one per plugin, on SQLite and
PostgreSQL (these tests run on whichever the suite is using)."""

from __future__ import annotations

import textwrap

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import String, func, inspect, select, text
from sqlalchemy.orm import Mapped, mapped_column

from core import create_app
from core import migrate as mig
from core.api import TimestampMixin, db
from core.errors import ConfigError, TrellisError
from core.search.ddl import PG_INDEX
from core.testing import plugin_module


@pytest.fixture
def fresh(empty_database_url, tmp_path):
    """``fresh(**settings)``: an app on an empty database, its context pushed."""
    contexts = []

    def build(**settings):
        app = create_app(
            {
                "TESTING": True,
                "TRELLIS_SECRET_KEY": "k",
                "TRELLIS_INSTANCE_PATH": str(tmp_path),
                "TRELLIS_DATABASE_URL": empty_database_url,
                **settings,
            }
        )
        while contexts:
            db.session.remove()
            contexts.pop().pop()
        ctx = app.app_context()
        ctx.push()
        contexts.append(ctx)
        return app

    yield build
    while contexts:
        db.session.remove()
        db.engine.dispose()
        contexts.pop().pop()


def tables() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def test_upgrade_from_empty_creates_core_and_plugin_tables(fresh):
    app = fresh()
    assert mig.is_empty()
    mig.upgrade()
    owned = set(app.extensions["trellis"].table_owners)
    assert owned <= tables()
    assert {"customer", "activity", "sales_deal"} <= tables()
    assert mig.status().behind == [] and not mig.status().ahead


def test_models_and_migrations_agree(fresh):
    app = fresh()
    mig.upgrade()
    owned = set(app.extensions["trellis"].table_owners)

    def include(obj, name, type_, reflected, compare_to):
        if type_ == "index" and name == PG_INDEX:
            return False  # an expression index the models cannot declare
        table = name if type_ == "table" else obj.table.name
        return table in owned

    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": include, "render_as_batch": True}
        )
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_downgrade_and_reupgrade_one_plugin_leaves_core_alone(fresh):
    fresh()
    mig.upgrade()
    db.session.execute(
        text(
            "INSERT INTO tag (name, created_at, updated_at) "
            "VALUES ('kept', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        )
    )
    db.session.commit()
    mig.downgrade("sales", "base")
    assert "sales_deal" not in tables() and "customer" in tables()
    assert mig.status().behind == ["sales"]
    mig.upgrade()
    assert "sales_deal" in tables()
    assert db.session.scalar(text("SELECT name FROM tag")) == "kept"


def test_enabling_a_plugin_later_migrates_only_it(fresh):
    fresh(TRELLIS_PLUGINS="")
    mig.upgrade()
    assert "customer" in tables() and "sales_deal" not in tables()
    core_revision = mig.status().current["core"]
    fresh(TRELLIS_PLUGINS="sales")
    assert mig.status().behind == ["sales"]
    mig.upgrade()
    assert "sales_deal" in tables()
    assert mig.status().current["core"] == core_revision


def test_a_database_newer_than_the_code_is_refused(fresh):
    fresh()
    mig.upgrade()
    db.session.execute(text("INSERT INTO alembic_version (version_num) VALUES ('f00dfeed9999')"))
    db.session.commit()
    with pytest.raises(ConfigError, match="newer than this Trellis .unknown revision f00dfeed9999"):
        mig.upgrade()
    with pytest.raises(ConfigError, match="newer"):
        mig.ensure_current()


def test_serving_an_outdated_database_asks_for_an_upgrade(fresh):
    fresh()
    with pytest.raises(
        ConfigError,
        match="not up to date for core, his, insurance, marketing, sales, service_dispatch; "
        "run `trellis db upgrade`",
    ):
        mig.ensure_current()


REBUILD = """
revision = "b47c00000001"
down_revision = None
branch_labels = ("rebuild",)
depends_on = "c0de00000001"

import sqlalchemy as sa
from alembic import op


def recreate():
    # force SQLite's copy-and-swap rebuild; PostgreSQL alters in place
    return "always" if op.get_context().dialect.name == "sqlite" else "auto"


def upgrade():
    with op.batch_alter_table("customer", recreate=recreate()) as batch:
        batch.add_column(sa.Column("rebuild_flag", sa.Boolean(), nullable=True))


def downgrade():
    with op.batch_alter_table("customer", recreate=recreate()) as batch:
        batch.drop_column("rebuild_flag")
"""


def migrating_plugin(tmp_path, name: str, revision: str, source: str):
    """A plugin whose one migration is ``source``."""
    versions = tmp_path / f"{name}_versions"
    versions.mkdir()
    (versions / f"{revision}_{name}.py").write_text(textwrap.dedent(source))
    return plugin_module(name, trellis_migrations_dir=lambda: versions)


def test_a_table_rebuild_keeps_child_rows(fresh, tmp_path):
    """SQLite rebuilds a table to alter it; with foreign keys on, dropping the
    old table would cascade into contacts and the contact-point index."""
    plugin = migrating_plugin(tmp_path, "rebuild", "b47c00000001", REBUILD)
    fresh()
    mig.upgrade()
    from core.services.contacts import create_contact
    from core.services.customers import create_customer

    customer = create_customer({"name": "Parent", "phones": ["+8613800138000"]}, None).customer
    create_contact(
        {"customer_id": customer.id, "name": "Child", "phones": ["+8613900139000"]}, None
    )
    fresh(TRELLIS_EXTRA_PLUGINS=[plugin])
    mig.upgrade()
    assert "rebuild_flag" in {c["name"] for c in inspect(db.engine).get_columns("customer")}
    assert db.session.scalar(text("SELECT count(*) FROM contact")) == 1
    assert db.session.scalar(text("SELECT count(*) FROM contact_point")) == 2
    mig.downgrade("rebuild", "base")
    assert db.session.scalar(text("SELECT count(*) FROM contact")) == 1


HALFWAY = """
revision = "ha1f00000001"
down_revision = None
branch_labels = ("halfway",)
depends_on = "c0de00000001"

import sqlalchemy as sa
from alembic import op


def upgrade():
    op.create_table("halfway_item", sa.Column("id", sa.Integer(), primary_key=True))
    op.create_index("ix_halfway_customer_name", "customer", ["name", "id"])
    op.execute("UPDATE customer SET name = name || ' (moved)'")
    raise RuntimeError("the back-fill failed")


def downgrade():
    op.drop_index("ix_halfway_customer_name", table_name="customer")
    op.drop_table("halfway_item")
"""


def test_a_migration_that_fails_half_way_leaves_nothing_behind(fresh, tmp_path):
    """On both databases a migration is one transaction: its new table,
    index and data changes all go when it fails, so the next upgrade can
    run it again (SQLite's driver used to commit before each DDL statement,
    leaving the table behind: "table halfway_item already exists")."""
    plugin = migrating_plugin(tmp_path, "halfway", "ha1f00000001", HALFWAY)
    fresh()
    mig.upgrade()
    from core.services.customers import create_customer

    create_customer({"name": "Acme"}, None)
    fresh(TRELLIS_EXTRA_PLUGINS=[plugin])
    for _attempt in range(2):
        with pytest.raises(
            TrellisError,
            match="^plugin 'halfway': a migration failed: RuntimeError: the back-fill failed$",
        ):
            mig.upgrade()
        db.session.remove()
        tables = inspect(db.engine)
        assert "halfway_item" not in tables.get_table_names()
        assert "ix_halfway_customer_name" not in {i["name"] for i in tables.get_indexes("customer")}
        assert db.session.scalar(text("SELECT name FROM customer")) == "Acme"


class AutogenItem(TimestampMixin, db.Model):
    __tablename__ = "autogen_item"
    label: Mapped[str] = mapped_column(String(40))


def test_autogenerate_for_one_plugin_touches_only_its_tables(fresh, tmp_path):
    versions = tmp_path / "autogen_versions"
    versions.mkdir()
    plugin = plugin_module(
        "autogen", trellis_models=lambda: [AutogenItem], trellis_migrations_dir=lambda: versions
    )
    fresh()
    mig.upgrade()
    db.session.execute(text("DROP TABLE sales_stage_change"))  # drift outside the plugin
    db.session.commit()
    fresh(TRELLIS_EXTRA_PLUGINS=[plugin])
    path = mig.new_revision("autogen", "autogen tables")
    source = open(path).read()
    assert "create_table('autogen_item'" in source
    assert "sales_stage_change" not in source and "'customer'" not in source.replace(
        "['customer.id']", ""
    )
    assert "branch_labels = ('autogen',)" in source
    assert f"depends_on = '{mig.CORE_BASE_REVISION}'" in source
    mig.upgrade()
    assert "autogen_item" in tables()
    assert db.session.scalar(select(func.count()).select_from(AutogenItem)) == 0
