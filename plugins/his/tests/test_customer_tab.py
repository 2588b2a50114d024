"""The Visits tab of a patient's page: the patient's visits the user may see
— scoped as the visits list is — and no tab for a user who may not read visits."""

from datetime import timedelta

import pytest

from core.api import DataScope, Role, db, utcnow
from plugins.his.models import Visit


@pytest.fixture
def patient(make_user, make_customer):
    """A patient of Dr Li with a visit to her and one to Dr Zhou."""
    db.session.add(
        Role(
            name="tab_doctor", permissions=["customer.read", "his.visit.read"], scope=DataScope.own
        )
    )
    db.session.commit()
    li, zhou = make_user(role="tab_doctor"), make_user(role="tab_doctor")
    customer = make_customer(kind="person", name="Wang Fang", owner_id=li.id)
    for department, doctor in (("Cardiology", li), ("Dermatology", zhou)):
        db.session.add(
            Visit(
                customer_id=customer.id,
                doctor_id=doctor.id,
                department=department,
                visited_at=utcnow() - timedelta(days=3),
                follow_up_days=14,
            )
        )
    db.session.commit()
    customer.li = li
    return customer


def test_the_tab_lists_the_patients_visits_the_doctor_may_see(login_as, patient):
    client = login_as(patient.li)
    assert 'id="tab-visits"' in client.get(f"/customers/{patient.id}").text
    panel = client.get(f"/customers/{patient.id}/tab/visits")
    assert panel.status_code == 200 and "Cardiology" in panel.text
    assert patient.li.name in panel.text and "in 14 days" in panel.text
    assert "Dermatology" not in panel.text  # Dr Zhou's visit is outside Dr Li's scope


def test_there_is_no_tab_for_a_user_who_may_not_read_visits(make_user, login_as, patient):
    rep = make_user(role="sales")
    patient.owner_id = rep.id
    db.session.commit()
    client = login_as(rep)
    assert 'id="tab-visits"' not in client.get(f"/customers/{patient.id}").text
    panel = client.get(f"/customers/{patient.id}/tab/visits")
    assert panel.status_code == 404 and "Cardiology" not in panel.text
