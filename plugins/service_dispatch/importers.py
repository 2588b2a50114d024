"""What the service dispatch plugin lets core's imports bring in
(``trellis_importers``): work orders from a spreadsheet, each row through
the same service as the new-order form — numbering, contract and SLA
deadlines, audit, timeline and the ``work_order_created`` event stay its.

A spreadsheet holds no ids, so a row names its customer by **name** (any
case) and, where several customers share the name, by **phone** as well:
the one live customer the importing user may see with that name (and
phone); none, or several, is an error on the row naming ``customer``.

A row is a duplicate of the order still open (not closed or cancelled) of
the same customer with the same subject and serial number. Undoing an
import moves the orders it opened to the recycle bin and gives those it
changed their values back.
"""

from __future__ import annotations

from typing import Any

from flask_babel import force_locale
from sqlalchemy import func, select

from core.api import (
    Customer,
    Importer,
    User,
    ValidationError,
    db,
    find_duplicates,
    load,
    move_to_bin,
    normalize_phone,
    translator,
    visible_customer_ids,
)

from .models import PRIORITIES, WorkOrder
from .services.access import visible_orders
from .services.orders import FROZEN, WorkOrderInput, create_work_order, update_work_order
from .views.orders import PRIORITY_LABELS

_, _l = translator("service_dispatch")

FIELDS = {
    "customer": _l("Customer (name)"),
    "customer_phone": _l("Customer's phone"),
    "title": _l("Subject"),
    "priority": _l("Priority"),
    "category": _l("Category"),
    "description": _l("Description"),
    "address": _l("Address"),
    "product": _l("Product"),
    "serial_number": _l("Serial number"),
}
ALIASES = {
    "客户": "customer",
    "客户名称": "customer",
    "公司": "customer",
    "名称": "customer",
    "customer name": "customer",
    "手机": "customer_phone",
    "电话": "customer_phone",
    "客户电话": "customer_phone",
    "联系电话": "customer_phone",
    "phone": "customer_phone",
    "mobile": "customer_phone",
    "主题": "title",
    "标题": "title",
    "工单主题": "title",
    "问题": "title",
    "subject": "title",
    "优先级": "priority",
    "紧急程度": "priority",
    "类别": "category",
    "分类": "category",
    "服务类型": "category",
    "描述": "description",
    "问题描述": "description",
    "地址": "address",
    "服务地址": "address",
    "产品": "product",
    "产品型号": "product",
    "序列号": "serial_number",
    "机身号": "serial_number",
    "serial": "serial_number",
    "sn": "serial_number",
}
#: what the importer takes besides the order's own fields
_KEYS = ("customer", "customer_phone")


def _priority(text: str) -> str:
    """A priority given as its code or its label in English or Chinese; the
    text itself when it is none of them (the schema then names it)."""
    wanted = text.strip().lower()
    if wanted in PRIORITIES:
        return wanted
    for locale in ("en", "zh_CN"):
        with force_locale(locale):
            for code, label in PRIORITY_LABELS.items():
                if str(label).strip().lower() == wanted:
                    return code
    return text


def customer_of(name: str, phone: str | None, actor: User | None) -> int:
    """The id of the one live customer ``actor`` may see called ``name``
    (and having ``phone``); a ``ValidationError`` naming ``customer`` (or
    ``customer_phone``) otherwise."""
    query = select(Customer.id).where(
        func.lower(Customer.name) == name.strip().lower(), Customer.deleted_at.is_(None)
    )
    if actor is not None:
        query = query.where(Customer.id.in_(visible_customer_ids(actor)))
    if phone:
        try:
            number = normalize_phone(phone)
        except ValueError as exc:
            raise ValidationError({"customer_phone": [str(exc)]}) from None
        having = [c.id for c in find_duplicates("", [number], [], limit=50)]
        query = query.where(Customer.id.in_(having))
    found = list(db.session.scalars(query.order_by(Customer.id).limit(2)))
    if not found:
        raise ValidationError({"customer": [_("no customer you may see has this name and phone")]})
    if len(found) > 1:
        raise ValidationError(
            {"customer": [_("several customers have this name: add their phone")]}
        )
    return found[0]


def _validate(payload: dict[str, Any], actor: User | None) -> dict[str, Any]:
    values = {k: v for k, v in payload.items() if k not in _KEYS}
    if "priority" in values:
        values["priority"] = _priority(values["priority"])
    if not (payload.get("customer") or "").strip():
        raise ValidationError({"customer": [_("name the work order's customer")]})
    values["customer_id"] = customer_of(payload["customer"], payload.get("customer_phone"), actor)
    data = load(WorkOrderInput(), values)
    return {k: v.strip() if isinstance(v, str) else v for k, v in data.items() if k in values}


def _find(values: dict[str, Any], actor: User | None) -> WorkOrder | None:
    serial = values.get("serial_number") or None
    return db.session.scalar(
        select(WorkOrder)
        .where(
            WorkOrder.customer_id == values["customer_id"],
            func.lower(WorkOrder.title) == values["title"].lower(),
            WorkOrder.serial_number.is_(None)
            if serial is None
            else WorkOrder.serial_number == serial,
            WorkOrder.status.not_in(FROZEN),
            WorkOrder.deleted_at.is_(None),
        )
        .order_by(WorkOrder.id)
        .limit(1)
    )


def _keys(values: dict[str, Any]) -> list[str]:
    title = values["title"].lower()
    return [f"order:{values['customer_id']}|{title}|{values.get('serial_number') or ''}"]


def _visible(order: WorkOrder, actor: User | None) -> bool:
    query = visible_orders(actor).where(WorkOrder.id == order.id).with_only_columns(WorkOrder.id)
    return db.session.scalar(query) is not None


WORK_ORDERS = Importer(
    name="service_dispatch.work_order",
    label=_l("Work orders"),
    schema=WorkOrderInput,
    model=WorkOrder,
    fields=FIELDS,
    aliases=ALIASES,
    validate=_validate,
    find=_find,
    keys=_keys,
    create=create_work_order,
    update=lambda order, values, actor: update_work_order(order, values, actor),
    delete=move_to_bin,
    visible=_visible,
    permission="service.order.write",
    order=40,
)

#: the plugin's import targets (``trellis_importers``)
IMPORTERS = [WORK_ORDERS]
