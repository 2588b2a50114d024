"""1a5000000002 carries the policies of 1a5000000001 into the book of
business (a legacy carrier, a product per name, a term in force with its
new-business transaction and a settled instalment) and back again —
through the real command line, on the demo's policies."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from sqlalchemy import create_engine, text


def test_the_demo_policies_go_back_to_the_first_schema_and_come_again(empty_database_url, tmp_path):
    trellis = str(Path(sys.executable).parent / "trellis")
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TRELLIS_")}
    environ.update(
        TRELLIS_INSTANCE_PATH=str(tmp_path / "instance"), TRELLIS_DATABASE_URL=empty_database_url
    )

    def trellis_says(*args: str) -> None:
        done = subprocess.run(
            [trellis, *args], capture_output=True, text=True, env=environ, timeout=300
        )
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
    book = rows(
        "SELECT p.number, pr.name, p.annual_premium FROM insurance_policy p"
        " JOIN insurance_product pr ON pr.id = p.product_id ORDER BY p.number"
    )
    assert book, "the demo holds policies"

    trellis_says("db", "downgrade", "insurance", "1a5000000001")
    first = rows("SELECT number, product, premium, status FROM insurance_policy ORDER BY number")
    assert [(n, p, Decimal(str(m))) for n, p, m, _s in first] == [
        (n, p, Decimal(str(m))) for n, p, m in book
    ]
    assert {s for *_rest, s in first} == {"active"}

    trellis_says("db", "upgrade")
    again = rows(
        "SELECT p.number, pr.name, p.annual_premium, p.status, p.term_no, c.code"
        " FROM insurance_policy p JOIN insurance_product pr ON pr.id = p.product_id"
        " JOIN insurance_carrier c ON c.id = p.carrier_id ORDER BY p.number"
    )
    assert [(n, p, Decimal(str(m))) for n, p, m, *_rest in again] == [
        (n, p, Decimal(str(m))) for n, p, m in book
    ]
    assert {(s, t, c) for *_head, s, t, c in again} == {("in_force", 1, "LEGACY")}
    assert rows("SELECT count(*) FROM insurance_product WHERE code LIKE 'LEGACY-%'") == [
        (len({p for _n, p, _m in book}),)
    ]
    history = rows(
        "SELECT t.kind, t.premium_delta, i.amount, i.paid FROM insurance_transaction t"
        " JOIN insurance_instalment i ON i.policy_id = t.policy_id"
        " JOIN insurance_policy p ON p.id = t.policy_id JOIN insurance_carrier c"
        " ON c.id = p.carrier_id WHERE c.code = 'LEGACY'"
    )
    assert len(history) == len(book)
    assert all(k == "new_business" and d == a == p for k, d, a, p in history)
