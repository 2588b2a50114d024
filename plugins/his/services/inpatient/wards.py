"""Wards (病区) and beds: create them, the bed board, a bed's state by hand.

A bed is taken by an admission with one conditional UPDATE (``take_bed``:
``state = 'free'``), so of two nurses assigning one bed at once one wins
and the other is a 409 naming ``bed_id``. A freed bed goes to ``cleaning``;
a nurse sets it ``free`` again (or ``reserved``) with a button."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from core.api import (
    NotFoundError,
    User,
    audit,
    db,
    load,
    refuse,
    snapshot,
    transaction,
    translator,
    utcnow,
)

from ...models import Admission, Bed, Department, Ward
from .inputs import HisBedInput, HisBedStateInput, HisWardInput

_, _l = translator("his")

#: the moves a nurse may make by hand: from → allowed to
BED_MOVES = {
    "free": ("reserved", "cleaning"),
    "reserved": ("free",),
    "cleaning": ("free",),
    "occupied": (),
}


def wards_query(active_only: bool = False):
    query = select(Ward).order_by(Ward.code, Ward.id)
    return query.where(Ward.active.is_(True)) if active_only else query


def get_ward(ward_id: int) -> Ward:
    found = db.session.get(Ward, ward_id)
    if found is None:
        raise NotFoundError(_("ward %(id)s not found", id=ward_id))
    return found


def get_bed(bed_id: int) -> Bed:
    found = db.session.get(Bed, bed_id)
    if found is None:
        raise NotFoundError(_("bed %(id)s not found", id=bed_id))
    return found


def create_ward(payload: dict, actor: User | None) -> Ward:
    data = load(HisWardInput(), payload)
    missing, taken = {}, {}
    if db.session.get(Department, data["department_id"]) is None:
        missing["department_id"] = [_("no department with this id")]
    if db.session.scalar(select(Ward.id).where(Ward.code == data["code"])):
        taken["code"] = [_("another ward has this code")]
    refuse(missing=missing, taken=taken)
    with transaction():
        ward = Ward(**data, active=True)
        db.session.add(ward)
        db.session.flush()
        audit(actor, ward, "create", None, snapshot(ward))
    return ward


def create_bed(payload: dict, actor: User | None) -> Bed:
    data = load(HisBedInput(), payload)
    if db.session.get(Ward, data["ward_id"]) is None:
        refuse(missing={"ward_id": [_("no ward with this id")]})
    same = select(Bed.id).where(Bed.ward_id == data["ward_id"], Bed.code == data["code"])
    if db.session.scalar(same):
        refuse(taken={"code": [_("this ward has a bed of this code")]})
    with transaction():
        bed = Bed(**data, state="free")
        db.session.add(bed)
        db.session.flush()
        audit(actor, bed, "create", None, snapshot(bed))
    return bed


def set_bed_state(bed: Bed, payload: dict, actor: User | None) -> Bed:
    """Set a bed free, reserved or cleaning by hand; an occupied bed is a 409."""
    data = load(HisBedStateInput(), payload)
    if data["state"] not in BED_MOVES[bed.state]:
        refuse(state={"state": [_("a bed that is %(state)s cannot be set so", state=bed.state)]})
    before = snapshot(bed)
    with transaction():
        moved = db.session.execute(
            update(Bed)
            .where(Bed.id == bed.id, Bed.state == bed.state)
            .values(state=data["state"], version=Bed.version + 1)
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount != 1:  # type: ignore[attr-defined]  # someone changed it meanwhile
            refuse(state={"state": [_("someone else changed this bed meanwhile")]})
        db.session.refresh(bed)
        audit(actor, bed, "update", before, snapshot(bed))
    return bed


def take_bed(bed_id: int, admission_id: int) -> bool:
    """Occupy a free bed for an admission: one conditional UPDATE, so of
    two takers one wins (True) and the other gets False."""
    taken = db.session.execute(
        update(Bed)
        .where(Bed.id == bed_id, Bed.state == "free")
        .values(state="occupied", admission_id=admission_id, version=Bed.version + 1)
        .execution_options(synchronize_session=False)
    )
    return taken.rowcount == 1  # type: ignore[attr-defined]


def release_bed(bed_id: int, admission_id: int) -> None:
    """The bed an admission leaves goes to cleaning."""
    db.session.execute(
        update(Bed)
        .where(Bed.id == bed_id, Bed.admission_id == admission_id)
        .values(state="cleaning", admission_id=None, version=Bed.version + 1)
        .execution_options(synchronize_session=False)
    )


@dataclass
class BoardBed:
    """One bed on the board: its admission when occupied and visible."""

    bed: Bed
    admission: Admission | None
    days_in: int | None


def board(ward: Ward, visible_ids: set[int], now: datetime | None = None) -> list[BoardBed]:
    """The ward's beds in code order with the admissions ``visible_ids`` holds."""
    now = now or utcnow()
    beds = list(db.session.scalars(select(Bed).where(Bed.ward_id == ward.id).order_by(Bed.code)))
    ids = [b.admission_id for b in beds if b.admission_id and b.admission_id in visible_ids]
    admissions = {
        a.id: a for a in db.session.scalars(select(Admission).where(Admission.id.in_(ids)))
    }
    rows = []
    for bed in beds:
        admission = admissions.get(bed.admission_id or 0)
        days = (now - admission.admitted_at).days + 1 if admission else None
        rows.append(BoardBed(bed, admission, days))
    return rows


def bed_counts(ward_ids: list[int]) -> dict[int, dict[str, int]]:
    """{ward id: {state: beds}} for the wards list."""
    counts: dict[int, dict[str, int]] = {w: {} for w in ward_ids}
    rows = db.session.execute(
        select(Bed.ward_id, Bed.state, func.count())
        .where(Bed.ward_id.in_(ward_ids))
        .group_by(Bed.ward_id, Bed.state)
    )
    for ward_id, state, n in rows:
        counts[ward_id][state] = n
    return counts


def free_beds(ward_id: int | None = None) -> list[Bed]:
    query = select(Bed).where(Bed.state == "free").order_by(Bed.ward_id, Bed.code)
    if ward_id is not None:
        query = query.where(Bed.ward_id == ward_id)
    return list(db.session.scalars(query))
