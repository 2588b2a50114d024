"""``trellis search rebuild`` indexes rows written around the ORM, shows its
progress, and refuses an unknown kind in one line."""

from click.testing import CliRunner
from sqlalchemy import select, text

from core.api import Customer, db, search_match
from core.cli import main


def test_rebuild_indexes_rows_loaded_around_the_orm(app, make_customer):
    make_customer(name="索引客户")
    db.session.execute(
        text(
            "INSERT INTO customer (name, kind, stage, phones, emails, custom_fields, version,"
            " created_at, updated_at) VALUES ('Bulk Loaded Ltd', 'company', 'lead', '[]', '[]',"
            " '{}', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        )
    )
    db.session.commit()
    assert not db.session.scalars(select(Customer.name).where(search_match(Customer, "bulk"))).all()

    result = CliRunner().invoke(main, ["search", "rebuild", "--kind", "customer"], obj=app)
    assert result.exit_code == 0, result.output
    assert "Indexing" in result.output and "customer: 2 indexed" in result.output
    assert "contact" not in result.output
    found = db.session.scalars(select(Customer.name).where(search_match(Customer, "bulk"))).all()
    assert found == ["Bulk Loaded Ltd"]
    assert db.session.scalars(select(Customer.name).where(search_match(Customer, "索引"))).all()


def test_an_unknown_kind_is_one_line_and_exit_1(app):
    result = CliRunner().invoke(main, ["search", "rebuild", "--kind", "nope"], obj=app)
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1 and "nope" in result.output
