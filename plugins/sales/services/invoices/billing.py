"""A customer's billing details (开票信息): what a Chinese VAT invoice prints
— title (发票抬头), taxpayer number (纳税人识别号), registered address and
phone, bank and account. One per customer; an invoice copies them when it
is requested.

Who may read them: whoever may see the customer (core's scoped customer
query); who may change them: whoever may also edit it (``customer.write``,
checked by the routes as for the customer itself).

The taxpayer number: on an instance whose region (``TRELLIS_REGION``) is
CN it must be a unified social credit code (统一社会信用代码: 18 characters
with a check character, checked by python-stdnum's ``cn.uscc``), stored
without spaces and in capitals. Elsewhere a VAT or tax id has as many
shapes as there are countries, so it is kept as the text given (at most 40
characters): the instance's region, not the customer's, decides — a
Chinese office invoices under Chinese rules.
"""

from __future__ import annotations

import re

from marshmallow import Schema, fields, pre_load, validate, validates
from marshmallow import ValidationError as FieldError
from sqlalchemy import select

from core.api import (
    NotFoundError,
    User,
    ValidationError,
    audit,
    check_version,
    customer_for,
    db,
    load,
    log_activity,
    normalize_tax_number,
    snapshot,
    transaction,
    translator,
)

from ...models import BILLING_FIELDS, BillingProfile

_, _l = translator("sales")

#: digits, optionally grouped by single spaces (how banks print an account)
ACCOUNT_PATTERN = re.compile(r"^[0-9]+( [0-9]+)*$")


class BillingInput(Schema):
    """The billing details as a form or the API sends them; empty text is
    no value."""

    title = fields.String(
        required=True, validate=validate.Length(max=200), metadata={"pattern": r"\S"}
    )
    tax_number = fields.String(
        allow_none=True,
        validate=validate.Length(max=40),
        metadata={
            "description": "on a CN instance an 18-character unified social credit code "
            "(统一社会信用代码) with a valid check character; elsewhere free text"
        },
    )
    address = fields.String(allow_none=True, validate=validate.Length(max=200))
    phone = fields.String(allow_none=True, validate=validate.Length(max=40))
    bank_name = fields.String(allow_none=True, validate=validate.Length(max=120))
    bank_account = fields.String(
        allow_none=True,
        validate=validate.Length(max=60),
        metadata={"description": "digits, optionally grouped by spaces", "pattern": r"^[0-9 ]*$"},
    )

    @pre_load
    def _tidy(self, data, **kwargs):
        """Trim the text; an empty optional value is None (the title stays
        empty, for ``required`` to name)."""
        if not isinstance(data, dict):
            return data
        tidy = {}
        for key, value in data.items():
            if isinstance(value, str):
                value = " ".join(value.split())
                value = value or (None if key != "title" else value)
            tidy[key] = value
        return tidy

    @validates("title")
    def _title(self, value: str, **kwargs) -> None:
        if not value.strip():
            raise FieldError(_("give the invoice title (the customer's registered name)"))

    @validates("bank_account")
    def _account(self, value: str | None, **kwargs) -> None:
        if value is not None and not ACCOUNT_PATTERN.match(value):
            raise FieldError(_("a bank account number has digits and spaces only"))


def billing_profile(customer_id: int, user: User | None) -> BillingProfile | None:
    """The billing details of a customer ``user`` may see (None if it has
    none yet); :class:`NotFoundError` when the customer is out of sight."""
    customer = customer_for(customer_id, user)  # the system (None) reads any live one
    if customer is None:
        raise NotFoundError(_("customer %(id)s not found", id=customer_id))
    return db.session.scalar(
        select(BillingProfile).where(BillingProfile.customer_id == customer.id)
    )


def save_billing_profile(
    customer_id: int, payload: dict, actor: User | None, expected_version: int | None = None
) -> BillingProfile:
    """Create or replace the billing details of a customer ``actor`` may see
    (409 on a stale ``expected_version``), audited and noted on the
    customer's timeline. Every field is replaced: one left out is cleared."""
    data = load(BillingInput(), payload)
    try:
        data["tax_number"] = normalize_tax_number(data.get("tax_number"))
    except ValueError as exc:
        raise ValidationError({"tax_number": [str(exc)]}) from None
    profile = billing_profile(customer_id, actor)
    if profile is not None:
        check_version(profile, expected_version)
    values = {key: data.get(key) for key in BILLING_FIELDS}
    with transaction():
        before = snapshot(profile) if profile is not None else None
        if profile is None:
            profile = BillingProfile(customer_id=customer_id)
            db.session.add(profile)
        for key, value in values.items():
            setattr(profile, key, value)
        db.session.flush()
        after = snapshot(profile)
        if before is not None and before == after:
            return profile  # nothing changed: no audit entry, no timeline note
        audit(actor, profile, "update" if before else "create", before, after)
        log_activity(
            {
                "kind": "note",
                "subject": _("Billing details saved: %(title)s", title=profile.title)[:200],
                "customer_id": customer_id,
            },
            actor,
        )
    return profile
