"""Commission rules (佣金规则): what a carrier pays the agency on a product's
premiums — or, with no product, on all the carrier's products — from a
date, and how much of it goes on to the agent and to the agent's upline.

Rates are fractions (0.25 = 25 %): ``first_year_rate`` on term 1,
``renewal_rate`` on later terms, ``agent_share`` of what the carrier pays
goes to the agent credited, ``leader_override`` of it to the agent's team
leader on top. Each lies from 0 to 1 (a 422 naming the field). The rules of
one carrier and product (the carrier-wide ones among themselves) follow one
another in time: their ``effective_from``–``effective_to`` ranges (an open
end runs for ever) may not overlap, else a 422 naming ``effective_from``;
:func:`.lines.rule_for` then finds at most one per day and product.
A change carries the ``version`` read (409 when stale) and is audited."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import marshmallow
from marshmallow import Schema, fields, validate
from sqlalchemy import Select, select

from core.api import User, check_version, db, load, refuse, save, translator

from ...models import Carrier, InsuranceCommissionRule, InsuranceProduct

_, _l = translator("insurance")
_ID = validate.Range(1, 2**31 - 1)
RATE_FIELDS = ("first_year_rate", "renewal_rate", "agent_share", "leader_override")


def _fraction(value: Decimal) -> None:
    """A rate: a fraction from 0 to 1 with at most 4 decimal places."""
    exponent = value.as_tuple().exponent
    if not (0 <= value <= 1) or (isinstance(exponent, int) and -exponent > 4):
        raise marshmallow.ValidationError(
            str(_l("give a fraction from 0 to 1 (0.25 is 25 %), at most 4 decimals"))
        )


def _rate(**kwargs) -> fields.Decimal:
    return fields.Decimal(as_string=True, validate=_fraction, **kwargs)


class CommissionRuleChange(Schema):
    """What a PATCH may change; :class:`CommissionRuleInput` requires what a
    new rule needs."""

    carrier_id = fields.Integer(strict=True, validate=_ID)
    product_id = fields.Integer(strict=True, validate=_ID, allow_none=True)
    first_year_rate = _rate()
    renewal_rate = _rate()
    agent_share = _rate()
    leader_override = _rate()
    effective_from = fields.Date()
    effective_to = fields.Date(allow_none=True)


class CommissionRuleInput(CommissionRuleChange):
    carrier_id = fields.Integer(strict=True, validate=_ID, required=True)
    product_id = fields.Integer(strict=True, validate=_ID, allow_none=True, load_default=None)
    first_year_rate = _rate(required=True)
    renewal_rate = _rate(required=True)
    agent_share = _rate(load_default=Decimal("1"))
    leader_override = _rate(load_default=Decimal("0"))
    effective_from = fields.Date(required=True)
    effective_to = fields.Date(allow_none=True, load_default=None)


def rules_query(carrier_id: int | None = None, product_id: int | None = None) -> Select:
    """The rules, of one carrier (and product) when given."""
    query = select(InsuranceCommissionRule)
    if carrier_id:
        query = query.where(InsuranceCommissionRule.carrier_id == carrier_id)
    if product_id:
        query = query.where(InsuranceCommissionRule.product_id == product_id)
    return query


def create_rule(payload: dict, actor: User | None) -> InsuranceCommissionRule:
    """A new rule (audited)."""
    data = load(CommissionRuleInput(), payload)
    _check(None, data)
    return save(InsuranceCommissionRule, None, data, actor)


def update_rule(
    rule: InsuranceCommissionRule,
    payload: dict,
    actor: User | None,
    expected_version: int | None = None,
) -> InsuranceCommissionRule:
    """Change ``rule`` (the ``version`` read guards it: 409 when stale)."""
    data = load(CommissionRuleChange(), payload)
    _check(rule, data)
    check_version(rule, expected_version)
    return save(InsuranceCommissionRule, rule, data, actor)


def _check(rule: InsuranceCommissionRule | None, data: dict) -> None:
    """The rule as it would be: its carrier and product exist (the product
    the carrier's), its range runs forward and overlaps no other of the
    same carrier and product."""
    merged: dict[str, Any] = {
        name: data.get(name, getattr(rule, name, None))
        for name in ("carrier_id", "product_id", "effective_from", "effective_to")
    }
    invalid: dict[str, list[str]] = {}
    missing: dict[str, list[str]] = {}
    carrier = db.session.get(Carrier, merged["carrier_id"])
    if carrier is None or carrier.deleted_at is not None:
        missing["carrier_id"] = [_("no carrier with this id")]
    if merged["product_id"] is not None:
        product = db.session.get(InsuranceProduct, merged["product_id"])
        if product is None:
            missing["product_id"] = [_("no product with this id")]
        elif product.carrier_id != merged["carrier_id"]:
            invalid["product_id"] = [_("a product of another carrier")]
    start, end = merged["effective_from"], merged["effective_to"]
    if end is not None and end < start:
        invalid["effective_to"] = [_("on or after the date the rule applies from")]
    elif not missing and "product_id" not in invalid:
        clash = overlapping(
            merged["carrier_id"], merged["product_id"], start, end, rule.id if rule else None
        )
        if clash is not None:
            invalid["effective_from"] = [
                _(
                    "overlaps the rule of %(start)s to %(end)s for the same carrier and product",
                    start=clash.effective_from.isoformat(),
                    end=clash.effective_to.isoformat() if clash.effective_to else "…",
                )
            ]
    refuse(invalid, missing=missing)


def overlapping(
    carrier_id: int,
    product_id: int | None,
    start: date,
    end: date | None,
    own_id: int | None = None,
) -> InsuranceCommissionRule | None:
    """Another rule of the carrier and product (None: the carrier-wide
    ones) in force on some day of ``start``–``end`` (``end`` None: for ever).
    Two ranges overlap when each starts before the other ends."""
    rule = InsuranceCommissionRule
    query = select(rule).where(
        rule.carrier_id == carrier_id,
        rule.product_id.is_(None) if product_id is None else rule.product_id == product_id,
        rule.id != (own_id or 0),
        (rule.effective_to.is_(None)) | (rule.effective_to >= start),
    )
    if end is not None:
        query = query.where(rule.effective_from <= end)
    return db.session.scalar(query.order_by(rule.effective_from).limit(1))
