"""Outpatient cover per insured person, and two payments at once: the
deductible and the limit are each insured person's, and two cashiers
taking a share for patients of the same term at the same moment never pay
more than the limit — each payment on its own connection (two threads),
on SQLite and PostgreSQL.

Figures by hand: co-payment 20 % (the insurer pays 80 %)."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

from core.api import db
from core.testing import plugin_module
from plugins.insurance.models import Insured, Person

from .test_outpatient_coverage import cash, claims_of, desk, insurance, insure  # noqa: F401


def _insure_spouse(policy, holder, spouse) -> Insured:
    person = Person(customer_id=holder.id, person_customer_id=spouse.id, name=spouse.name)
    db.session.add(person)
    db.session.flush()
    row = Insured(policy_id=policy.id, person_id=person.id, relation="spouse")
    db.session.add(row)
    db.session.commit()
    return row


def test_each_insured_person_has_their_own_deductible_and_limit(desk, make_customer):
    holder, spouse = desk.patient, make_customer(name="Li Na")
    policy = insure(
        holder, outpatient_deductible=Decimal("50.00"), outpatient_limit=Decimal("100.00")
    )
    row = _insure_spouse(policy, holder, spouse)
    mine = desk.pay(holder, desk.owe(holder, ("drug", "200.00")), insurance(), cash("100.00"))
    assert mine.json["covered"] == "100.00"  # (200 − 50) × 80 % = 120, capped at 100
    # the spouse's own deductible (50) and limit (100) are untouched by the holder's bill
    hers = desk.pay(spouse, desk.owe(spouse, ("drug", "60.00")), insurance(), cash("52.00"))
    assert hers.status_code == 201 and hers.json["covered"] == "8.00"  # (60 − 50) × 80 %
    again = desk.pay(spouse, desk.owe(spouse, ("drug", "100.00")), insurance(), cash("20.00"))
    assert again.json["covered"] == "80.00"  # her deductible is used up
    spent = desk.pay(holder, desk.owe(holder, ("drug", "10.00")), insurance(), cash("10.00"))
    assert spent.status_code == 409 and "tenders" in spent.json["errors"]  # his limit is
    claims = claims_of(policy)
    assert [(c.insured_id, c.claimed_amount, c.paid_amount) for c in claims] == [
        (None, Decimal("200.00"), Decimal("100.00")),
        (row.id, Decimal("60.00"), Decimal("8.00")),
        (row.id, Decimal("100.00"), Decimal("80.00")),
    ]
    assert {c.customer_id for c in claims} == {holder.id}  # the policyholder's claims


def test_a_family_shared_cover_has_one_deductible_and_limit_for_all_it_insures(desk, make_customer):
    holder, spouse = desk.patient, make_customer(name="Li Na")
    policy = insure(
        holder,
        outpatient_deductible=Decimal("50.00"),
        outpatient_limit=Decimal("100.00"),
        outpatient_shared=True,
    )
    _insure_spouse(policy, holder, spouse)
    first = desk.pay(holder, desk.owe(holder, ("drug", "40.00")), cash("40.00"))
    assert first.status_code == 201  # inside the family's deductible: 10 of it left
    hers = desk.pay(spouse, desk.owe(spouse, ("drug", "60.00")), insurance(), cash("20.00"))
    assert hers.status_code == 201 and hers.json["covered"] == "40.00"  # (60 − 10) × 80 %
    mine = desk.pay(holder, desk.owe(holder, ("drug", "100.00")), insurance(), cash("40.00"))
    assert mine.json["covered"] == "60.00"  # 80, capped by the 60 left of the family's 100
    spent = desk.pay(spouse, desk.owe(spouse, ("drug", "10.00")), insurance(), cash("10.00"))
    assert spent.status_code == 409 and "tenders" in spent.json["errors"]
    paid = [c.paid_amount for c in claims_of(policy)]
    assert paid == [Decimal("0.00"), Decimal("40.00"), Decimal("60.00")]


def test_the_product_form_offers_the_shared_cover_and_its_page_says_so(desk, login_as, make_user):
    from plugins.insurance.models import InsuranceProduct

    policy = insure(desk.patient, outpatient_shared=True)
    url = f"/insurance/products/{db.session.get(InsuranceProduct, policy.product_id).id}"
    form = login_as(desk.admin).get(url).get_data(as_text=True)
    assert 'name="outpatient_shared" value="1" checked' in form  # the admin's form, ticked
    page = login_as(make_user(role="manager")).get(url)
    assert page.status_code == 200
    assert "<dd>Shared by the family</dd>" in page.get_data(as_text=True)  # the terms, said


def test_a_policyholder_insured_by_a_row_of_their_own_keeps_one_deductible(desk):
    holder = desk.patient
    policy = insure(holder, outpatient_deductible=Decimal("100.00"))
    first = desk.pay(holder, desk.owe(holder, ("drug", "60.00")), cash("60.00"))
    assert first.status_code == 201  # within the deductible: a claim of no row, paying 0
    person = Person(customer_id=holder.id, person_customer_id=holder.id, name=holder.name)
    db.session.add(person)
    db.session.flush()
    db.session.add(Insured(policy_id=policy.id, person_id=person.id, relation="self"))
    db.session.commit()
    second = desk.pay(holder, desk.owe(holder, ("drug", "90.00")), insurance(), cash("58.00"))
    assert second.json["covered"] == "40.00"  # (90 − the 40 left) × 80 %
    assert [c.insured_id is None for c in claims_of(policy)] == [True, False]


def test_two_payments_at_once_never_pay_more_than_the_limit(desk, as_user, trellis_register_plugin):
    """The first payment is held inside its transaction (after the cashier's
    question, before the commit) while the second asks for the cover: on
    PostgreSQL the second waits for the term's row and is answered from
    what is left (20). SQLite has no row lock: the second is answered 20
    when its request's first write waited for the first's commit, and when
    it read the cover before, the check in its own write transaction
    refuses it (409 on ``tenders``) — never 80 twice."""
    policy = insure(desk.patient, outpatient_limit=Decimal("100.00"))
    bills = [desk.owe(desk.patient, ("drug", "100.00")) for _ in range(2)]
    patient_id = desk.patient.id
    inside, go, heard = threading.Event(), threading.Event(), []

    def taken(payment):  # the first payment stops inside its transaction
        heard.append(payment.id)
        if len(heard) == 1:
            inside.set()
            go.wait(20)

    trellis_register_plugin(plugin_module("pause", trellis_his_payment_taken=taken))
    clients = [as_user(desk.cashier), as_user(desk.cashier)]
    answers: dict[int, tuple[int, dict]] = {}

    def pay(n: int) -> None:
        body = {"customer_id": patient_id, "charge_ids": bills[n], "tenders": []}
        body["tenders"] = [insurance(), cash("100.00")]
        answer = clients[n].post("/api/v1/his/payments", json=body)
        answers[n] = (answer.status_code, answer.json)

    first = threading.Thread(target=pay, args=(0,))
    first.start()
    assert inside.wait(20), answers
    second = threading.Thread(target=pay, args=(1,))
    second.start()
    time.sleep(0.8)  # the second asks for the cover while the first holds it
    go.set()
    first.join(30)
    second.join(30)
    assert answers[0][0] == 201 and answers[0][1]["covered"] == "80.00", answers
    served = answers[1][0] == 201
    if db.engine.dialect.name == "postgresql" or served:
        assert served and answers[1][1]["covered"] == "20.00", answers
    else:
        assert answers[1][0] == 409 and "tenders" in answers[1][1]["errors"], answers
    db.session.expire_all()
    paid = [c.paid_amount for c in claims_of(policy)]
    assert paid == [Decimal("80.00"), Decimal("20.00")] if served else [Decimal("80.00")]
