"""The demo's price list, commission rule, this month's targets and the web
form leads come in through, in English or Chinese — so the products, deal
lines, commission statement, targets and web-form pages show something."""

from __future__ import annotations

import secrets
from decimal import Decimal

from core.api import db, utcnow

from ..models import LeadForm
from ..services.commission import create_rule
from ..services.products import create_product
from ..services.targets import set_target

PRODUCTS = {
    "en": [
        ("SVC-PLAN", "Annual service plan", "1200.00"),
        ("UNIT-AC", "Air conditioner, 1.5 HP", "899.00"),
        ("FLT-RO", "Water filter cartridge", "39.90"),
        ("INST", "Installation", "150.00"),
    ],
    "zh_CN": [
        ("SVC-PLAN", "年度维保服务", "8800.00"),
        ("UNIT-AC", "1.5 匹空调", "3299.00"),
        ("FLT-RO", "净水器滤芯", "268.00"),
        ("INST", "上门安装", "200.00"),
    ],
}
TEXT = {
    "en": {"rule": "Company commission", "form": "Website contact form"},
    "zh_CN": {"rule": "公司提成方案", "form": "官网联系表单"},
}


def load_demo(locale: str, reps: list, currency: str) -> None:
    """Everything in ``currency``: the demo's market's, not the instance's."""
    text = TEXT.get(locale, TEXT["en"])
    for code, name, price in PRODUCTS.get(locale, PRODUCTS["en"]):
        create_product(
            {"code": code, "name": name, "unit_price": price, "currency": currency}, None
        )
    create_rule(
        {
            "name": text["rule"],
            "currency": currency,
            "tiers": [
                {"from_amount": "0", "rate_percent": "3"},
                {"from_amount": "50000", "rate_percent": "5"},
            ],
        },
        None,
    )
    month = f"{utcnow():%Y-%m}"
    for i, rep in enumerate(reps):
        amount = Decimal(60000 + 20000 * i).quantize(Decimal("0.01"))
        set_target(
            {"month": month, "user_id": rep.id, "amount": str(amount), "currency": currency}, None
        )
    db.session.add(LeadForm(name=text["form"], key=secrets.token_urlsafe(24), source="website"))
    db.session.flush()
