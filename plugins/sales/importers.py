"""What the sales plugin lets core's imports bring in (``trellis_importers``):
leads and products from a spreadsheet, each row through the same services
as the lead and product forms — validation, assignment, audit and events
stay theirs.

- a lead is a duplicate of the live lead with the same phone or e-mail;
  its ``owner`` is given by e-mail, its ``source`` by code or by its label
  in English or Chinese; undoing its creation moves it to the recycle bin;
- a product is a duplicate of the product with the same code (or, without
  a code, the same name); undoing its creation deletes it, unless a deal
  line uses it by then (409).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import force_locale
from sqlalchemy import func, or_, select

from core.api import (
    ConflictError,
    Importer,
    User,
    ValidationError,
    db,
    delete_record,
    load,
    move_to_bin,
    translator,
)

from .models import LEAD_SOURCES, DealLine, Lead, Product
from .services.access import visible_leads
from .services.leads import SOURCE_LABELS, LeadInput, create_lead, update_lead
from .services.products import ProductInput, create_product, update_product

_, _l = translator("sales")
CENT = Decimal("0.01")

# --------------------------------------------------------------------- leads

LEAD_FIELDS = {
    "name": _l("Name"),
    "company": _l("Company"),
    "phone": _l("Phone"),
    "email": _l("E-mail"),
    "region": _l("Region"),
    "source": _l("Source"),
    "owner": _l("Owner (e-mail)"),
    "notes": _l("Notes"),
}
LEAD_ALIASES = {
    "姓名": "name",
    "名称": "name",
    "联系人": "name",
    "线索名称": "name",
    "contact": "name",
    "公司": "company",
    "公司名称": "company",
    "单位": "company",
    "客户名称": "company",
    "手机": "phone",
    "手机号": "phone",
    "电话": "phone",
    "mobile": "phone",
    "tel": "phone",
    "邮箱": "email",
    "电子邮件": "email",
    "e-mail": "email",
    "地区": "region",
    "区域": "region",
    "来源": "source",
    "线索来源": "source",
    "负责人": "owner",
    "备注": "notes",
    "note": "notes",
}


def _source_code(text: str) -> str:
    """A lead source given as its code or its label in English or Chinese;
    the text itself when it is none of them (the schema then names it)."""
    wanted = text.strip().lower()
    if wanted in LEAD_SOURCES:
        return wanted
    for locale in ("en", "zh_CN"):
        with force_locale(locale):
            for code, label in SOURCE_LABELS.items():
                if str(label).strip().lower() == wanted:
                    return code
    return text


def _owner_id(email: str) -> int:
    owner = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if owner is None or not owner.is_active:
        raise ValidationError({"owner": [_("no active user with this e-mail")]})
    return owner.id


def _given(data: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    """The loaded values of the fields the row filled: a default the schema
    adds (a source, a currency) must not overwrite a duplicate's own."""
    return {key: value for key, value in data.items() if key in payload}


def _validate_lead(payload: dict[str, Any], actor: User | None) -> dict[str, Any]:
    values = dict(payload)
    if "owner" in values:
        values["owner_id"] = _owner_id(values.pop("owner"))
    if "source" in values:
        values["source"] = _source_code(values["source"])
    data = load(LeadInput(), values)
    if data.get("email"):
        data["email"] = data["email"].strip().lower()
    return _given(data, values)


def _find_lead(values: dict[str, Any], actor: User | None) -> Lead | None:
    matches = []
    if values.get("phone"):
        matches.append(Lead.phone == values["phone"])
    if values.get("email"):
        matches.append(func.lower(Lead.email) == values["email"])
    if not matches:
        return None
    return db.session.scalar(
        select(Lead).where(or_(*matches), Lead.deleted_at.is_(None)).order_by(Lead.id).limit(1)
    )


def _lead_keys(values: dict[str, Any]) -> list[str]:
    return [f"phone:{values.get('phone') or ''}", f"email:{values.get('email') or ''}"]


def _lead_visible(lead: Lead, actor: User | None) -> bool:
    found = db.session.scalar(
        visible_leads(actor).where(Lead.id == lead.id).with_only_columns(Lead.id)
    )
    return found is not None


LEADS = Importer(
    name="sales.lead",
    label=_l("Leads"),
    schema=LeadInput,
    model=Lead,
    fields=LEAD_FIELDS,
    aliases=LEAD_ALIASES,
    validate=_validate_lead,
    find=_find_lead,
    keys=_lead_keys,
    create=create_lead,
    update=lambda lead, values, actor: update_lead(lead, values, actor),
    delete=move_to_bin,
    visible=_lead_visible,
    permission="sales.lead.write",
    order=30,
)

# ------------------------------------------------------------------ products

PRODUCT_FIELDS = {
    "code": _l("Code"),
    "name": _l("Name"),
    "unit_price": _l("Unit price"),
    "currency": _l("Currency"),
    "active": _l("Active"),
}
PRODUCT_ALIASES = {
    "产品编码": "code",
    "编码": "code",
    "产品编号": "code",
    "编号": "code",
    "sku": "code",
    "产品名称": "name",
    "名称": "name",
    "品名": "name",
    "产品": "name",
    "product": "name",
    "单价": "unit_price",
    "价格": "unit_price",
    "售价": "unit_price",
    "price": "unit_price",
    "币种": "currency",
    "货币": "currency",
    "启用": "active",
    "在售": "active",
}


#: how a spreadsheet says yes or no (anything else: the schema names ``active``)
YES_NO = {
    **dict.fromkeys(("1", "true", "yes", "y", "是", "启用", "在售"), True),
    **dict.fromkeys(("0", "false", "no", "n", "否", "停用", "停售"), False),
}


def _validate_product(payload: dict[str, Any], actor: User | None) -> dict[str, Any]:
    values = {k: v.strip() if isinstance(v, str) else v for k, v in payload.items()}
    if "active" in values:
        values["active"] = YES_NO.get(values["active"].lower(), values["active"])
    data = _given(load(ProductInput(), values), values)
    if "unit_price" in data:  # as the service reads it, and as undo stores it
        data["unit_price"] = str(data["unit_price"].quantize(CENT))
    return data


def _find_product(values: dict[str, Any], actor: User | None) -> Product | None:
    if values.get("code"):
        return db.session.scalar(select(Product).where(Product.code == values["code"]))
    return db.session.scalar(
        select(Product)
        .where(func.lower(Product.name) == values.get("name", "").lower())
        .order_by(Product.id)
        .limit(1)
    )


def _product_keys(values: dict[str, Any]) -> list[str]:
    if values.get("code"):
        return [f"code:{values['code']}"]
    return [f"name:{values.get('name', '').lower()}"]


def remove_product(product: Product, actor: User | None) -> None:
    """Delete a product an import created (undone); a 409 once a deal line uses it."""
    if db.session.scalar(select(DealLine.id).where(DealLine.product_id == product.id).limit(1)):
        raise ConflictError(_("product %(name)s is on a deal by now", name=product.name))
    delete_record(product, actor)


PRODUCTS = Importer(
    name="sales.product",
    label=_l("Products"),
    schema=ProductInput,
    model=Product,
    fields=PRODUCT_FIELDS,
    aliases=PRODUCT_ALIASES,
    validate=_validate_product,
    find=_find_product,
    keys=_product_keys,
    create=create_product,
    update=lambda product, values, actor: update_product(product, values, actor),
    delete=remove_product,
    visible=lambda product, actor: True,
    permission="sales.admin",
    order=31,
)

#: the sales plugin's import targets (``trellis_importers``)
IMPORTERS = [LEADS, PRODUCTS]
