"""A few policies, some close to renewal, in English or Chinese."""

from datetime import timedelta
from decimal import Decimal

from core.api import db, utcnow

from .models import Policy

PRODUCTS = {
    "en": ["Group health", "Commercial property", "Fleet motor", "Key person life"],
    "zh_CN": ["团体医疗险", "企业财产险", "车队综合险", "关键人员寿险"],
}


def load_demo(locale, customers, users) -> None:
    today = utcnow().date()
    for i, customer in enumerate(customers[::2]):
        start = today - timedelta(days=365 - 10 * i)
        db.session.add(
            Policy(
                number=f"P{today:%y}-{1000 + i}",
                customer_id=customer.id,
                product=PRODUCTS[locale][i % 4],
                premium=Decimal("12800.00") + 1500 * i,
                currency="CNY" if locale == "zh_CN" else "USD",
                start_date=start,
                end_date=start + timedelta(days=365),
                agent_id=customer.owner_id,
                team_id=customer.team_id,
            )
        )
