"""1a5000000002 carries the policies of 1a5000000001 into the book of
business (a legacy carrier, a product per name, a term with its
new-business transaction and a settled instalment) and back again —
through the command line (in the test's process), on the demo's book: each row goes back as a
policy of the first schema with a number of its own (a quote its quote
number, an earlier term of a renewed policy ``<number>/<term>``) and comes
again with its product's name, premium and status."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import create_engine, text

from core.testing.commands import run_trellis


def test_the_demo_book_goes_back_to_the_first_schema_and_comes_again(empty_database_url, tmp_path):
    environ = {
        "TRELLIS_INSTANCE_PATH": str(tmp_path / "instance"),
        "TRELLIS_DATABASE_URL": empty_database_url,
    }

    def trellis_says(*args: str) -> None:
        done = run_trellis(*args, env=environ)
        assert done.returncode == 0, done.stderr

    def rows(sql: str) -> list[tuple]:
        engine = create_engine(empty_database_url)
        with engine.connect() as conn:
            found = [tuple(row) for row in conn.execute(text(sql))]
        engine.dispose()
        return found

    trellis_says(
        "init", "--demo", "--admin-email", "boss@example.com", "--admin-password", "horse battery"
    )
    terms = rows(
        "SELECT p.number, p.quote_number, p.term_no, pr.name, p.annual_premium, p.status,"
        " (SELECT max(n.term_no) FROM insurance_policy n WHERE n.number = p.number)"
        " FROM insurance_policy p JOIN insurance_product pr ON pr.id = p.product_id"
    )
    assert any(t[0] is None for t in terms), "the demo holds a quote"
    assert any(t[2] > 1 for t in terms), "the demo holds a renewed policy"

    def first_number(number, quote, term, last):
        if number is None:
            return quote
        return f"{number}/{term}" if term < last else number

    def first_status(status):
        return "active" if status in ("in_force", "grace") else status

    book = sorted(
        (first_number(n, q, t, last), name, Decimal(str(m)), first_status(s))
        for n, q, t, name, m, s, last in terms
    )

    trellis_says("db", "downgrade", "insurance", "1a5000000001")
    first = rows("SELECT number, product, premium, status FROM insurance_policy")
    assert sorted((n, p, Decimal(str(m)), s) for n, p, m, s in first) == book

    trellis_says("db", "upgrade")
    again = rows(
        "SELECT p.number, pr.name, p.annual_premium, p.status, p.term_no, c.code"
        " FROM insurance_policy p JOIN insurance_product pr ON pr.id = p.product_id"
        " JOIN insurance_carrier c ON c.id = p.carrier_id"
    )
    assert (
        sorted((n, name, Decimal(str(m)), first_status(s)) for n, name, m, s, _t, _c in again)
        == book
    )
    assert {(t, c) for *_head, t, c in again} == {(1, "LEGACY")}
    assert {s for _n, _p, _m, s, _t, _c in again if s not in ("in_force",)} <= {
        s for *_head, s in book
    }
    assert rows("SELECT count(*) FROM insurance_product WHERE code LIKE 'LEGACY-%'") == [
        (len({p for _n, p, _m, _s in book}),)
    ]
    history = rows(
        "SELECT t.kind, t.premium_delta, i.amount, i.paid FROM insurance_transaction t"
        " JOIN insurance_instalment i ON i.policy_id = t.policy_id"
        " JOIN insurance_policy p ON p.id = t.policy_id JOIN insurance_carrier c"
        " ON c.id = p.carrier_id WHERE c.code = 'LEGACY'"
    )
    assert len(history) == len(book)
    assert all(k == "new_business" and d == a == p for k, d, a, p in history)
