"""The formulary (药品目录): the drugs a doctor may prescribe. Only
``his.admin`` changes it; a drug is deactivated, never deleted, since
prescriptions point at it."""

from __future__ import annotations

from sqlalchemy import Select, func, select

from core.api import (
    NotFoundError,
    User,
    audit,
    check_version,
    db,
    instance_currency,
    load,
    refuse,
    snapshot,
    text_contains,
    transaction,
    translator,
)

from ...models import Drug
from .inputs import DrugChange, DrugInput

_, _l = translator("his")


def drugs_query(q: str = "", *, active: bool | None = None) -> Select:
    """Drugs found by code or any of their names, active ones only when asked."""
    query = select(Drug)
    if active is not None:
        query = query.where(Drug.active.is_(active))
    q = q.strip()
    if q:
        query = query.where(
            (func.upper(Drug.code) == q.upper())
            | text_contains(Drug.generic_name, q)
            | text_contains(Drug.brand_name, q)
            | text_contains(Drug.name_zh, q)
        )
    return query


def get_drug(drug_id: int) -> Drug:
    drug = db.session.get(Drug, drug_id)
    if drug is None:
        raise NotFoundError(_("drug %(id)s not found", id=drug_id))
    return drug


def _code_taken(code: str, drug_id: int | None) -> bool:
    query = select(Drug.id).where(func.upper(Drug.code) == code.upper())
    if drug_id is not None:
        query = query.where(Drug.id != drug_id)
    return db.session.scalar(query) is not None


def _taken() -> dict[str, list[str]]:
    return {"code": [_("another drug has this code")]}


def create_drug(payload: dict, actor: User | None) -> Drug:
    """Add a drug to the formulary (409 naming ``code`` when it is taken)."""
    data = load(DrugInput(), payload)
    if _code_taken(data["code"], None):
        refuse(taken=_taken())
    data["currency"] = data.get("currency") or instance_currency()
    data.setdefault("category", "rx")
    data.setdefault("active", True)
    with transaction():
        drug = Drug(**data)
        db.session.add(drug)
        db.session.flush()
        audit(actor, drug, "create", None, snapshot(drug))
    return drug


def update_drug(drug: Drug, payload: dict, actor: User | None, version: int | None) -> Drug:
    """Change a drug (the version read, or 409); lines already written keep
    the price they were written at."""
    data = load(DrugChange(), payload, partial=True)
    if "currency" in data:
        data["currency"] = data["currency"] or instance_currency()
    if data.get("code") and _code_taken(data["code"], drug.id):
        refuse(taken=_taken())
    with transaction():
        check_version(drug, version)
        before = snapshot(drug)
        for name, value in data.items():
            setattr(drug, name, value)
        db.session.flush()
        audit(actor, drug, "update", before, snapshot(drug))
    return drug
