"""Alembic environment for core and every plugin's version tree.

Run through ``trellis db ...`` (see ``core/migrate.py``), which sets the
version locations and, when autogenerating one plugin's revision, the tables
it may touch (``config.attributes["include_tables"]``).
"""

from alembic import context
from flask import current_app
from sqlalchemy import event

from core.search.ddl import PG_INDEX

config = context.config
db = current_app.extensions["migrate"].db
include_tables = config.attributes.get("include_tables")


def include_object(obj, name, type_, reflected, compare_to):
    if type_ == "index" and name == PG_INDEX:
        return False  # the search index's expression: made by core.search.ddl
    if include_tables is None:
        return True
    table = obj if type_ == "table" else getattr(obj, "table", None)
    table_name = name if type_ == "table" else getattr(table, "name", None)
    return table_name in include_tables


def _begin(connection) -> None:
    connection.exec_driver_sql("BEGIN")


def run_migrations_online() -> None:
    connectable = db.engine
    with connectable.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # A batch-mode table rebuild drops and recreates a table; with
            # foreign keys on, SQLite would cascade that drop into child rows.
            # The pragma only takes effect outside a transaction, hence here.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
            # pysqlite commits by itself before DDL, so a migration that failed
            # half-way left its tables behind. Driver in autocommit mode, and
            # an explicit BEGIN for each transaction SQLAlchemy starts: each
            # migration is then one transaction, as on PostgreSQL (SQLAlchemy's
            # documented pysqlite recipe, for this connection only).
            driver = connection.connection.driver_connection
            isolation_level = driver.isolation_level
            driver.isolation_level = None
            event.listen(connection, "begin", _begin)
        try:
            context.configure(
                connection=connection,
                target_metadata=db.metadata,
                render_as_batch=True,
                compare_type=True,
                # a plugin's migration imports only core's public surface (core.api)
                user_module_prefix="core.api.",
                include_object=include_object,
                transaction_per_migration=True,
            )
            with context.begin_transaction():
                context.run_migrations()
            if sqlite:
                connection.commit()
                problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if problems:
                    raise RuntimeError(f"migration left broken foreign keys: {problems[:5]}")
        finally:
            if sqlite:  # the pooled connection goes back as the app expects it
                connection.rollback()
                event.remove(connection, "begin", _begin)
                driver.isolation_level = isolation_level
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run against a database")
run_migrations_online()
