"""A few patients — people, not companies: each is registered as the
clinic registers one (a customer of kind person with its medical record:
number, sex, birth date, allergies or a chronic condition; the youngest a
minor with a guardian) — and their visits, in English or Chinese."""

from datetime import date, timedelta

from core.api import db, utcnow

from .models import Visit
from .services.patients import register, today
from .services.visits.cells import count_visit

DEPARTMENTS = {
    "en": ["Dentistry", "Cardiology", "Internal medicine"],
    "zh_CN": ["口腔科", "心内科", "内科"],
}
#: name, sex, birth date (None: a boy of ten), phone, allergies, chronic conditions
PATIENTS = {
    "en": [
        (
            "Margaret Hughes",
            "F",
            "1956-04-12",
            "+1 617 555 0101",
            ["Penicillin"],
            ["Type 2 diabetes"],
        ),
        ("Daniel Brooks", "M", "1971-09-30", "+1 617 555 0102", [], ["Hypertension"]),
        ("Aisha Patel", "F", "1988-01-22", "+1 617 555 0103", ["Latex"], []),
        ("Thomas Nguyen", "M", None, "+1 617 555 0104", [], ["Asthma"]),
    ],
    "zh_CN": [
        ("王秀英", "F", "1956-04-12", "+86 139 0000 1001", ["青霉素"], ["2型糖尿病"]),
        ("李建国", "M", "1971-09-30", "+86 139 0000 1002", [], ["高血压"]),
        ("张丽娟", "F", "1988-01-22", "+86 139 0000 1003", ["乳胶"], []),
        ("陈志强", "M", None, "+86 139 0000 1004", [], ["哮喘"]),
    ],
}
#: the Chinese patients' resident identity card numbers (valid, matching sex and birth)
NATIONAL_IDS = ["110105195604120026", "110105197109300010", "310104198801220047", None]
#: the minor's guardian and emergency contact
GUARDIAN = {
    "en": {
        "guardian_name": "Linh Nguyen",
        "guardian_relation": "Mother",
        "phone": "+1 617 555 0105",
    },
    "zh_CN": {"guardian_name": "陈芳", "guardian_relation": "母亲", "phone": "+86 139 0000 1005"},
}
SUMMARIES = {
    "en": ["Routine check-up", "Blood pressure review", "Tooth filling"],
    "zh_CN": ["常规复查", "血压复诊", "补牙"],
}


def _registration(locale: str, i: int, doctor) -> dict:
    name, sex, born, phone, allergies, conditions = PATIENTS[locale][i]
    payload = {
        "name": name,
        "sex": sex,
        "birth_date": born or date(today().year - 10, 5, 3).isoformat(),
        "phone": phone,
        "allergies": allergies,
        "chronic_conditions": conditions,
        "owner_id": doctor.id,
    }
    if locale == "zh_CN" and NATIONAL_IDS[i]:
        payload["national_id"] = NATIONAL_IDS[i]
    if born is None:  # a minor: the guardian is the emergency contact too
        guardian = GUARDIAN[locale]
        payload |= {
            "guardian_name": guardian["guardian_name"],
            "guardian_relation": guardian["guardian_relation"],
            "guardian_phone": guardian["phone"],
            "emergency_name": guardian["guardian_name"],
            "emergency_relation": guardian["guardian_relation"],
            "emergency_phone": guardian["phone"],
        }
    return payload


#: a doctor for each of the DEPARTMENTS (name, login), and the departments' codes
DOCTORS = {
    "en": [
        ("Dr Grace Lin", "dr.grace"),
        ("Dr Henry Wu", "dr.henry"),
        ("Dr Sofia Marin", "dr.sofia"),
    ],
    "zh_CN": [("刘洋", "dr.liuyang"), ("陈静", "dr.chenjing"), ("黄磊", "dr.huanglei")],
}
DEPARTMENT_CODES = ["DENT", "CARD", "IM"]
STOP_REASON = {"en": "The doctor is at a conference", "zh_CN": "医生外出开会"}


def load_clinic(locale: str, admin, timezone: str | None = None) -> None:
    """Three departments with their teams, a doctor in each, and the
    coming two weeks of clinic sessions (weekday mornings; cardiology's
    expert afternoons too); one session stopped (停诊)."""
    from core.api import create_user

    from .services import clinic

    planned = []
    for i, (name, code) in enumerate(zip(DEPARTMENTS[locale], DEPARTMENT_CODES, strict=True)):
        department = clinic.create_department({"code": code, "name": name, "sort_order": i}, admin)
        doctor_name, login = DOCTORS[locale][i]
        doctor = create_user(
            {
                "email": f"{login}@example.com",
                "name": doctor_name,
                "team_id": department.team_id,
                "password": f"demo-{login}-pass",
                "locale": locale,
                "timezone": timezone,  # the demo's market, as its other staff
            },
            admin,
            role="his_doctor",
        )
        plan = {"department_id": department.id, "doctor_id": doctor.id, "start": today()}
        plan |= {"weeks": 2, "weekdays": [1, 2, 3, 4, 5], "periods": ["morning"]}
        plan |= {"fee": "10.00", "desk_quota": 12, "online_quota": 8}
        planned += clinic.plan_template({**plan, "start": today().isoformat()}, admin).sessions
        if code == "CARD":
            expert = plan | {"weekdays": [2, 4], "periods": ["afternoon"], "fee": "50.00"}
            expert |= {"registration_type": "expert", "start": today().isoformat()}
            clinic.plan_template(expert, admin)
    if planned:
        clinic.stop_session(planned[-1], {"reason": STOP_REASON[locale]}, admin)


def load_demo(locale, customers, users) -> None:
    load_clinic(locale, users[0], users[1].timezone)
    now = utcnow()
    doctor = users[1]
    patients = [
        register(_registration(locale, i, doctor), None).customer
        for i in range(len(PATIENTS[locale]))
    ]
    for i, patient in enumerate(patients):
        visit = Visit(
            customer_id=patient.id,
            department=DEPARTMENTS[locale][i % 3],
            doctor_id=doctor.id,
            team_id=doctor.team_id,
            visited_at=now - timedelta(days=20 + 5 * i),
            summary=SUMMARIES[locale][i % 3],
            follow_up_days=(14, 30, None)[i % 3],
            status="closed",  # past visits, signed off
            closed_at=now - timedelta(days=20 + 5 * i),
            closed_by_id=doctor.id,
        )
        db.session.add(visit)
        count_visit(visit)  # past visits, recorded by hand: counted as the service counts
    load_registrations(patients[:3], users[0])
    from .demo_formulary import load_formulary

    load_formulary(users[0])
    from .demo_billing import load_billing

    load_billing(locale, patients[:3], users[0])
    from .demo_followup import load_followup

    load_followup(locale, users[0])
    from .demo_feedback import load_feedback

    load_feedback(locale, users[0])
    from .demo_inpatient import load_inpatient

    load_inpatient(locale, patients[1], doctor, users[0])


def load_registrations(patients, clerk) -> None:
    """The first patients registered (挂号) at the desk and online for the
    next open clinic session of cardiology."""
    from sqlalchemy import select

    from .models import ClinicSession, Department
    from .services import bookings

    session = db.session.scalar(
        select(ClinicSession)
        .join(Department, Department.id == ClinicSession.department_id)
        .where(Department.code == "CARD", ClinicSession.status == "open")
        .order_by(ClinicSession.day, ClinicSession.id)
        .limit(1)
    )
    if session is None:
        return
    for patient, channel in zip(patients, ("desk", "online", "desk"), strict=False):
        bookings.book(
            {"session_id": session.id, "customer_id": patient.id, "channel": channel}, clerk
        )
