"""Billing (收费) demo data, in English or Chinese: a price list (registration,
consultation, drugs, laboratory, imaging, a procedure, material), a lab order
owed by the first demo patient, their registration fee and the order paid at
the cashier desk by WeChat Pay and cash, and part of it refunded."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from core.api import db, instance_currency

from .models import Charge
from .services import billing

#: code, category, price, English name, Chinese name
PRICES = [
    ("REG-GENERAL", "registration", "10.00", "Registration fee (general)", "普通挂号费"),
    ("REG-EXPERT", "registration", "50.00", "Registration fee (expert)", "专家挂号费"),
    ("CONSULT", "consultation", "20.00", "Consultation", "诊查费"),
    ("DRUG-AMLO", "drug", "28.60", "Amlodipine 5 mg × 28", "氨氯地平片 5mg×28片"),
    ("DRUG-METF", "drug", "15.80", "Metformin 0.5 g × 48", "二甲双胍片 0.5g×48片"),
    ("LAB-CBC", "lab", "25.00", "Complete blood count", "血常规"),
    ("LAB-LIPID", "lab", "60.00", "Blood lipids", "血脂四项"),
    ("IMG-ECG", "imaging", "35.00", "Electrocardiogram", "心电图"),
    ("IMG-CXR", "imaging", "80.00", "Chest X-ray", "胸部X线"),
    ("PROC-DRESS", "procedure", "15.00", "Wound dressing", "换药"),
    ("MAT-SYRINGE", "material", "1.50", "Syringe", "注射器"),
]
REFUND_REASON = {"en": "The lipid test was not done", "zh_CN": "血脂检查未做"}


def load_prices(locale: str, admin) -> None:
    for code, category, price, name_en, name_zh in PRICES:
        payload = {"code": code, "name": name_zh if locale == "zh_CN" else name_en}
        payload |= {"name_zh": name_zh, "category": category, "price": price}
        billing.create_price_item(payload | {"currency": instance_currency()}, admin)


def load_billing(locale: str, patients, cashier) -> None:
    """The price list; the first patient's lab order and registration paid;
    the lipid test refunded (approved at once: no approval flow in the demo)."""
    load_prices(locale, cashier)
    if not patients:
        return
    first = patients[0]
    lines = [billing.line_for("LAB-CBC"), billing.line_for("LAB-LIPID")]
    billing.add_charges(first.id, visit_id=None, source="order", source_id=1, lines=lines)
    db.session.commit()
    owed = list(
        db.session.scalars(
            select(Charge).where(Charge.customer_id == first.id, Charge.status == "unpaid")
        )
    )
    total = sum((c.amount for c in owed), Decimal("0"))
    tenders = [
        {"method": "wechat", "amount": "50.00"},
        {"method": "cash", "amount": f"{total - Decimal('50.00') + Decimal('5.00'):.2f}"},
    ]
    payment = billing.take_payment(
        {"customer_id": first.id, "charge_ids": [c.id for c in owed], "tenders": tenders}, cashier
    )
    lipid = next(c for c in payment.charges if c.item_code == "LAB-LIPID")
    billing.request_refund(
        {"payment_id": payment.id, "charge_ids": [lipid.id], "reason": REFUND_REASON[locale]},
        cashier,
    )
