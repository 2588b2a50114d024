"""A policy book imported through core's imports API (``insurance.policy``):
the policyholder found by name (one the user may not see is "no such
customer"), the product by code, the dates and the status as written in a
spreadsheet; bad rows refused by field in the preview; each term written
with its first transaction (new business, from the import) and its
timeline entry; a duplicate number skipped, never changed; undo takes the
terms, their transactions and report cells away."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.api import Activity, db
from plugins.insurance.models import Policy, PolicyTransaction, PremiumInstalment, ReportCell

from .factories import make_policy
from .policy_fixtures import book  # noqa: F401

HEADER = "保单号,产品代码,投保人,起保日期,终保日期,保额,年保费,状态,代理人\n"


def rows(book) -> str:
    return HEADER + (
        f'BD-OLD-0001,{book.motor.code},Harbour Freight,2025/7/1,2026/6/30,"150,000",1800,有效,'
        f"{book.ann.email}\n"
        f"BD-OLD-0002,{book.life.code},harbour freight,2024-01-01,,500000,3600.5,Lapsed,\n"
        f"BD-OLD-0003,{book.motor.code},Harbour Freight,明年,,,1800,in_force,\n"
        f"BD-OLD-0004,{book.motor.code},无此公司,2025-07-01,,,1800,expired,\n"
        f"BD-OLD-0005,{book.motor.code},Elsewhere Ltd,2025-07-01,,,1800,expired,\n"
        f"BD-OLD-0006,{book.motor.code},Harbour Freight,2025-07-01,,,1800,草稿,\n"
        f"BD-OLD-0001,{book.motor.code},Harbour Freight,2025-07-01,2026-06-30,150000,1800,"
        f"in force,{book.ann.email}\n"
        f"BD-2025-000001,{book.motor.code},Harbour Freight,2025-07-01,,,1900,in_force,\n"
    )


@pytest.fixture
def held(book):
    """A term already in the book, number BD-2025-000001."""
    policy = make_policy(
        book.harbour,
        book.ann,
        "BD-2025-000001",
        date(2025, 7, 1),
        date(2026, 6, 30),
        premium="1800.00",
        product=book.motor.name,
        team_id=book.ann.team_id,
    )
    db.session.commit()
    return policy


@pytest.fixture
def api(book, as_user):
    return as_user(book.meg)  # a manager: imports and issues, sees the Motor desk's customers


def upload(api, text: str) -> dict:
    made = api.post(
        "/api/v1/imports/jobs",
        data={
            "file": (io.BytesIO(text.encode("gb18030")), "book.csv"),
            "target": "insurance.policy",
        },
        content_type="multipart/form-data",
    )
    assert made.status_code == 201, made.json
    return made.json


def run(api, job_id: int, **configure) -> dict:
    assert api.put(f"/api/v1/imports/jobs/{job_id}/mapping", json=configure).status_code == 200
    assert api.post(f"/api/v1/imports/jobs/{job_id}/run").status_code == 202
    return api.get(f"/api/v1/imports/jobs/{job_id}").json


def imported() -> list[Policy]:
    db.session.expire_all()
    query = select(Policy).where(Policy.number.like("BD-OLD-%")).order_by(Policy.number)
    return list(db.session.scalars(query))


def cells() -> set[tuple]:
    db.session.expire_all()
    return {
        (c.key, c.parts, c.cents)
        for c in db.session.scalars(select(ReportCell))
        if c.parts or c.cents
    }


def test_the_preview_names_the_field_of_each_bad_row(api, book, held):
    job = upload(api, rows(book))
    assert job["mapping"] == {
        "保单号": "number",
        "产品代码": "product",
        "投保人": "customer",
        "起保日期": "start_date",
        "终保日期": "end_date",
        "保额": "sum_insured",
        "年保费": "annual_premium",
        "状态": "status",
        "代理人": "agent",
    }
    preview = api.get(f"/api/v1/imports/jobs/{job['id']}/preview").json
    found = {row["line"]: row for row in preview["rows"]}
    errors = {line: list(row["errors"]) for line, row in found.items() if row["errors"]}
    assert errors == {4: ["start_date"], 5: ["customer"], 6: ["customer"], 7: ["status"]}
    # another agent's customer reads exactly as one that does not exist
    assert found[5]["errors"] == found[6]["errors"] == {"customer": ["no such customer"]}
    assert found[8]["repeats"] == 2
    assert found[9]["match_id"] == held.id


def test_each_term_is_written_with_its_first_transaction_and_timeline_entry(api, book, held):
    done = run(api, upload(api, rows(book))["id"], on_duplicate="skip")
    assert (done["created"], done["skipped"], done["failed"]) == (2, 2, 4)
    first, second = imported()
    assert (first.status, first.customer_id, first.product_id) == (
        "in_force",
        book.harbour.id,
        book.motor.id,
    )
    assert (first.start_date, first.end_date, first.sum_insured) == (
        date(2025, 7, 1),
        date(2026, 6, 30),
        Decimal("150000.00"),
    )
    assert (first.agent_id, first.term_premium) == (book.ann.id, Decimal("1800.00"))
    # the end date from the product's term; the importing manager credited without an agent
    assert (second.status, second.end_date, second.agent_id) == (
        "lapsed",
        date(2024, 12, 31),
        book.meg.id,
    )
    assert second.annual_premium == second.term_premium == Decimal("3600.50")
    kinds = db.session.execute(
        select(PolicyTransaction.policy_id, PolicyTransaction.kind, PolicyTransaction.premium_delta)
        .where(PolicyTransaction.policy_id.in_([first.id, second.id]))
        .order_by(PolicyTransaction.policy_id)
    ).all()
    assert kinds == [
        (first.id, "new_business", Decimal("1800.00")),
        (second.id, "new_business", Decimal("3600.50")),
    ]
    # no schedule: the instalments were the other system's
    assert not db.session.scalars(
        select(PremiumInstalment).where(PremiumInstalment.policy_id == first.id)
    ).all()
    entries = db.session.scalars(
        select(Activity.subject).where(
            Activity.customer_id == book.harbour.id, Activity.link_id == first.id
        )
    ).all()
    assert entries == ["Policy BD-OLD-0001 imported"]
    assert db.session.get(Policy, held.id).annual_premium == Decimal("1800.00")  # skipped


def test_a_duplicate_number_is_never_changed_by_an_import(api, book, held):
    hidden = make_policy(  # another agent's, out of the manager's sight
        book.elsewhere, book.bob, "BD-2025-000009", date(2025, 7, 1), date(2026, 6, 30)
    )
    db.session.commit()
    text = HEADER + (
        f"BD-2025-000001,{book.motor.code},Harbour Freight,2025-07-01,,,1900,,\n"
        f"BD-2025-000009,{book.motor.code},Harbour Freight,2025-07-01,,,1900,,\n"
    )
    job = upload(api, text)
    preview = api.get(f"/api/v1/imports/jobs/{job['id']}/preview").json
    assert [row["match_id"] for row in preview["rows"]] == [held.id, None]
    done = run(api, job["id"], on_duplicate="update")
    assert (done["updated"], done["created"], done["failed"]) == (0, 0, 2)
    failed = api.get(f"/api/v1/imports/jobs/{job['id']}/errors.csv").get_data(as_text=True)
    assert "choose skip" in failed and "number: a policy with this number is already" in failed
    db.session.expire_all()
    assert db.session.get(Policy, held.id).annual_premium == Decimal("1800.00")
    assert db.session.get(Policy, hidden.id).customer_id == book.elsewhere.id


def test_undo_takes_the_terms_their_transactions_and_report_cells_away(api, book, held):
    before = cells()
    job = run(api, upload(api, rows(book))["id"])
    assert len(imported()) == 2 and cells() != before
    assert api.post(f"/api/v1/imports/jobs/{job['id']}/undo").status_code == 200
    assert imported() == []
    assert not db.session.scalars(
        select(PolicyTransaction).where(PolicyTransaction.reason.is_not(None))
    ).all()
    assert cells() == before
    live = db.session.scalars(
        select(Activity).where(
            Activity.link_type == "insurance_policy", Activity.deleted_at.is_(None)
        )
    ).all()
    assert live == []
    again = run(api, upload(api, rows(book))["id"])  # the numbers are free again
    assert again["created"] == 2
