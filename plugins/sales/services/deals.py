"""Deals: create, edit and move through a pipeline's stages — the rules in
one place, each call one transaction, events after it commits.

Every stage move is kept (``StageChange``), written to the audit log and to
the customer's timeline, and fires ``trellis_sales_deal_stage_changed`` plus
``trellis_sales_deal_won`` / ``trellis_sales_deal_lost`` for other plugins.
Pipelines and their stages: :mod:`.pipelines`.
"""

from __future__ import annotations

from decimal import Decimal

from marshmallow import Schema, fields, validate

from core.api import (
    Contact,
    User,
    audit,
    check_transfer,
    check_version,
    customer_for,
    db,
    emit,
    ensure_unlocked,
    load,
    log_activity,
    refuse,
    snapshot,
    transaction,
    translator,
    utcnow,
)

from ..models import Deal, Pipeline, Stage, StageChange
from .validation import Currency, DefaultCurrency, Id, Money

_, _l = translator("sales")


class DealInput(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    customer_id = Id(required=True)
    contact_id = Id(allow_none=True)
    pipeline_id = Id(required=True)
    stage_id = Id(allow_none=True)
    amount = Money(
        load_default=Decimal("0"),
        metadata={"description": "0 to 999999999999.99, two decimals at most"},
    )
    currency = DefaultCurrency()
    expected_close = fields.Date(allow_none=True)
    owner_id = Id(allow_none=True)


class DealChange(DealInput):
    """What an edit may change, none of it required; the stage moves through
    :func:`move_stage`."""

    title = fields.String(validate=validate.Length(min=1, max=200))
    amount = Money(metadata={"description": "0 to 999999999999.99, two decimals at most"})
    currency = Currency()

    class Meta:
        exclude = ("customer_id", "pipeline_id", "stage_id")


def create_deal(payload: dict, actor: User | None) -> Deal:
    data = load(DealInput(), payload)
    pipeline = db.session.get(Pipeline, data["pipeline_id"])
    missing: dict[str, list[str]] = {}
    if pipeline is None:
        missing["pipeline_id"] = [_("no pipeline with this id")]
    customer = customer_for(data["customer_id"], actor)
    if customer is None:
        missing["customer_id"] = [_("no customer with this id")]
    stage = None
    if pipeline is not None:
        stage = _stage_of(
            pipeline,
            data.pop("stage_id", None) or pipeline.stages[0].id if pipeline.stages else None,
            missing,
        )
    _check_people(data, data["customer_id"], missing)
    refuse(missing=missing)
    owner_id = data.get("owner_id") or (actor.id if actor else None)
    owner = db.session.get(User, owner_id) if owner_id else None
    with transaction():
        deal = Deal(
            **{
                **data,
                "stage_id": stage.id,
                "owner_id": owner_id,
                "team_id": owner.team_id if owner else customer.team_id,
            }
        )
        deal.closed_at = utcnow() if stage.outcome != "open" else None
        deal.furthest_position = (
            stage.position if stage.outcome != "lost" else min(s.position for s in pipeline.stages)
        )
        db.session.add(deal)
        db.session.flush()
        db.session.add(
            StageChange(deal_id=deal.id, to_stage_id=stage.id, user_id=actor.id if actor else None)
        )
        audit(actor, deal, "create", None, snapshot(deal))
        _timeline(
            deal, actor, _("New deal %(title)s (%(stage)s)", title=deal.title, stage=stage.name)
        )
        emit("sales_deal_created", deal=deal)
    return deal


def update_deal(
    deal: Deal, payload: dict, actor: User | None, expected_version: int | None = None
) -> Deal:
    ensure_unlocked(deal)  # a deal waiting for approval stays as it was submitted
    data = load(DealChange(), payload, partial=True)
    errors: dict[str, list[str]] = {}
    missing: dict[str, list[str]] = {}
    _check_people(data, deal.customer_id, missing)
    if deal.lines and "amount" in data and data["amount"] != deal.amount:
        errors["amount"] = [_("this deal is worth the sum of its lines; change the lines")]
    if deal.lines and data.get("currency", deal.currency) != deal.currency:
        errors["currency"] = [
            _(
                "the lines are priced in %(currency)s; change the lines first",
                currency=deal.currency,
            )
        ]
    refuse(errors, missing=missing)
    check_transfer(actor, deal, data)  # a new owner needs customer.transfer
    check_version(deal, expected_version)
    moved = "owner_id" in data and data["owner_id"] != deal.owner_id
    with transaction():
        before = snapshot(deal)
        for key, value in data.items():
            setattr(deal, key, value)
        if moved and data["owner_id"]:  # the team follows the new owner
            deal.team_id = db.session.get(User, data["owner_id"]).team_id
        audit(actor, deal, "update", before, snapshot(deal))
    return deal


def move_stage(
    deal: Deal,
    stage_id,
    actor: User | None,
    expected_version: int | None = None,
    lost_reason: str | None = None,
) -> Deal:
    """Move ``deal`` to another stage of its own pipeline (409 on a stale version).

    A lost stage needs a reason; won and lost stages close the deal, an open
    one reopens it; a deal waiting for approval does not move (409)."""
    ensure_unlocked(deal)
    errors: dict[str, list[str]] = {}
    missing: dict[str, list[str]] = {}
    stage = _stage_of(deal.pipeline, stage_id, missing)
    lost_reason = (lost_reason or "").strip()[:200] or None
    if stage is not None and stage.outcome == "lost" and not lost_reason:
        errors["lost_reason"] = [_("say why the deal was lost")]
    refuse(errors, missing=missing)
    check_version(deal, expected_version)
    if stage.id == deal.stage_id:
        return deal
    previous = deal.stage
    with transaction():
        before = snapshot(deal)
        deal.stage_id = stage.id
        deal.stage = stage
        deal.closed_at = utcnow() if stage.outcome != "open" else None
        deal.lost_reason = lost_reason if stage.outcome == "lost" else None
        if stage.outcome != "lost":
            deal.furthest_position = max(deal.furthest_position or 0, stage.position)
        db.session.add(
            StageChange(
                deal_id=deal.id,
                from_stage_id=previous.id,
                to_stage_id=stage.id,
                user_id=actor.id if actor else None,
            )
        )
        audit(actor, deal, "stage", before, snapshot(deal))
        _timeline(
            deal,
            actor,
            _(
                "%(title)s: %(from)s → %(to)s",
                title=deal.title,
                **{"from": previous.name, "to": stage.name},
            ),
            body=lost_reason,
        )
        emit("sales_deal_stage_changed", deal=deal, from_stage=previous, to_stage=stage)
        if stage.outcome in ("won", "lost"):
            emit(f"sales_deal_{stage.outcome}", deal=deal)
    return deal


def _stage_of(pipeline: Pipeline, stage_id, missing: dict) -> Stage | None:
    """The stage ``stage_id`` if it belongs to ``pipeline``; else ``missing``
    names ``stage_id`` (a 404: no such stage in this pipeline)."""
    stage = db.session.get(Stage, stage_id) if isinstance(stage_id, int) else None
    if stage is None:
        missing["stage_id"] = [_("no stage with this id")]
        return None
    if stage.pipeline_id != pipeline.id:
        missing["stage_id"] = [
            _(
                "this stage belongs to another pipeline (%(name)s)",
                name=db.session.get(Pipeline, stage.pipeline_id).name,
            )
        ]
        return None
    return stage


def _check_people(data: dict, customer_id: int, missing: dict) -> None:
    """``missing`` names a contact not at the customer, an owner not active."""
    if data.get("contact_id") is not None:
        contact = db.session.get(Contact, data["contact_id"])
        if contact is None or contact.customer_id != customer_id or contact.deleted_at:
            missing["contact_id"] = [_("no contact with this id at this customer")]
    if data.get("owner_id") is not None:
        owner = db.session.get(User, data["owner_id"])
        if owner is None or not owner.is_active:
            missing["owner_id"] = [_("no active user with this id")]


def _timeline(deal: Deal, actor: User | None, subject: str, body: str | None = None) -> None:
    contact = deal.contact if deal.contact and deal.contact.deleted_at is None else None
    log_activity(
        {
            "kind": "deal_stage",
            "subject": subject[:200],
            "body": body,
            "customer_id": deal.customer_id,
            "contact_id": contact.id if contact else None,
            "link_type": "sales_deal",
            "link_id": deal.id,
        },
        actor,
    )
