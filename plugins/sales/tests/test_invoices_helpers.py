"""Fixtures the invoice and billing tests share: a signed contract and a
confirmed payment made directly with the models (the contracts and payments
services are built alongside), billing details through the billing service,
and a finance user with the role the plugin ships."""

from __future__ import annotations

import itertools
import re
from datetime import date
from decimal import Decimal

import pytest

from core.api import db
from plugins.sales.models import Contract, Payment
from plugins.sales.services.invoices.billing import save_billing_profile

#: valid unified social credit codes (check characters from python-stdnum)
USCC = "91110000600037341L"
USCC_2 = "91310115MA1K3YJ12G"
#: every billing detail a VAT special invoice needs
FULL_BILLING = {
    "title": "上海示例科技有限公司",
    "tax_number": USCC,
    "address": "上海市浦东新区世纪大道 100 号",
    "phone": "021-12345678",
    "bank_name": "招商银行上海分行",
    "bank_account": "6225 8812 3456 7890",
}

_numbers = itertools.count(1)


@pytest.fixture
def make_contract(app, make_customer):
    """``make_contract(owner, amount="10000.00", customer=None, status="signed")``:
    a contract with its customer, owner, team and currency, committed."""

    def make(owner, amount="10000.00", customer=None, status="signed", currency="CNY", number=None):
        customer = customer or make_customer(owner_id=owner.id)
        contract = Contract(
            number=number or f"HT-TEST-{next(_numbers):04d}",
            title="年度服务合同",
            customer_id=customer.id,
            owner_id=owner.id,
            team_id=owner.team_id,
            status=status,
            amount=Decimal(amount),
            currency=currency,
            signed_date=date(2026, 1, 5) if status != "draft" else None,
        )
        db.session.add(contract)
        db.session.commit()
        return contract

    return make


@pytest.fixture
def make_payment(app):
    """``make_payment(contract, amount)``: a confirmed payment, counted on
    ``Contract.collected`` as the payments service keeps it."""

    def make(contract, amount, status="confirmed"):
        payment = Payment(
            contract_id=contract.id,
            customer_id=contract.customer_id,
            owner_id=contract.owner_id,
            team_id=contract.team_id,
            amount=Decimal(amount),
            currency=contract.currency,
            paid_on=date(2026, 2, 1),
            status=status,
        )
        db.session.add(payment)
        if status == "confirmed":
            contract.collected = (contract.collected or Decimal("0")) + Decimal(amount)
        db.session.commit()
        return payment

    return make


@pytest.fixture
def billed(app):
    """``billed(customer_id, **changes)``: the customer's billing details
    saved (all six by default)."""

    def save(customer_id, actor=None, **changes):
        return save_billing_profile(customer_id, {**FULL_BILLING, **changes}, actor)

    return save


@pytest.fixture
def finance(make_user):
    """A user with the plugin's finance role (财务)."""
    return make_user(role="finance", name="Fiona Finance")


def csrf(client, path: str) -> str:
    """The CSRF token of the form on the page ``path``."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found, f"no form on {path}"
    return found.group(1)
