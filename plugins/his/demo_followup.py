"""Follow-up (随访) demo data, in English or Chinese: four templates (after
a cardiology visit on days 1, 7 and 30 with red-flag questions; after any
visit on day 3; hypertension and type 2 diabetes every three months) and
plans for the first demo visits — one reached with a red-flag answer (the
doctor has a task), one overdue on My follow-ups."""

from __future__ import annotations

from sqlalchemy import select

from core.api import db

from .models import Department, Patient, Visit
from .services import followup

_YES = {"en": "Any chest pain since the visit?", "zh_CN": "就诊后有胸痛吗？"}
_PAIN = {"en": "Pain from 0 to 10?", "zh_CN": "疼痛评分（0–10）？"}
_NOTE = {"en": "Anything else the doctor should know?", "zh_CN": "还有需要告诉医生的吗？"}
_FEEL = {"en": "How do you feel?", "zh_CN": "感觉如何？"}
_CHOICES = {"en": ["better", "same", "worse"], "zh_CN": ["好转", "无变化", "加重"]}
_BP = {"en": "Is your blood pressure above 160?", "zh_CN": "血压高于160吗？"}
_SUGAR = {"en": "Fasting blood sugar above 13?", "zh_CN": "空腹血糖高于13吗？"}
NAMES = {
    "en": [
        "After a cardiology visit",
        "After any visit",
        "Hypertension (every 3 months)",
        "Type 2 diabetes (every 3 months)",
    ],
    "zh_CN": [
        "心内科就诊后随访",
        "就诊后随访",
        "高血压随访（每3个月）",
        "2型糖尿病随访（每3个月）",
    ],
}


def _templates(locale: str) -> list[dict]:
    cardiology = db.session.scalar(select(Department.id).where(Department.code == "CARD"))
    yes_no = {"kind": "yes_no", "red_flag": {"equals": "yes"}}
    names = NAMES[locale]
    return [
        {
            "name": names[0],
            "department_id": cardiology,
            "offsets": [1, 7, 30],
            "questions": [
                {"key": "chest_pain", "text": _YES[locale], **yes_no},
                {
                    "key": "pain",
                    "text": _PAIN[locale],
                    "kind": "scale",
                    "red_flag": {"at_least": 8},
                },
                {"key": "note", "text": _NOTE[locale], "kind": "text"},
            ],
        },
        {
            "name": names[1],
            "offsets": [3],
            "questions": [
                {
                    "key": "feeling",
                    "text": _FEEL[locale],
                    "kind": "choice",
                    "choices": _CHOICES[locale],
                    "red_flag": {"equals": _CHOICES[locale][2]},
                }
            ],
        },
        {
            "name": names[2],
            "chronic": True,
            "repeat_months": 3,
            "diagnosis_prefix": "I10",
            "questions": [{"key": "high_bp", "text": _BP[locale], **yes_no}],
        },
        {
            "name": names[3],
            "chronic": True,
            "repeat_months": 3,
            "diagnosis_prefix": "E11",
            "questions": [{"key": "high_sugar", "text": _SUGAR[locale], **yes_no}],
        },
    ]


def load_followup(locale: str, admin) -> None:
    """The templates, and plans for the first two living patients' visits:
    the first reached on day 1 with chest pain (a red flag), the second
    overdue."""
    made = [followup.create_template(t, admin) for t in _templates(locale)]
    visits = db.session.scalars(
        select(Visit)
        .join(Patient, Patient.customer_id == Visit.customer_id)
        .where(Patient.deceased.is_(False), Visit.deleted_at.is_(None))
        .order_by(Visit.id)
        .limit(2)
    ).all()
    plans = [
        followup.start_plan({"visit_id": visit.id, "template_id": template.id}, admin)
        for visit, template in zip(visits, made, strict=False)
    ]
    if plans:
        answers = {"chest_pain": "yes", "pain": 6}
        followup.attempt(plans[0], {"outcome": "reached", "answers": answers}, admin)
