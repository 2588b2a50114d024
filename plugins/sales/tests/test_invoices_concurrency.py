"""Two clerks at once on one contract, each on its own connection (two
threads): two requests cannot together invoice more than the contract, and
two issues both count on ``Contract.invoiced`` (no lost update).

PostgreSQL only: the contract's row lock is what queues them; SQLite has
one writer at a time, and a second writer whose snapshot is stale is
refused by SQLite itself rather than queued."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest

from core.api import StateError, User, db
from plugins.sales.models import Contract, Invoice
from plugins.sales.services.invoices.invoices import issue_invoice, request_invoice

from .test_invoices_helpers import billed, finance, make_contract  # noqa: F401  (fixtures)


@pytest.fixture(autouse=True)
def _postgresql_only(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the row lock is PostgreSQL's; SQLite has one writer at a time")


def race(work, args: list) -> list[str]:
    """Run ``work(arg)`` for each of ``args`` at the same moment, each in its
    own app context; what each ended in."""
    from flask import current_app

    app = current_app._get_current_object()
    ready = threading.Barrier(len(args))
    outcomes: list[str] = []

    def run(arg) -> None:
        with app.app_context():
            try:
                work(arg, ready)
                outcomes.append("done")
            except StateError as exc:
                outcomes.append(f"refused:{','.join(exc.errors)}")
            except Exception as exc:  # noqa: BLE001  (asserted by the caller)
                outcomes.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(arg,)) for arg in args]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_two_requests_at_once_cannot_invoice_more_than_the_contract(
    make_user, make_contract, billed
):
    rep = make_user(role="sales")
    contract = make_contract(rep, amount="100.00")
    billed(contract.customer_id)
    rep_id, contract_id = rep.id, contract.id

    def ask(_arg, ready) -> None:
        user = db.session.get(User, rep_id)
        _ = user.role.permissions
        ready.wait()
        request_invoice({"contract_id": contract_id, "amount": "60"}, user)

    assert race(ask, [1, 2]) == ["done", "refused:amount"]
    db.session.expire_all()
    assert db.session.query(Invoice).count() == 1


def test_two_issues_at_once_both_count(make_user, finance, make_contract, billed):
    rep = make_user(role="sales")
    contract = make_contract(rep, amount="1000.00")
    billed(contract.customer_id)
    ids = [
        request_invoice({"contract_id": contract.id, "amount": amount}, rep).id
        for amount in ("300.00", "450.50")
    ]
    finance_id = finance.id

    def issue(invoice_id, ready) -> None:
        clerk = db.session.get(User, finance_id)
        invoice = db.session.get(Invoice, invoice_id)
        _ = clerk.role.permissions, invoice.contract
        ready.wait()
        issue_invoice(invoice, {"number": f"R-{invoice_id}"}, clerk)

    assert race(issue, ids) == ["done", "done"]
    db.session.expire_all()
    assert db.session.get(Contract, contract.id).invoiced == Decimal("750.50")  # 300 + 450.50
