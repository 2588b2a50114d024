"""Demo satisfaction surveys and complaints, in the demo's language: the
first patients' visits answered, one complaint in each state but closed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.api import db, new_tracking_token, utcnow

from .models import Department, Survey, Visit
from .services.feedback import create_complaint, move_complaint

COMMENTS = {
    "zh_CN": ["医生很耐心，讲解清楚。", "候诊时间有点长。", None],
    "en": ["The doctor was patient and explained everything.", "The wait was rather long.", None],
}
ANSWERS = [(5, 10), (3, 6), (4, 8)]
COMPLAINTS = {
    "zh_CN": [
        ("waiting_time", "挂号后等了两个多小时才就诊。"),
        ("billing", "缴费时重复收取了挂号费。"),
        ("environment", "候诊区座位不够。"),
    ],
    "en": [
        ("waiting_time", "Waited over two hours after registration."),
        ("billing", "The registration fee was charged twice."),
        ("environment", "Not enough seats in the waiting area."),
    ],
}
RESOLUTION = {
    "zh_CN": "已退还重复收取的费用并致歉。",
    "en": "Refunded the double charge and apologised.",
}


def load_feedback(locale: str, clerk) -> None:
    """Surveys answered for the demo visits, and three complaints."""
    lang = locale if locale in COMMENTS else "en"
    department = db.session.scalar(select(Department).order_by(Department.id).limit(1))
    visits = db.session.scalars(select(Visit).order_by(Visit.id).limit(len(ANSWERS))).all()
    now = utcnow()
    for visit, (csat, nps), comment in zip(visits, ANSWERS, COMMENTS[lang], strict=False):
        _token, token_hash = new_tracking_token()
        sent = visit.visited_at + timedelta(hours=2)
        db.session.add(
            Survey(
                visit_id=visit.id,
                customer_id=visit.customer_id,
                department_id=department.id if department else None,
                doctor_id=visit.doctor_id,
                team_id=visit.team_id,
                token_hash=token_hash,
                sent_at=sent,
                answered_at=min(sent + timedelta(hours=5), now),
                csat=csat,
                nps=nps,
                comment=comment,
            )
        )
    db.session.commit()
    made = []
    for visit, (category, text) in zip(visits, COMPLAINTS[lang], strict=False):
        payload = {"customer_id": visit.customer_id, "category": category, "description": text}
        if department is not None:
            payload["department_id"] = department.id
        made.append(create_complaint(payload, clerk))
    if len(made) > 1:
        move_complaint(made[1], {"action": "start"}, clerk)
        move_complaint(made[1], {"action": "resolve", "resolution": RESOLUTION[lang]}, clerk)
