"""Commission (提成): the rules and a rep's monthly statement, in one place.

A rule is a set of progressive tiers over a rep's monthly won amount in one
currency — or, with ``basis`` "collected", over the money they collected in
the month, reversals taken back in their month
(:mod:`plugins.sales.services.commission_collected`). Its reach is every
pipeline, one pipeline, or one product (of every pipeline or of one): the
most specific rule wins each amount, so a product's lines are counted by
that product's rules and only the rest of the deal by the pipeline's (or
every pipeline's) rules. Months are UTC calendar months (see
:mod:`plugins.sales.services.targets`); deals are counted only through
:func:`plugins.sales.services.access.visible_deals`. The rules' input
schemas live in :mod:`plugins.sales.services.commission_input`.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import marshmallow
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from core.api import (
    ForbiddenError,
    NotFoundError,
    Team,
    User,
    ValidationError,
    check_version,
    db,
    delete_record,
    load,
    refuse,
    save,
    sees_all,
    translator,
)

from ..models import CommissionRule, Deal, Pipeline, Product, Stage
from .access import visible_deals
from .commission_collected import collections, month_payments
from .commission_input import MAX_TIERS, RuleChange, RuleInput, TierInput

__all__ = ["MAX_TIERS", "RuleChange", "RuleInput", "TierInput"]  # the API documents them
from .targets import month_bounds, visible_team_ids

_, _l = translator("sales")
CENT = Decimal("0.01")
ZERO = Decimal("0.00")


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
    refuse(errors)  # malformed input first (422); then what it points at (404)
    missing: dict[str, list[str]] = {}
    for key, model, message in (
        ("pipeline_id", Pipeline, _("no pipeline with this id")),
        ("product_id", Product, _("no product with this id")),
        ("team_id", Team, _("no team with this id")),
    ):
        if data.get(key) and db.session.get(model, data[key]) is None:
            missing[key] = [message]
    refuse(missing=missing)
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


def may_write(actor: User | None, team_id: int | None) -> bool:
    """Whether ``actor`` may write a rule of ``team_id`` (None: company-wide).
    The system and a user who sees every team may write any rule; a team's
    manager only the rules of their team and its sub-teams — the company's
    and other teams' rules are theirs to read, not to change."""
    if actor is None or sees_all(actor):
        return True
    return team_id is not None and team_id in visible_team_ids(actor)


def check_writable(rule: CommissionRule, actor: User | None) -> None:
    """A 403 unless ``actor`` may change or delete ``rule`` (:func:`may_write`)."""
    if not may_write(actor, rule.team_id):
        raise ForbiddenError(
            _("You may read this commission rule but not change it: it is company-wide.")
            if rule.team_id is None
            else _("You may read this commission rule but not change it: it is another team's.")
        )


def _check_team(data: dict, actor: User | None) -> None:
    """The rule's new ``team_id`` must be one ``actor`` may write rules for."""
    if "team_id" not in data or may_write(actor, data["team_id"]):
        return
    raise ValidationError(
        {
            "team_id": [
                _("a company-wide rule is set by an administrator; choose your team")
                if data["team_id"] is None
                else _("choose your own team or one of its sub-teams")
            ]
        }
    )


def _check_reach(data: dict, rule: CommissionRule | None = None) -> None:
    """A rule on collected money covers whole contracts: no pipeline or product."""
    basis = data.get("basis", rule.basis if rule else "won")
    if basis != "collected":
        return
    errors = {
        key: [_("a rule on collected money covers every pipeline and product; leave it empty")]
        for key in ("pipeline_id", "product_id")
        if data.get(key, getattr(rule, key, None) if rule else None)
    }
    if errors:
        raise ValidationError(errors)


def create_rule(payload: dict, actor: User | None) -> CommissionRule:
    data = _load_rule(payload, partial=False)
    _check_team(data, actor)
    _check_reach(data)
    return save(CommissionRule, None, data, actor)


def update_rule(
    rule: CommissionRule, payload: dict, actor: User | None, expected_version: int | None = None
) -> CommissionRule:
    check_writable(rule, actor)
    data = _load_rule(payload, partial=True)
    _check_team(data, actor)
    _check_reach(data, rule)
    check_version(rule, expected_version)
    return save(CommissionRule, rule, data, actor)


def delete_rule(rule: CommissionRule, actor: User | None) -> None:
    check_writable(rule, actor)
    delete_record(rule, actor)


def rules_for(rep: User) -> list[CommissionRule]:
    """The rules that count for ``rep``: the company-wide ones and those of
    the rep's team or of a team above it."""
    teams: set[int] = set()
    team_id = rep.team_id
    while team_id is not None and team_id not in teams:  # a cycle stops too
        teams.add(team_id)
        team = db.session.get(Team, team_id)
        team_id = team.parent_id if team is not None else None
    return [r for r in rules() if r.team_id is None or r.team_id in teams]


# -- the monthly statement ----------------------------------------------------------------------


def commission(base: Decimal, tiers: list[tuple[Decimal, Decimal]]) -> tuple[Decimal, list[dict]]:
    """Progressive (marginal) commission, like tax brackets: each tier's rate
    applies only to the part of ``base`` between its ``from_amount`` and the
    next tier's. Each tier's share is rounded to the cent (half up); the
    total is the sum of the shares. A negative ``base`` (reversals above the
    month's collections) is all in the first tier, at its rate."""
    if base < 0:
        start, rate = tiers[0]
        amount = (base * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)
        end = tiers[1][0] if len(tiers) > 1 else None
        line = {"from_amount": start, "to_amount": end, "rate_percent": rate}
        return amount, [{**line, "base": base, "commission": amount}]
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
    same = [r for r in all_rules if r.currency == deal.currency and r.basis == "won"]
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
    """提成 statement of ``rep`` for ``month``: the won deals counted, the
    collected money (each payment and each reversal a line), per rule its
    base and commission tier by tier, and the totals per currency.

    Only the rules for the rep count: the company-wide ones and their
    team's (:func:`rules_for`). A rule on won deals counts the deals in its
    currency within its reach, the most specific reach winning: a product's
    rules take that product's lines, a pipeline's rules the rest of that
    pipeline's deals, the rules of every pipeline what no other rule took.
    Several rules of the same reach all count (a base rate plus a bonus). A
    deal no rule counts is listed with no ``rule_ids`` and earns nothing. A
    rule on collected money takes the month's net collected money in its
    currency (:mod:`.commission_collected`).
    """
    all_rules = rules_for(rep)
    bases: dict[int, Decimal] = {}
    totals: dict[str, dict] = {}

    def total(currency: str) -> dict:
        return totals.setdefault(
            currency, {"currency": currency, "won_amount": ZERO, "commission": ZERO}
        )

    deal_rows = []
    for deal in won_deals(viewer, rep, month):
        counted = counted_amounts(deal, all_rules)
        for rule_id, amount in counted.items():
            bases[rule_id] = bases.get(rule_id, ZERO) + amount
        total(deal.currency)["won_amount"] += deal.amount
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
    payments = month_payments(viewer, rep, month)
    collected = collections(payments)
    for rule in all_rules:
        if rule.basis == "collected" and rule.currency in collected:
            bases[rule.id] = collected[rule.currency]["net"]
    for line in payments:
        line["rule_ids"] = sorted(
            r.id for r in all_rules if r.basis == "collected" and r.currency == line["currency"]
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
                "basis": rule.basis,
                "pipeline_id": rule.pipeline_id,
                "product_id": rule.product_id,
                "team_id": rule.team_id,
                "currency": rule.currency,
                "base": bases[rule.id],
                "commission": amount,
                "tiers": lines,
            }
        )
        total(rule.currency)["commission"] += amount
    return {
        "month": month,
        "user_id": rep.id,
        "user_name": rep.name,
        "deals": deal_rows,
        "payments": payments,
        "collections": [collected[c] for c in sorted(collected)],
        "rules": rule_rows,
        "totals": [totals[c] for c in sorted(totals)],
    }
