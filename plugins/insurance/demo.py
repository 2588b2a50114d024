"""A few policies, some close to renewal, in English or Chinese: one
carrier and its products, a term per policyholder, paid for the year; the
agents who sold them, licensed; and a claim being assessed."""

from datetime import timedelta
from decimal import Decimal

from core.api import User, db, utcnow

from .models import Agent, Carrier, InsuranceProduct, Policy, PolicyTransaction

PRODUCTS = {
    "en": [
        ("Group health", "health"),
        ("Commercial property", "property"),
        ("Fleet motor", "motor"),
        ("Key person life", "life"),
    ],
    "zh_CN": [
        ("团体医疗险", "health"),
        ("企业财产险", "property"),
        ("车队综合险", "motor"),
        ("关键人员寿险", "life"),
    ],
}
CARRIER = {"en": "Evergreen Mutual", "zh_CN": "长青人寿保险"}
CLAIM = {
    "en": "Water damage in the warehouse after the storm; roof drain blocked.",
    "zh_CN": "暴雨后仓库进水受损，屋顶排水口堵塞。",
}


def load_demo(locale, customers, users) -> None:
    today = utcnow().date()
    currency = "CNY" if locale == "zh_CN" else "USD"
    carrier = Carrier(code="EVG", name=CARRIER[locale])
    db.session.add(carrier)
    db.session.flush()
    products = []
    for i, (name, line) in enumerate(PRODUCTS[locale]):
        product = InsuranceProduct(
            carrier_id=carrier.id,
            code=f"EVG-{i + 1}",
            name=name,
            line=line,
            currency=currency,
            fixed_premium=Decimal("12800.00"),
            effective_from=today - timedelta(days=3 * 365),
        )
        db.session.add(product)
        products.append(product)
    db.session.flush()
    policies = []
    for i, customer in enumerate(customers[::2]):
        start = today - timedelta(days=365 - 10 * i)
        product = products[i % 4]
        premium = Decimal("12800.00") + 1500 * i
        policy = Policy(
            number=f"P{today:%y}-{1000 + i}",
            customer_id=customer.id,
            product_id=product.id,
            carrier_id=carrier.id,
            line=product.line,
            status="in_force",
            annual_premium=premium,
            term_premium=premium,
            currency=currency,
            start_date=start,
            end_date=start + timedelta(days=364),
            inception_on=start,
            issued_on=start,
            paid_to_date=start + timedelta(days=364),
            agent_id=customer.owner_id,
            team_id=customer.team_id,
        )
        db.session.add(policy)
        db.session.flush()
        policies.append(policy)
        db.session.add(
            PolicyTransaction(
                policy_id=policy.id,
                seq=1,
                kind="new_business",
                effective_on=start,
                booked_on=start,
                premium_delta=premium,
                annual_premium_after=premium,
                customer_id=customer.id,
                agent_id=policy.agent_id,
                team_id=policy.team_id,
                carrier_id=carrier.id,
                product_id=product.id,
                line=product.line,
                currency=currency,
            )
        )
    _agents_and_a_claim(locale, policies, today)


def _agents_and_a_claim(locale: str, policies: list[Policy], today) -> None:
    """Every agent of the demo's policies licensed for two more years, and a
    claim reported on the first policy of an agent, now being assessed."""
    agents = sorted({p.agent_id for p in policies if p.agent_id is not None})
    for n, user_id in enumerate(agents, 1):
        db.session.add(
            Agent(
                user_id=user_id,
                code=f"AG{n:03}",
                licence_no=f"0201{n:04}000{n:04}",
                licence_expires_on=today + timedelta(days=730),
            )
        )
    db.session.flush()
    insured = next((p for p in policies if p.agent_id is not None), None)
    if insured is None:
        return
    from .services.claims.lifecycle import transition
    from .services.claims.reporting import report_claim

    agent = db.session.get(User, insured.agent_id)
    claim = report_claim(
        {
            "policy_id": insured.id,
            "loss_date": (today - timedelta(days=5)).isoformat(),
            "claimed_amount": "8600.00",
            "description": CLAIM[locale],
        },
        agent,
    )
    transition(claim, "submit", None)  # the agent sent the forms in
