"""No path shows a rep another rep's private records: core and every
built-in plugin run the same reusable check (core.testing.scope_leak_check)."""

from datetime import date, timedelta
from decimal import Decimal

from core.api import db, utcnow


def test_customers_leak_through_no_path(scope_leak_check, make_customer):
    counter = iter(range(1000))

    def create(owner):
        return make_customer(name=f"Leak customer {next(counter)}", owner_id=owner.id)

    scope_leak_check(
        create,
        lambda c: c.name,
        api_list="/api/v1/customers",
        api_detail="/api/v1/customers/{id}",
        pages=["/customers/", "/customers/{id}", "/", "/api/v1/customers/export"],
        permissions=["customer.read", "customer.export"],
    )


def test_customer_search_leaks_nothing(scope_leak_check, make_customer):
    def create(owner):
        return make_customer(name=f"Needle {owner.id}", owner_id=owner.id)

    scope_leak_check(
        create,
        lambda c: c.name,
        api_list="/api/v1/customers?q=Needle",
        pages=["/customers/?q=Needle"],
        permissions=["customer.read"],
    )


def test_contacts_and_timelines_leak_nothing(scope_leak_check, make_customer, make_contact):
    def create(owner):
        return make_contact(customer=make_customer(owner_id=owner.id), name=f"Li {owner.id}")

    scope_leak_check(
        create, lambda c: c.name, api_detail="/api/v1/contacts/{id}", permissions=["customer.read"]
    )


def test_deals_leak_nothing(scope_leak_check, make_customer):
    from plugins.sales.models import Deal, Pipeline, Stage

    pipeline = Pipeline(name="Leak pipeline")
    db.session.add(pipeline)
    db.session.flush()
    stage = Stage(pipeline_id=pipeline.id, name="S", position=0)
    db.session.add(stage)
    db.session.commit()

    def create(owner):
        customer = make_customer(owner_id=owner.id, team_id=owner.team_id)
        deal = Deal(
            title=f"Deal of {owner.email}",
            customer_id=customer.id,
            pipeline_id=pipeline.id,
            stage_id=stage.id,
            amount=Decimal(1),
            owner_id=owner.id,
            team_id=owner.team_id,
        )
        db.session.add(deal)
        db.session.commit()
        return deal

    scope_leak_check(
        create, lambda d: d.title, pages=["/sales/deals"], permissions=["sales.deal.read"]
    )


def test_work_orders_leak_nothing(scope_leak_check, make_customer):
    from plugins.service_dispatch.models import WorkOrder

    def create(owner):
        order = WorkOrder(
            number=f"WO-LEAK-{owner.id}",
            title="Fix",
            team_id=owner.team_id,
            customer_id=make_customer().id,
            engineer_id=owner.id,
        )
        db.session.add(order)
        db.session.commit()
        return order

    scope_leak_check(
        create,
        lambda o: o.number,
        pages=["/service/work-orders"],
        permissions=["service.order.read"],
    )


def test_policies_leak_nothing(scope_leak_check, make_customer):
    from plugins.insurance.tests.factories import make_policy

    def create(owner):
        today = date.today()
        policy = make_policy(
            make_customer(owner_id=owner.id, team_id=owner.team_id),
            owner,
            f"P-LEAK-{owner.id}",
            today,
            today + timedelta(days=365),
            premium="1.00",
            product="Motor",
            team_id=owner.team_id,
        )
        db.session.commit()
        return policy

    scope_leak_check(
        create,
        lambda p: p.number,
        pages=["/insurance/policies"],
        permissions=["insurance.policy.read"],
    )


def test_visits_leak_nothing(scope_leak_check, make_customer):
    from plugins.his.models import Visit

    def create(owner):
        visit = Visit(
            customer_id=make_customer(name=f"Patient {owner.id}").id,
            department="Dentistry",
            doctor_id=owner.id,
            team_id=owner.team_id,
            visited_at=utcnow(),
        )
        db.session.add(visit)
        db.session.commit()
        return visit

    scope_leak_check(
        create, lambda v: v.customer.name, pages=["/his/visits"], permissions=["his.visit.read"]
    )
