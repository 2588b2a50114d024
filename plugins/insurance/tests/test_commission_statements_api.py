"""``/api/v1/insurance/commission-statements``: a carrier statement
imported and reconciled (bad rows → 422 by line, nothing stored; matched /
variance / unknown; the same file twice → 409; a carrier's own column
names), and a team manager seeing only their teams' rows. Figures by hand
in the docstrings (fixtures: commission_fixtures, commission_api_fixtures)."""

from __future__ import annotations

from sqlalchemy import func, select

from core.api import db
from plugins.insurance.models import Carrier, CarrierStatement, CarrierStatementLine, CommissionLine

from .commission_api_fixtures import API, HEADER, count_rows, january, upload
from .commission_fixtures import book  # noqa: F401

# --- carrier statements --------------------------------------------------------


def test_a_statement_is_reconciled(as_user, book):  # noqa: F811
    """January on the file: P-ANN-1 200.00 against 200.00 expected →
    matched; P-BOB-1 150.00 against 200.00 → variance −50.00; P-ANN-H in two
    rows, 60.00 + 40.00 = 100.00 against 100.00 → both matched; P-NOPE
    −12.50 → unknown. Received 437.50, expected 500.00, variance −62.50;
    3 rows matched, 2 not. The matched policies' lines are marked."""
    january(book)
    csv = HEADER + (
        "P-ANN-1,1,new,2026-01-10,1000.00,20,200.00,Harbour Freight,A-1\n"
        "P-BOB-1,1,new,2026-01-15,1000.00,20,150.00,,B-1\n"
        "P-ANN-H,,new,2026-01-10,600.00,10,60.00,,\n"
        "P-ANN-H,,endorsement,2026-01-20,400.00,10,40.00,,\n"
        "P-NOPE,1,new,2026-01-02,,,-12.50,,\n"
    )
    answer = upload(as_user(book.admin), book.carrier.id, csv)
    assert answer.status_code == 201, answer.json
    got = answer.json
    assert (got["received_total"], got["expected_total"], got["variance"]) == (
        "437.50",
        "500.00",
        "-62.50",
    )
    assert (got["matched"], got["unmatched"], got["rows"], got["month"]) == (3, 2, 5, "2026-01")
    detail = as_user(book.admin).get(f"{API}/commission-statements/{got['id']}").json
    rows = [
        (r["row_no"], r["policy_number"], r["status"], r["expected"], r["variance"])
        for r in detail["lines"]
    ]
    assert rows == [
        (1, "P-ANN-1", "matched", "200.00", "0.00"),
        (2, "P-BOB-1", "variance", "200.00", "-50.00"),
        (3, "P-ANN-H", "matched", "100.00", "0.00"),
        (4, "P-ANN-H", "matched", None, None),
        (5, "P-NOPE", "unknown", None, None),
    ]
    assert detail["lines"][0]["rate"] == "0.2000"  # 20 (percent) on the file
    variance = as_user(book.admin).get(f"{API}/commission-statements/{got['id']}?status=variance")
    assert [r["policy_number"] for r in variance.json["lines"]] == ["P-BOB-1"]
    marked = db.session.scalars(
        select(CommissionLine.policy_id).where(CommissionLine.statement_line_id.is_not(None))
    ).all()
    assert sorted(marked) == sorted([book.ann1.id, book.ann1.id, book.house.id])
    # a second file for January finds P-ANN-1's lines matched already: 0.00 expected
    again = upload(
        as_user(book.admin), book.carrier.id, HEADER + "P-ANN-1,1,new,,,,200.00,,\n", name="b.csv"
    )
    assert again.status_code == 201 and again.json["variance"] == "200.00"
    listed = as_user(book.admin).get(f"{API}/commission-statements?month=2026-01").json
    assert listed["total"] == 2


def test_a_bad_row_refuses_the_whole_file(as_user, book):  # noqa: F811
    """Line 3 has no number for the amount, line 4 no policy number: a 422
    listing both by their line in the file (the header is line 1), and
    nothing stored."""
    january(book)
    csv = HEADER + (
        "P-ANN-1,1,new,2026-01-10,1000.00,20,200.00,,\n"
        "P-BOB-1,1,new,2026-01-15,1000.00,20,abc,,\n"
        ",1,new,2026-01-15,1000.00,20,5.00,,\n"
    )
    answer = upload(as_user(book.admin), book.carrier.id, csv)
    assert answer.status_code == 422
    rows = answer.json["errors"]["rows"]
    assert set(rows) == {"3", "4"}
    assert "commission_amount" in rows["3"] and "policy_number" in rows["4"]
    assert count_rows(CarrierStatement) == 0 and count_rows(CarrierStatementLine) == 0
    assert not db.session.scalar(
        select(func.count())
        .select_from(CommissionLine)
        .where(CommissionLine.statement_line_id.is_not(None))
    )


def test_the_same_file_twice_is_a_conflict(as_user, book):  # noqa: F811
    csv = HEADER + "P-ANN-1,1,new,2026-01-10,1000.00,20,200.00,,\n"
    admin = as_user(book.admin)
    assert upload(admin, book.carrier.id, csv).status_code == 201
    twice = upload(admin, book.carrier.id, csv, name="renamed.csv")
    assert twice.status_code == 409 and "file" in twice.json["errors"]
    assert count_rows(CarrierStatement) == 1
    # the same bytes for another carrier are that carrier's statement
    assert upload(admin, book.bare.id, csv).status_code == 201


def test_a_carriers_own_headers_and_the_fields_refused(as_user, book):  # noqa: F811
    """The carrier names its columns 保单号 and 佣金: its statement_columns
    map them to ours."""
    carrier = db.session.get(Carrier, book.carrier.id)
    carrier.statement_columns = {"保单号": "policy_number", "佣金": "commission_amount"}
    db.session.commit()
    january(book)
    answer = upload(as_user(book.admin), book.carrier.id, "保单号,佣金\nP-BOB-1,200.00\n")
    assert answer.status_code == 201, answer.json
    assert answer.json["matched"] == 1
    admin = as_user(book.admin)
    bad = admin.post(f"{API}/commission-statements", data={"month": "soon"})
    assert bad.status_code == 422
    assert {"file", "carrier_id", "month"} <= set(bad.json["errors"])
    agent = upload(as_user(book.ann), book.carrier.id, "保单号,佣金\nP-BOB-1,1.00\n")
    assert agent.status_code == 403
    assert as_user(book.ann).get(f"{API}/commission-statements").status_code == 403


def test_a_team_manager_sees_the_rows_of_their_teams_policies(as_user, book):  # noqa: F811
    """Meg (Motor desk) may import and read statements, but the rows of
    Bob's policy are not hers to see: P-ANN-1 and the unknown row show, the
    statement's totals stay whole (200.00 + 150.00 + 1.00 received)."""
    january(book)
    csv = HEADER + "P-ANN-1,1,,,,20,200.00,,\nP-BOB-1,1,,,,20,150.00,,\nP-NOPE,,,,,,1.00,,\n"
    meg = as_user(book.meg)
    made = upload(meg, book.carrier.id, csv)
    assert made.status_code == 201, made.json
    detail = meg.get(f"{API}/commission-statements/{made.json['id']}").json
    assert [r["policy_number"] for r in detail["lines"]] == ["P-ANN-1", "P-NOPE"]
    assert detail["received_total"] == "351.00"
    everyone = as_user(book.admin).get(f"{API}/commission-statements/{made.json['id']}").json
    assert len(everyone["lines"]) == 3
