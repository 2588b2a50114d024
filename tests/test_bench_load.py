"""The benchmark loader (bench/load.py): a small ``--scale`` lands every row,
the search documents the ORM would have written, and the indexes, triggers
and foreign keys it set aside while loading — on SQLite and PostgreSQL."""

from __future__ import annotations

import argparse

import pytest
from sqlalchemy import func, select, text

from bench.common import add_scale, parse_scale

CUSTOMERS = 120


@pytest.fixture
def loaded_app(make_app, empty_database_url):
    """A fresh, migrated database holding the loader's data at 120 customers;
    returns the loader's figures and the schema objects before loading."""
    from core.migrate import upgrade

    make_app(TRELLIS_DATABASE_URL=empty_database_url)
    upgrade()
    from bench.load import load
    from core.extensions import db

    before = schema_objects(db)
    figures = load(CUSTOMERS, progress=False)
    yield figures, before
    db.session.remove()
    db.engine.dispose()


def schema_objects(db) -> set[str]:
    """Names of the indexes, triggers and foreign keys the loader sets aside."""
    with db.engine.connect() as conn:
        if db.engine.dialect.name == "postgresql":
            rows = conn.execute(
                text(
                    "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
                    "UNION ALL SELECT conname FROM pg_constraint WHERE contype = 'f'"
                )
            )
        else:
            rows = conn.execute(
                text("SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger')")
            )
        return {row[0] for row in rows}


def test_the_data_set_lands_with_its_counts(loaded_app):
    from core.api import Activity, Contact, Customer, db
    from core.models import ContactPoint

    figures, _before = loaded_app
    counts = {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Customer, Contact, ContactPoint, Activity)
    }
    assert counts == {
        "Customer": CUSTOMERS,
        "Contact": 3 * CUSTOMERS,
        "ContactPoint": CUSTOMERS,
        "Activity": 10 * CUSTOMERS + 1_000,
    }
    assert figures["data_rows"] == sum(counts.values())
    assert figures["documents"] == 4 * CUSTOMERS
    assert figures["rows"] == figures["data_rows"] + figures["documents"]
    timeline = select(func.count()).select_from(Activity).where(Activity.customer_id == 1)
    assert db.session.scalar(timeline) >= 1_000


def test_rows_read_back_through_the_models_as_the_app_wrote_them(loaded_app):
    from datetime import UTC, datetime, timedelta

    from core.api import Activity, Contact, Customer, db

    customer = db.session.get(Customer, 2)
    assert customer.phones == ["+8613800000002"] and customer.emails == ["info2@example.com"]
    assert customer.custom_fields == {} and customer.kind.value == "company"
    assert customer.updated_at.tzinfo is not None
    assert datetime.now(UTC) - timedelta(days=366) < customer.updated_at <= datetime.now(UTC)
    primary = db.session.scalar(
        select(Contact).where(Contact.customer_id == 2).order_by(Contact.id).limit(1)
    )
    assert primary.is_primary is True and primary.phones == []
    activity = db.session.scalar(select(Activity).where(Activity.contact_id.is_not(None)).limit(1))
    assert activity.contact.customer_id == activity.customer_id


def test_search_finds_loaded_customers_and_contacts(loaded_app):
    from core.api import Contact, Customer, db, search_match
    from core.search import rebuild

    def found(model, query):
        return set(db.session.scalars(select(model.id).where(search_match(model, query))))

    name = db.session.get(Customer, 42).name
    assert 42 in found(Customer, name.split()[0])  # a Latin word of the name
    assert found(Customer, "00000042") == {42}  # a phone fragment
    assert found(Customer, "info42@example.com") == {42}
    assert len(found(Contact, "联系人 42-1")) == 1
    # the documents are those a rebuild writes, and the index answers the same after it
    before = found(Customer, "上海")
    assert before and rebuild(["customer", "contact"]) == {"customer": CUSTOMERS, "contact": 360}
    assert found(Customer, "上海") == before


def test_indexes_triggers_and_foreign_keys_are_back_and_hold(loaded_app):
    from core.api import db

    _figures, before = loaded_app
    assert schema_objects(db) == before
    if db.engine.dialect.name == "sqlite":
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1  # not the loader's
            assert conn.execute(text("PRAGMA synchronous")).scalar() != 0


def test_a_second_load_into_a_loaded_database_is_refused(loaded_app):
    from bench.load import load

    with pytest.raises(SystemExit):
        load(10, progress=False)


@pytest.mark.parametrize(
    ("given", "customers"),
    [("100k", 100_000), ("1m", 1_000_000), ("10M", 10_000_000), ("300", 300), ("20k", 20_000)],
)
def test_scale_names_a_data_set_size(given, customers):
    assert parse_scale(given) == customers


@pytest.mark.parametrize("given", ["", "big", "1x", "0", "-5k"])
def test_a_scale_that_is_not_a_size_is_refused(given):
    with pytest.raises(ValueError):
        parse_scale(given)


def test_scale_and_its_older_spelling_set_the_customers():
    parser = argparse.ArgumentParser()
    add_scale(parser)
    assert parser.parse_args([]).customers == 100_000
    assert parser.parse_args(["--scale", "1m"]).customers == 1_000_000
    assert parser.parse_args(["--customers", "10000"]).customers == 10_000
