"""What the insurance plugin lets core's imports bring in
(``trellis_importers``): a policy book from another system, each row a
term written by :func:`~.services.policies.imported.import_policy` — its
first transaction, audit and timeline entry as a term the agency issued.

A row gives the **policy number** (the dedupe key: a row is a duplicate of
the term holding that number), the **product** by its code, the
**policyholder** by name, phone or e-mail (any of them: the one customer
the importing user may see that matches most of them; none — or one they
may not see — is "no such customer"), the start date (and the end date, or
the product's term), the sum insured, the annual premium and the status as
of the import: in force, lapsed or expired, by code or by its label in
English or Chinese (a quote is not imported). An agent may be named by
e-mail; else the term is the importing user's.

A term is changed by an endorsement, never by an import: a duplicate is
skipped (asked to update, the row is refused unless nothing differs).
Undoing an import takes away the terms it wrote (refused, 409, once
anything else was written on one).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask_babel import force_locale
from marshmallow import Schema, fields, validate
from sqlalchemy import func, select

from core.api import Importer, User, ValidationError, add_months, db, load, row_customer, translator

from .models import InsuranceProduct, Policy
from .services.access import visible_policies
from .services.policies.imported import IMPORTED_STATES, import_policy, remove_imported_policy
from .services.states import POLICY_STATE_LABELS

_, _l = translator("insurance")
CENT = Decimal("0.01")

FIELDS = {
    "number": _l("Policy number"),
    "product": _l("Product code"),
    "customer": _l("Policyholder"),
    "customer_phone": _l("Policyholder's phone"),
    "customer_email": _l("Policyholder's e-mail"),
    "start_date": _l("Start date"),
    "end_date": _l("End date"),
    "sum_insured": _l("Sum insured"),
    "annual_premium": _l("Annual premium"),
    "status": _l("Status"),
    "agent": _l("Agent (e-mail)"),
}
ALIASES = {
    "保单号": "number",
    "保单号码": "number",
    "policy no": "number",
    "policy": "number",
    "产品代码": "product",
    "产品编码": "product",
    "险种代码": "product",
    "产品": "product",
    "product": "product",
    "投保人": "customer",
    "客户": "customer",
    "客户名称": "customer",
    "policyholder": "customer",
    "customer": "customer",
    "投保人电话": "customer_phone",
    "手机": "customer_phone",
    "电话": "customer_phone",
    "phone": "customer_phone",
    "投保人邮箱": "customer_email",
    "邮箱": "customer_email",
    "email": "customer_email",
    "起保日期": "start_date",
    "生效日期": "start_date",
    "保险起期": "start_date",
    "start": "start_date",
    "终保日期": "end_date",
    "满期日期": "end_date",
    "保险止期": "end_date",
    "end": "end_date",
    "保额": "sum_insured",
    "保险金额": "sum_insured",
    "年保费": "annual_premium",
    "保费": "annual_premium",
    "premium": "annual_premium",
    "状态": "status",
    "保单状态": "status",
    "代理人": "agent",
    "业务员": "agent",
}
#: the row's fields that name things: turned into ids before the schema
_NAMING = ("product", "customer", "customer_phone", "customer_email", "agent")


class PolicyBookInput(Schema):
    """A term of a policy book, as the import writes it."""

    number = fields.String(required=True, validate=validate.Length(min=1, max=40))
    product = fields.String(required=True, validate=validate.Length(min=1, max=30))
    start_date = fields.Date(required=True)
    end_date = fields.Date(allow_none=True)
    sum_insured = fields.Decimal(allow_none=True, validate=validate.Range(min=0))
    annual_premium = fields.Decimal(required=True, validate=validate.Range(min=0))
    status = fields.String(load_default="in_force", validate=validate.OneOf(IMPORTED_STATES))


_INPUT = PolicyBookInput()
#: a date year first: 2026-03-01, 2026/3/1, 2026.3.1, 2026年3月1日 (an ISO time after it ignored)
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[T ].*)?$")


def _date_text(text: str) -> str:
    found = _DATE.match(text.strip())
    if found is None:
        return text  # the schema names it
    year, month, day = (int(part) for part in found.groups())
    return f"{year:04d}-{month:02d}-{day:02d}"


def _status(text: str) -> str:
    """A state given as its code or its label in English or Chinese."""
    wanted = text.strip().lower().replace(" ", "_")
    if wanted in POLICY_STATE_LABELS:
        return wanted
    for locale in ("en", "zh_CN"):
        with force_locale(locale):
            for code, label in POLICY_STATE_LABELS.items():
                if str(label).strip().lower() == text.strip().lower():
                    return code
    return text


def _product_id(code: str) -> int:
    found = list(
        db.session.scalars(
            select(InsuranceProduct.id)
            .where(InsuranceProduct.code == code, InsuranceProduct.deleted_at.is_(None))
            .limit(2)
        )
    )
    if not found:
        raise ValidationError({"product": [_("no product with this code")]})
    if len(found) > 1:
        raise ValidationError({"product": [_("several carriers have a product with this code")]})
    return found[0]


def policyholder(values: dict[str, Any], actor: User | None) -> int:
    """The customer the row names, found as core's activity import finds one."""
    return row_customer(
        values.get("customer"), values.get("customer_phone"), values.get("customer_email"), actor
    )


def _agent_id(email: str) -> int:
    agent = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if agent is None or not agent.is_active:
        raise ValidationError({"agent": [_("no active user with this e-mail")]})
    return agent.id


def _money(text: str) -> str:
    return re.sub(r"[,，¥￥\s]", "", text)


def _validate(payload: dict[str, Any], actor: User | None) -> dict[str, Any]:
    values = {k: v.strip() if isinstance(v, str) else v for k, v in payload.items()}
    for name in ("start_date", "end_date"):
        if values.get(name):
            values[name] = _date_text(values[name])
    for name in ("sum_insured", "annual_premium"):
        if values.get(name):
            values[name] = _money(values[name])
    if values.get("status"):
        values["status"] = _status(values["status"])
    errors: dict[str, list[str]] = {}
    ids: dict[str, Any] = {}
    for name, find in (
        ("product_id", lambda: _product_id(values["product"]) if values.get("product") else None),
        ("customer_id", lambda: policyholder(values, actor)),
        ("agent_id", lambda: _agent_id(values["agent"]) if values.get("agent") else None),
    ):
        try:
            ids[name] = find()
        except ValidationError as exc:
            errors |= exc.errors
    own = {k: v for k, v in values.items() if k not in _NAMING or k == "product"}
    try:
        data = load(_INPUT, {k: v for k, v in own.items() if k not in errors})
    except ValidationError as exc:
        errors = exc.errors | errors
    if errors:
        raise ValidationError(errors)
    return _clean(data, ids)


def _clean(data: dict[str, Any], ids: dict[str, Any]) -> dict[str, Any]:
    """The row as the service takes it, and as the term's values read
    (dates as ISO, amounts to the cent): a row repeating a term changes nothing."""
    product = db.session.get(InsuranceProduct, ids["product_id"])
    assert product is not None
    start: date = data["start_date"]
    end = data.get("end_date") or add_months(start, product.term_months) - timedelta(days=1)
    if end < start:
        raise ValidationError({"end_date": [_("the end date is before the start date")]})
    sum_insured = data.get("sum_insured") or Decimal("0")
    return {
        "number": data["number"],
        "product_id": product.id,
        "customer_id": ids["customer_id"],
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
        "sum_insured": str(sum_insured.quantize(CENT)),
        "annual_premium": str(data["annual_premium"].quantize(CENT)),
        "status": data["status"],
        **({"agent_id": ids["agent_id"]} if ids.get("agent_id") else {}),
    }


def _find(values: dict[str, Any], actor: User | None) -> Policy | None:
    return db.session.scalar(
        select(Policy)
        .where(Policy.number == values["number"], Policy.deleted_at.is_(None))
        .order_by(Policy.term_no.desc())
        .limit(1)
    )


def _visible(policy: Policy, actor: User | None) -> bool:
    query = visible_policies(actor).where(Policy.id == policy.id).with_only_columns(Policy.id)
    return db.session.scalar(query) is not None


def _update(policy: Policy, values: dict[str, Any], actor: User | None) -> None:
    raise ValidationError(
        {"_row": [_("a policy is changed by an endorsement, not by an import: choose skip")]}
    )


POLICIES = Importer(
    name="insurance.policy",
    label=_l("Policies"),
    schema=PolicyBookInput,
    model=Policy,
    fields=FIELDS,
    aliases=ALIASES,
    validate=_validate,
    find=_find,
    keys=lambda values: [f"number:{values['number']}"],
    create=import_policy,
    update=_update,
    delete=remove_imported_policy,
    visible=_visible,
    permission="insurance.policy.issue",
    order=50,
)

#: the insurance plugin's import targets (``trellis_importers``)
IMPORTERS = [POLICIES]
