"""``core.api.add_to_cells``: the one write of kept sums the plugins share —
rows add to the cell their key names (created at the first), on SQLite and
PostgreSQL alike; a cell whose ``drop_when`` measure falls to zero goes."""

from datetime import date

import pytest
from sqlalchemy import Column, Date, Integer, MetaData, String, Table, select

from core.api import add_to_cells, db

metadata = MetaData()
CELLS = Table(
    "test_kept_cell",
    metadata,
    Column("day", Date, primary_key=True),
    Column("place", String(20), primary_key=True),
    Column("label", String(20)),
    Column("lines", Integer, nullable=False),
    Column("cents", Integer, nullable=False),
)


@pytest.fixture
def cells(app):
    metadata.create_all(db.engine)
    yield CELLS
    db.session.rollback()
    metadata.drop_all(db.engine)


def add(rows, **options):
    add_to_cells(CELLS, rows, keys=("day", "place"), measures=("lines", "cents"), **options)
    db.session.commit()


def read():
    query = select(CELLS.c.day, CELLS.c.place, CELLS.c.label, CELLS.c.lines, CELLS.c.cents)
    return [tuple(row) for row in db.session.execute(query.order_by(CELLS.c.day, CELLS.c.place))]


def row(day, place, items, cents, label="first"):
    return {
        "day": date(2026, 12, day),
        "place": place,
        "label": label,
        "lines": items,
        "cents": cents,
    }


def test_rows_add_to_their_cells_and_create_the_missing_ones(cells):
    add([row(1, "east", 1, 500), row(1, "west", 2, 150)])
    add([row(1, "east", 2, 250, label="second"), row(2, "east", 1, 100)])
    assert read() == [
        (date(2026, 12, 1), "east", "first", 3, 750),  # other columns: as first written
        (date(2026, 12, 1), "west", "first", 2, 150),
        (date(2026, 12, 2), "east", "first", 1, 100),
    ]


def test_a_cell_left_with_nothing_goes_when_asked(cells):
    add([row(1, "east", 2, 500), row(1, "west", 1, 100)])
    add([row(1, "east", -2, -500), row(1, "west", -1, -100)], drop_when="lines")
    assert read() == []
    add([row(1, "east", 2, 500)])
    add([row(1, "east", -2, -500)])  # without drop_when the empty cell stays
    assert read() == [(date(2026, 12, 1), "east", "first", 0, 0)]


def test_many_rows_are_written_in_chunks(cells):
    rows = [row(1 + n % 28, f"p{n}", 1, n) for n in range(1200)]
    add(rows)
    add(rows)
    found = read()
    assert len(found) == 1200
    assert sum(r[3] for r in found) == 2400 and sum(r[4] for r in found) == 2 * sum(range(1200))


def test_no_row_writes_nothing(cells):
    add([])
    assert read() == []
