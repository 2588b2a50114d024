"""Commission (提成): the rules and a rep's monthly statement, in one place.

A rule is a set of progressive tiers over a rep's monthly won amount in one
currency. Its reach is every pipeline, one pipeline, or one product (of
every pipeline or of one): the most specific rule wins each amount, so a
product's lines are counted by that product's rules and only the rest of
the deal by the pipeline's (or every pipeline's) rules. Months are UTC
calendar months (see :mod:`plugins.sales.services.targets`); deals are counted only
through :func:`plugins.sales.services.access.visible_deals`.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import marshmallow
from marshmallow import Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from core.api import (
    NotFoundError,
    User,
    ValidationError,
    check_version,
    db,
    delete_record,
    load,
    save,
    translator,
)

from ..models import CommissionRule, Deal, Pipeline, Product, Stage
from .access import visible_deals
from .targets import month_bounds
from .validation import Id, known_currency, money_amount

_, _l = translator("sales")
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_TIERS = 20


def rate_percent(value: Decimal) -> None:
    if not value.is_finite() or not 0 <= value <= 100:
        raise marshmallow.ValidationError(_("must be from 0 to 100"))
    if value.as_tuple().exponent < -2:
        raise marshmallow.ValidationError(_("use at most two decimal places"))


class TierInput(Schema):
    from_amount = fields.Decimal(
        required=True,
        as_string=True,
        validate=money_amount,
        metadata={"description": "the tier applies above this amount"},
    )
    rate_percent = fields.Decimal(
        required=True,
        as_string=True,
        validate=rate_percent,
        metadata={"description": "0 to 100, two decimals at most"},
    )


class RuleInput(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    pipeline_id = Id(
        allow_none=True,
        load_default=None,
        metadata={"description": "only this pipeline's deals; empty: every pipeline"},
    )
    product_id = Id(
        allow_none=True,
        load_default=None,
        metadata={
            "description": "only the deal lines of this product (they then count for no "
            "pipeline-wide rule); empty: whole deals"
        },
    )
    currency = fields.String(load_default="CNY", validate=known_currency)
    tiers = fields.List(
        fields.Nested(TierInput),
        required=True,
        validate=validate.Length(min=1, max=MAX_TIERS),
        metadata={"description": "progressive tiers, the first from 0, from_amount increasing"},
    )


# -- rules ----------------------------------------------------------------------------------------


def rules() -> list[CommissionRule]:
    return list(db.session.scalars(select(CommissionRule).order_by(CommissionRule.id)))


def get_rule(rule_id: int) -> CommissionRule:
    rule = db.session.get(CommissionRule, rule_id)
    if rule is None:
        raise NotFoundError(_("commission rule %(id)s not found", id=rule_id))
    return rule


def tiers_of(rule: CommissionRule) -> list[tuple[Decimal, Decimal]]:
    """The rule's tiers as ``(from_amount, rate_percent)`` Decimals."""
    return [(Decimal(t["from_amount"]), Decimal(t["rate_percent"])) for t in rule.tiers]


def _load_rule(payload: dict, partial: bool) -> dict:
    """Validate a rule; errors name the field, a tier's as ``tiers.<n>.<field>``."""
    if not isinstance(payload, dict):
        raise ValidationError({"_schema": [_("expected a JSON object")]})
    payload = dict(payload)
    tiers = payload.pop("tiers", marshmallow.missing)
    errors: dict[str, list[str]] = {}
    try:
        data = load(RuleInput(exclude=("tiers",)), payload, partial=partial)
    except ValidationError as exc:
        data, errors = {}, dict(exc.errors)
    if tiers is not marshmallow.missing or not partial:
        data["tiers"] = _load_tiers(tiers, errors)
    if (
        not errors
        and data.get("pipeline_id")
        and db.session.get(Pipeline, data["pipeline_id"]) is None
    ):
        errors["pipeline_id"] = [_("no pipeline with this id")]
    if (
        not errors
        and data.get("product_id")
        and db.session.get(Product, data["product_id"]) is None
    ):
        errors["product_id"] = [_("no product with this id")]
    if errors:
        raise ValidationError(errors)
    return data


def _load_tiers(tiers, errors: dict) -> list[dict]:
    if not isinstance(tiers, list) or not 1 <= len(tiers) <= MAX_TIERS:
        errors["tiers"] = [_("give from 1 to %(max)d tiers", max=MAX_TIERS)]
        return []
    loaded = []
    for i, tier in enumerate(tiers):
        try:
            loaded.append(load(TierInput(), tier))
        except ValidationError as exc:
            errors.update(
                {
                    f"tiers.{i}" if k == "_schema" else f"tiers.{i}.{k}": v
                    for k, v in exc.errors.items()
                }
            )
    if len(loaded) != len(tiers):
        return []
    if loaded[0]["from_amount"] != 0:
        errors["tiers.0.from_amount"] = [_("the first tier starts at 0")]
    for i in range(1, len(loaded)):
        if loaded[i]["from_amount"] <= loaded[i - 1]["from_amount"]:
            errors[f"tiers.{i}.from_amount"] = [_("must be above the previous tier's")]
    return [
        {
            "from_amount": str(t["from_amount"].quantize(CENT)),
            "rate_percent": str(t["rate_percent"].quantize(CENT)),
        }
        for t in loaded
    ]


def create_rule(payload: dict, actor: User | None) -> CommissionRule:
    data = _load_rule(payload, partial=False)
    return save(CommissionRule, None, data, actor)


def update_rule(
    rule: CommissionRule, payload: dict, actor: User | None, expected_version: int | None = None
) -> CommissionRule:
    data = _load_rule(payload, partial=True)
    check_version(rule, expected_version)
    return save(CommissionRule, rule, data, actor)


def delete_rule(rule: CommissionRule, actor: User | None) -> None:
    delete_record(rule, actor)


# -- the monthly statement ----------------------------------------------------------------------


def commission(base: Decimal, tiers: list[tuple[Decimal, Decimal]]) -> tuple[Decimal, list[dict]]:
    """Progressive (marginal) commission, like tax brackets: each tier's rate
    applies only to the part of ``base`` between its ``from_amount`` and the
    next tier's. Each tier's share is rounded to the cent (half up); the
    total is the sum of the shares."""
    lines = []
    for i, (start, rate) in enumerate(tiers):
        end = tiers[i + 1][0] if i + 1 < len(tiers) else None
        portion = max(ZERO, (base if end is None else min(base, end)) - start)
        lines.append(
            {
                "from_amount": start,
                "to_amount": end,
                "rate_percent": rate,
                "base": portion,
                "commission": (portion * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP),
            }
        )
    return sum((line["commission"] for line in lines), ZERO), lines


def won_deals(viewer: User, rep: User, month: str) -> list[Deal]:
    """The deals ``rep`` won in ``month`` (UTC) that ``viewer`` may see, oldest first."""
    start, end = month_bounds(month)
    return list(
        db.session.scalars(
            visible_deals(viewer)
            .join(Stage, Stage.id == Deal.stage_id)
            .where(
                Stage.outcome == "won",
                Deal.owner_id == rep.id,
                Deal.closed_at >= start,
                Deal.closed_at < end,
            )
            .options(joinedload(Deal.customer), joinedload(Deal.pipeline), selectinload(Deal.lines))
            .order_by(Deal.closed_at, Deal.id)
        )
    )


def _most_specific(candidates: list[CommissionRule], pipeline_id: int) -> list[CommissionRule]:
    """The rules of the deal's pipeline, or else those of every pipeline."""
    return [r for r in candidates if r.pipeline_id == pipeline_id] or [
        r for r in candidates if r.pipeline_id is None
    ]


def counted_amounts(deal: Deal, all_rules: list[CommissionRule]) -> dict[int, Decimal]:
    """How much of ``deal`` each rule counts: a product's rules take the
    totals of that product's lines, the deal's other rules the rest."""
    same = [r for r in all_rules if r.currency == deal.currency]
    counted: dict[int, Decimal] = {}
    by_product = ZERO
    for line in deal.lines:
        if line.product_id is None:
            continue
        matching = _most_specific(
            [r for r in same if r.product_id == line.product_id], deal.pipeline_id
        )
        for rule in matching:
            counted[rule.id] = counted.get(rule.id, ZERO) + line.total
        if matching:
            by_product += line.total
    rest = deal.amount - by_product
    if rest > 0 or not counted:
        for rule in _most_specific([r for r in same if r.product_id is None], deal.pipeline_id):
            counted[rule.id] = counted.get(rule.id, ZERO) + max(rest, ZERO)
    return counted


def statement(viewer: User, rep: User, month: str) -> dict:
    """提成 statement of ``rep`` for ``month``: the won deals counted, per rule
    its base and commission tier by tier, and the totals per currency.

    A rule counts the deals in its currency within its reach, the most
    specific reach winning: a product's rules take that product's lines, a
    pipeline's rules the rest of that pipeline's deals, the rules of every
    pipeline what no other rule took. Several rules of the same reach all
    count (a base rate plus a bonus). A deal no rule counts is listed with no
    ``rule_ids`` and earns nothing.
    """
    deals = won_deals(viewer, rep, month)
    all_rules = rules()
    bases: dict[int, Decimal] = {}
    totals: dict[str, dict] = {}
    deal_rows = []
    for deal in deals:
        counted = counted_amounts(deal, all_rules)
        for rule_id, amount in counted.items():
            bases[rule_id] = bases.get(rule_id, ZERO) + amount
        total = totals.setdefault(
            deal.currency, {"currency": deal.currency, "won_amount": ZERO, "commission": ZERO}
        )
        total["won_amount"] += deal.amount
        deal_rows.append(
            {
                "id": deal.id,
                "title": deal.title,
                "customer": deal.customer.name,
                "pipeline": deal.pipeline.name,
                "amount": deal.amount,
                "currency": deal.currency,
                "closed_at": deal.closed_at,
                "rule_ids": sorted(counted),
            }
        )
    rule_rows = []
    for rule in all_rules:
        if rule.id not in bases:
            continue
        amount, lines = commission(bases[rule.id], tiers_of(rule))
        rule_rows.append(
            {
                "rule_id": rule.id,
                "name": rule.name,
                "pipeline_id": rule.pipeline_id,
                "product_id": rule.product_id,
                "currency": rule.currency,
                "base": bases[rule.id],
                "commission": amount,
                "tiers": lines,
            }
        )
        totals[rule.currency]["commission"] += amount
    return {
        "month": month,
        "user_id": rep.id,
        "user_name": rep.name,
        "deals": deal_rows,
        "rules": rule_rows,
        "totals": [totals[c] for c in sorted(totals)],
    }
