"""A few patients — people, not companies: a patient is a customer of kind
person — and their visits, in English or Chinese."""

from datetime import timedelta

from core.api import create_customer, db, utcnow

from .models import Visit

DEPARTMENTS = {
    "en": ["Dentistry", "Cardiology", "Internal medicine"],
    "zh_CN": ["口腔科", "心内科", "内科"],
}
PATIENTS = {
    "en": ["Margaret Hughes", "Daniel Brooks", "Aisha Patel", "Thomas Nguyen"],
    "zh_CN": ["王秀英", "李建国", "张丽娟", "陈志强"],
}
SUMMARIES = {
    "en": ["Routine check-up", "Blood pressure review", "Tooth filling"],
    "zh_CN": ["常规复查", "血压复诊", "补牙"],
}


def load_demo(locale, customers, users) -> None:
    now = utcnow()
    doctor = users[1]
    patients = [
        create_customer(
            {"name": name, "kind": "person", "stage": "customer", "owner_id": doctor.id}, None
        ).customer
        for name in PATIENTS[locale]
    ]
    for i, patient in enumerate(patients):
        db.session.add(
            Visit(
                customer_id=patient.id,
                department=DEPARTMENTS[locale][i % 3],
                doctor_id=doctor.id,
                team_id=doctor.team_id,
                visited_at=now - timedelta(days=20 + 5 * i),
                summary=SUMMARIES[locale][i % 3],
                follow_up_days=(14, 30, None)[i % 3],
            )
        )
