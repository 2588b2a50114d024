"""A few patients' visits, in English or Chinese."""

from datetime import timedelta

from core.api import db, utcnow

from .models import Visit

DEPARTMENTS = {
    "en": ["Dentistry", "Cardiology", "Internal medicine"],
    "zh_CN": ["口腔科", "心内科", "内科"],
}
SUMMARIES = {
    "en": ["Routine check-up", "Blood pressure review", "Tooth filling"],
    "zh_CN": ["常规复查", "血压复诊", "补牙"],
}


def load_demo(locale, customers, users) -> None:
    now = utcnow()
    doctor = users[1]
    for i, customer in enumerate(customers[1::3]):
        db.session.add(
            Visit(
                customer_id=customer.id,
                department=DEPARTMENTS[locale][i % 3],
                doctor_id=doctor.id,
                team_id=doctor.team_id,
                visited_at=now - timedelta(days=20 + 5 * i),
                summary=SUMMARIES[locale][i % 3],
                follow_up_days=(14, 30, None)[i % 3],
            )
        )
