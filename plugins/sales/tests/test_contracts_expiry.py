"""Contracts coming to an end: the "contract expiring" follow-up rule
creates the owner's task once; "Renew" opens a renewal deal named after an
expiring or completed contract, and only for one."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from core.api import Activity, create_followup_plan, db
from plugins.sales.models import Deal
from plugins.sales.services import pipelines as pipeline_service

from .test_contracts import contact, customer, make_contract, people  # noqa: F401  (fixtures)
from .test_contracts_web import STAGES, signed_contract, stored, token  # noqa: F401


def test_the_expiry_rule_creates_the_owners_task_once(people, signed_contract, run_due):  # noqa: F811
    create_followup_plan(
        {"name": "Expiring", "rule": "sales_contract_expiring", "params": {"days": 30}}, None
    )
    assert run_due(datetime(2030, 11, 1, 9, tzinfo=UTC)).created == 0  # 60 days ahead
    assert run_due(datetime(2030, 12, 5, 9, tzinfo=UTC)).created == 1
    assert run_due(datetime(2030, 12, 6, 9, tzinfo=UTC)).created == 0
    (task,) = db.session.scalars(select(Activity).where(Activity.kind == "task")).all()
    assert task.owner_id == people["rep"].id and signed_contract.number in task.subject
    assert (task.link_type, task.link_id) == ("sales_contract", signed_contract.id)


def test_renew_opens_a_renewal_deal_named_after_the_contract(
    people,
    signed_contract,
    login_as,  # noqa: F811
):
    pipeline_service.create_pipeline({"name": "New", "stages": STAGES}, None)
    browser = login_as(people["rep"])
    cid = signed_contract.id
    csrf = token(browser, f"/sales/contracts/{cid}")
    browser.post(f"/sales/contracts/{cid}/activate", data={"csrf_token": csrf})
    browser.post(f"/sales/contracts/{cid}/complete", data={"csrf_token": csrf})
    assert stored(cid).status == "completed"
    assert "/renew" in browser.get(f"/sales/contracts/{cid}").text
    renewed = browser.post(f"/sales/contracts/{cid}/renew", data={"csrf_token": csrf})
    assert renewed.status_code == 302
    deal = db.session.scalar(select(Deal))
    assert signed_contract.number in deal.title and deal.customer_id == signed_contract.customer_id
    assert renewed.headers["Location"].endswith(f"/sales/deals/{deal.id}")
    assert str(deal.amount) == "5000.00" and deal.owner_id == people["rep"].id


def test_a_draft_is_not_renewed(people, make_contract, login_as):  # noqa: F811
    pipeline_service.create_pipeline({"name": "New", "stages": STAGES}, None)
    contract = make_contract()
    browser = login_as(people["rep"])
    csrf = token(browser, f"/sales/contracts/{contract.id}")
    browser.post(f"/sales/contracts/{contract.id}/renew", data={"csrf_token": csrf})
    assert db.session.scalar(select(func.count(Deal.id))) == 0
