"""Demo segments, written in the demo's language: the questions a sales
manager asks of the customer base first — valuable customers gone quiet,
leads nobody has called, the key accounts — and a static list frozen from
the key accounts (who was invited to the spring fair)."""

from __future__ import annotations

from sqlalchemy import select

from core.api import Customer, User, db

from ..models import Segment, StaticList, StaticListMember
from ..services.conditions import compile_conditions
from .campaigns import load_demo_campaign

TEXT = {
    "en": {
        "quiet": ("Valuable customers gone quiet", "Grade A or B, not contacted for 60 days."),
        "cold": ("Leads nobody has called", "Leads with no activity in the last 30 days."),
        "key": ("Key accounts", "Every customer tagged key account."),
        "tag": "key account",
        "list": (
            "Spring fair invitations",
            "Key accounts invited to the spring fair, frozen the day the invitations went out.",
        ),
    },
    "zh_CN": {
        "quiet": ("沉默的高价值客户", "A、B 级客户，60 天未联系。"),
        "cold": ("无人跟进的线索", "近 30 天没有任何活动的线索。"),
        "key": ("重点客户", "所有带“重点客户”标签的客户。"),
        "tag": "重点客户",
        "list": ("春季展会邀请名单", "受邀参加春季展会的重点客户，在发出邀请当天固定。"),
    },
}


def load_demo(locale: str, users: list[User]) -> None:
    text = TEXT["zh_CN" if locale.startswith("zh") else "en"]
    owner = next((u for u in users if u.role and u.role.name == "manager"), None)
    definitions = [
        (
            "quiet",
            "all",
            [
                {"field": "grade", "op": "in", "value": ["A", "B"]},
                {"field": "last_contacted_at", "op": "within_days", "value": 60, "negate": True},
            ],
        ),
        (
            "cold",
            "all",
            [
                {"field": "stage", "op": "is", "value": "lead"},
                {"field": "activities", "op": "at_most", "value": 0, "days": 30},
            ],
        ),
        ("key", "all", [{"field": "tag", "op": "has", "value": text["tag"]}]),
    ]
    made = {}
    for key, match, conditions in definitions:
        name, description = text[key]
        stored = [{"value": None, "days": None, "negate": False, **c} for c in conditions]
        made[key] = Segment(
            name=name,
            description=description,
            match=match,
            conditions=stored,
            shared=True,
            owner_id=owner.id if owner else None,
        )
        db.session.add(made[key])
    db.session.flush()
    _freeze_demo_list(text["list"], made["key"], owner)
    load_demo_campaign(locale, made["key"], owner)


def _freeze_demo_list(text: tuple[str, str], segment: Segment, owner: User | None) -> None:
    """A static list frozen from the key accounts: who was invited to the fair."""
    found = StaticList(
        name=text[0],
        description=text[1],
        shared=True,
        owner_id=owner.id if owner else None,
        segment_id=segment.id,
    )
    db.session.add(found)
    db.session.flush()
    # the demo seeds as the system, which no user's scope stands for: every live customer
    matching = compile_conditions(segment.match, segment.conditions)
    ids = db.session.scalars(
        select(Customer.id).where(Customer.deleted_at.is_(None), matching)
    ).all()
    by = owner.id if owner else None
    db.session.add_all(
        StaticListMember(list_id=found.id, customer_id=i, added_by_id=by) for i in ids
    )
