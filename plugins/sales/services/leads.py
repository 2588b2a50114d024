"""Leads (线索): capture (API, web form, CSV), automatic assignment, follow-up,
conversion into customer + contact + deal in one step, disqualification."""

from __future__ import annotations

import secrets

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from core.api import (
    ConflictError,
    Customer,
    MissingReferenceError,
    Phone,
    User,
    ValidationError,
    audit,
    check_transfer,
    check_version,
    create_contact,
    create_customer,
    customer_for,
    db,
    emit,
    find_duplicates,
    load,
    load_csv_rows,
    log_activity,
    read_csv,
    refuse,
    snapshot,
    transaction,
    translator,
    utcnow,
)

from ..models import LEAD_SOURCES, AssignmentRule, Lead, LeadForm
from .deals import create_deal
from .lead_activities import carry_to_customer
from .validation import DefaultCurrency, Money

_, _l = translator("sales")
SOURCE_LABELS = {
    "advertising": _l("Advertising platform"),
    "website": _l("Website"),
    "referral": _l("Referral"),
    "exhibition": _l("Exhibition"),
    "cold_call": _l("Cold call"),
    "other": _l("Other"),
}
STATUS_LABELS = {
    "new": _l("New"),
    "working": _l("Working"),
    "converted": _l("Converted"),
    "disqualified": _l("Disqualified"),
}


class LeadInput(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    company = fields.String(allow_none=True, validate=validate.Length(max=200))
    phone = Phone(allow_none=True, validate=validate.Length(max=40))
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    region = fields.String(allow_none=True, validate=validate.Length(max=80))
    source = fields.String(load_default="other", validate=validate.OneOf(LEAD_SOURCES))
    notes = fields.String(allow_none=True, validate=validate.Length(max=2000))
    owner_id = fields.Integer(allow_none=True, validate=validate.Range(1, 2**31 - 1))


class LeadChange(LeadInput):
    """What a PATCH may change: any of the lead's fields, none required."""

    name = fields.String(validate=validate.Length(min=1, max=120))
    source = fields.String(validate=validate.OneOf(LEAD_SOURCES))


class ConvertInput(Schema):
    customer_id = fields.Integer(
        allow_none=True,
        validate=validate.Range(1, 2**31 - 1),
        metadata={"description": "attach to this existing customer"},
    )
    pipeline_id = fields.Integer(
        allow_none=True,
        validate=validate.Range(1, 2**31 - 1),
        metadata={"description": "also open a deal in this pipeline"},
    )
    deal_title = fields.String(allow_none=True, validate=validate.Length(max=200))
    amount = Money(allow_none=True, metadata={"description": "the deal's amount"})
    currency = DefaultCurrency()


def create_lead(payload: dict, actor: User | None, form: LeadForm | None = None) -> Lead:
    """A new lead, assigned by hand (``owner_id``) or by the assignment rules."""
    data = load(LeadInput(), payload)
    if data.get("owner_id") is not None:
        _active_owner(data["owner_id"])
    with transaction():
        lead = Lead(**data, form_id=form.id if form else None)
        if lead.owner_id is None:
            lead.owner_id = assign(lead) or (actor.id if actor else None)
        owner = db.session.get(User, lead.owner_id) if lead.owner_id else None
        lead.team_id = owner.team_id if owner else None
        db.session.add(lead)
        db.session.flush()
        audit(actor, lead, "create", None, snapshot(lead))
        emit("sales_lead_created", lead=lead)
    return lead


def _active_owner(user_id: int) -> User:
    owner = db.session.get(User, user_id)
    if owner is None or not owner.is_active:
        raise MissingReferenceError({"owner_id": [_("no active user with this id")]})
    return owner


def assign(lead: Lead) -> int | None:
    """The owner the first matching rule picks (round robin within a team)."""
    rules = db.session.scalars(
        select(AssignmentRule).order_by(AssignmentRule.position, AssignmentRule.id)
    )
    for rule in rules:
        if rule.source and rule.source != lead.source:
            continue
        if rule.region and (lead.region or "").strip().lower() != rule.region.strip().lower():
            continue
        if rule.user_id:
            return rule.user_id
        members = db.session.scalars(
            select(User.id)
            .where(User.team_id == rule.team_id, User.active.is_(True), User.deleted_at.is_(None))
            .order_by(User.id)
        ).all()
        if not members:
            continue
        after = [m for m in members if rule.last_user_id is None or m > rule.last_user_id]
        rule.last_user_id = (after or members)[0]
        return rule.last_user_id
    return None


def update_lead(
    lead: Lead, payload: dict, actor: User | None, expected_version: int | None = None
) -> Lead:
    """Change the given fields. A new owner needs ``customer.transfer`` and
    brings the lead into the owner's team."""
    data = load(LeadChange(), payload)
    owner = None
    if data.get("owner_id") is not None:
        owner = _active_owner(data["owner_id"])
    check_transfer(actor, lead, data)
    check_version(lead, expected_version)
    moved = "owner_id" in data and data["owner_id"] != lead.owner_id
    with transaction():
        before = snapshot(lead)
        for key, value in data.items():
            setattr(lead, key, value)
        if moved:
            lead.team_id = owner.team_id if owner else None
        if lead.status == "new":
            lead.status = "working"
        audit(actor, lead, "update", before, snapshot(lead))
    return lead


def disqualify(lead: Lead, reason: str | None, actor: User | None) -> Lead:
    reason = (reason or "").strip()[:200]
    if not reason:
        raise ValidationError({"reason": [_("say why the lead is disqualified")]})
    _still_open(lead)
    with transaction():
        before = snapshot(lead)
        lead.status, lead.disqualify_reason = "disqualified", reason
        audit(actor, lead, "disqualify", before, snapshot(lead))
    return lead


def _still_open(lead: Lead) -> None:
    """A 409 once the lead is converted or disqualified: its state allows no more."""
    if lead.status in ("converted", "disqualified"):
        raise ConflictError(
            _("this lead is already %(status)s", status=STATUS_LABELS[lead.status]),
            kind="lead-closed",
            lead_status=lead.status,
        )


def likely_duplicates(lead: Lead) -> list[Customer]:
    return find_duplicates(
        lead.company or lead.name,
        [lead.phone] if lead.phone else [],
        [lead.email] if lead.email else [],
    )


def convert(lead: Lead, payload: dict, actor: User | None) -> Lead:
    """转化: customer (new, or the existing one named) + contact (+ deal), one transaction."""
    data = load(ConvertInput(), payload)
    _still_open(lead)
    with transaction():
        if data.get("customer_id"):
            customer = customer_for(data["customer_id"], actor)
            if customer is None:
                raise MissingReferenceError({"customer_id": [_("no customer with this id")]})
        else:
            customer = create_customer(
                {
                    "name": lead.company or lead.name,
                    "kind": "company" if lead.company else "person",
                    "source": str(SOURCE_LABELS[lead.source]),
                    "region": lead.region,
                    "phones": [lead.phone] if lead.phone else [],
                    "emails": [lead.email] if lead.email else [],
                    "owner_id": lead.owner_id,
                    "team_id": lead.team_id,
                    "stage": "prospect",
                },
                actor,
            ).customer
        contact = create_contact(
            {
                "customer_id": customer.id,
                "name": lead.name,
                "phones": [lead.phone] if lead.phone else [],
                "emails": [lead.email] if lead.email else [],
            },
            actor,
        )
        deal = None
        if data.get("pipeline_id"):
            deal = create_deal(
                {
                    "title": data.get("deal_title") or lead.company or lead.name,
                    "customer_id": customer.id,
                    "contact_id": contact.id,
                    "pipeline_id": data["pipeline_id"],
                    "owner_id": lead.owner_id,
                    "amount": str(data.get("amount") or "0"),
                    "currency": data["currency"],
                },
                actor,
            )
        before = snapshot(lead)
        lead.status, lead.converted_at = "converted", utcnow()
        lead.customer_id, lead.deal_id = customer.id, deal.id if deal else None
        carry_to_customer(lead, customer.id)
        audit(actor, lead, "convert", before, snapshot(lead))
        log_activity(
            {
                "kind": "note",
                "customer_id": customer.id,
                "contact_id": contact.id,
                "subject": _(
                    "Converted from lead %(name)s (%(source)s)",
                    name=lead.name,
                    source=SOURCE_LABELS[lead.source],
                )[:200],
                "body": lead.notes,
                "link_type": "sales_lead",
                "link_id": lead.id,
            },
            actor,
        )
        emit("sales_lead_converted", lead=lead, customer=customer, deal=deal)
    return lead


def new_form(name: str, source: str, actor: User | None) -> LeadForm:
    if not name.strip() or source not in LEAD_SOURCES:
        raise ValidationError(
            {"name": [_("give the form a name")]}
            if not name.strip()
            else {"source": [_("unknown source")]}
        )
    with transaction():
        form = LeadForm(name=name.strip()[:120], source=source, key=secrets.token_urlsafe(24))
        db.session.add(form)
        db.session.flush()
        audit(actor, form, "create", None, {"name": form.name, "source": source})
    return form


CSV_COLUMNS = ("name", "company", "phone", "email", "region", "source", "notes")
_NAMES = "|".join(CSV_COLUMNS)
_COLUMN = f'({_NAMES}|"({_NAMES})")'
_FIELD = '([^",\\r\\n]*|"([^"]|"")*")'
#: what ``import_csv`` reads, for the OpenAPI document: a header row naming
#: known columns (``name`` among them), then rows of plain or quoted fields
CSV_PATTERN = (
    f'^\\ufeff?({_COLUMN},)*(name|"name")(,{_COLUMN})*'
    f"((\\r\\n|\\n|\\r){_FIELD}(,{_FIELD})*)*(\\r\\n|\\n|\\r)?$"
)


def import_csv(data: bytes | str, actor: User | None, skip_bad: bool = False) -> dict:
    """Leads from CSV (a header row naming the columns, ``name`` among them).
    Every bad row is reported with its line number; none is imported unless
    ``skip_bad``. A file that is not CSV or lacks the header is a 422."""
    rows = read_csv(data, CSV_COLUMNS, required=("name",))
    for _line, values in rows:
        values["source"] = values.get("source") or "other"
    good, bad = load_csv_rows(rows, LeadInput())
    bad_rows = [{"line": line, "errors": errors} for line, errors in bad.items()]
    if bad and not skip_bad:
        return {"imported": 0, "bad_rows": bad_rows}
    with transaction():
        for values in good:
            create_lead(values, actor)
    return {"imported": len(good), "bad_rows": bad_rows}


def rules() -> list[AssignmentRule]:
    return list(
        db.session.scalars(
            select(AssignmentRule).order_by(AssignmentRule.position, AssignmentRule.id)
        )
    )


def replace_rules(new_rules: list[dict], actor: User | None) -> None:
    """Replace the rule list; each rule names exactly one user or one team."""
    from core.api import Team

    errors, missing = {}, {}
    for i, rule in enumerate(new_rules):
        if bool(rule.get("user_id")) == bool(rule.get("team_id")):
            errors[f"rules.{i}"] = [_("name either a user or a team")]
        elif rule.get("user_id") and db.session.get(User, rule["user_id"]) is None:
            missing[f"rules.{i}.user_id"] = [_("no active user with this id")]
        elif rule.get("team_id") and db.session.get(Team, rule["team_id"]) is None:
            missing[f"rules.{i}.team_id"] = [_("no team with this id")]
    refuse(errors, missing=missing)
    with transaction():
        for row in rules():
            audit(actor, row, "delete", snapshot(row), None)
            db.session.delete(row)
        for values in new_rules:
            row = AssignmentRule(**values)
            db.session.add(row)
            db.session.flush()
            audit(actor, row, "create", None, snapshot(row))
