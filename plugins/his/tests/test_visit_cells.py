"""The visit cells (``services/visits/cells.py``) and the department report
that reads them: the cells equal the visits counted from scratch after
visits are started, closed and purged, and after a rebuild — in a zone with
summer time too; the report gives the figures worked out by hand and those
the visits themselves give (the report before the cells), for every scope,
the recycle bin's visits left out."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from core.api import db, instance_timezone
from plugins.his.models import Visit, VisitCell
from plugins.his.services import reports, visits
from plugins.his.services.reports.clinic import visit_counts
from plugins.his.services.reports.scope import bounds
from plugins.his.services.visits.access import visible_visits
from plugins.his.services.visits.cells import count_visit, rebuild

from .booking_fixtures import clinic  # noqa: F401
from .test_reports_figures import at, hospital  # noqa: F401
from .visit_fixtures import called


def kept() -> Counter:
    """The cells as the table holds them."""
    return Counter(
        {
            (c.day, c.department_id or None, c.doctor_id or None, c.team_id or None): c.visits
            for c in db.session.scalars(select(VisitCell))
        }
    )


def recounted() -> Counter:
    """The cells worked out from scratch: every visit not deleted, on its
    day in the instance's zone."""
    zone = ZoneInfo(instance_timezone())
    return Counter(
        (v.visited_at.astimezone(zone).date(), v.department_id, v.doctor_id, v.team_id)
        for v in db.session.scalars(select(Visit).where(Visit.deleted_at.is_(None)))
    )


def by_hand(customer, when, department=None, doctor=None) -> Visit:
    """A visit recorded by hand (as the demo does), counted as the service counts."""
    row = Visit(
        customer_id=customer.id,
        department=department.name if department else "",
        department_id=department.id if department else None,
        doctor_id=doctor.id if doctor else None,
        team_id=department.team_id if department else None,
        visited_at=when,
        status="closed",
    )
    db.session.add(row)
    db.session.flush()
    count_visit(row)
    db.session.commit()
    return row


def started(c, name, doctor=None, department=None, period="morning") -> Visit:
    """A visit started through the service from a called registration."""
    booking = called(c, name, doctor=doctor, department=department, period=period)
    return visits.start_visit({"booking_id": booking.id}, doctor or c.li)[0]


def test_cells_follow_visits_started_closed_and_purged(clinic, make_user, as_user):  # noqa: F811
    c, api = clinic, as_user(make_user(role="admin"))
    first = started(c, "Patient A")
    started(c, "Patient B", period="afternoon")
    derm = started(c, "Patient C", doctor=c.zhou, department=c.dermatology)
    card_team, derm_team = c.cardiology.team_id, c.dermatology.team_id
    assert (
        kept()
        == recounted()
        == {
            (c.today, c.cardiology.id, c.li.id, card_team): 2,
            (c.today, c.dermatology.id, c.zhou.id, derm_team): 1,
        }
    )
    again, new = visits.start_visit({"booking_id": first.booking_id}, c.li)
    assert not new and again.id == first.id and kept() == recounted()  # counted once

    visits.update_visit(first, {"summary": "Better"}, c.li)
    visits.add_diagnosis(first, {"code": "I10"}, c.li)
    visits.close_visit(first, c.li)
    assert first.status == "closed" and kept() == recounted()  # the status counts nowhere

    for visit in (first, derm):
        customer_id = visit.customer_id
        assert api.delete(f"/api/v1/customers/{customer_id}").status_code == 204
        db.session.expire_all()
        assert kept() == recounted()  # binned: still counted (the report takes it off)
        assert api.delete(f"/api/v1/recycle-bin/{customer_id}").status_code == 204
        db.session.expire_all()
    assert kept() == recounted() == {(c.today, c.cardiology.id, c.li.id, card_team): 1}
    assert db.session.scalar(select(func.count()).select_from(VisitCell)) == 1  # none at 0

    db.session.execute(VisitCell.__table__.update().values(visits=99))  # spoilt
    assert rebuild() == 1 and kept() == recounted()


def test_the_day_follows_summer_time_in_python_and_in_the_rebuild(clinic, monkeypatch):  # noqa: F811
    """Berlin moves its clocks on 29 March and 25 October 2026, at 01:00 UTC:
    the days below are Berlin's, which one shift of the clock cannot give."""
    monkeypatch.setitem(current_app.config, "TRELLIS_TIMEZONE", "Europe/Berlin")
    c, patient = clinic, clinic.patient()
    instants = {
        datetime(2026, 3, 28, 22, 30, tzinfo=UTC): date(2026, 3, 28),  # 23:30 CET
        datetime(2026, 3, 28, 23, 30, tzinfo=UTC): date(2026, 3, 29),  # 00:30 CET
        datetime(2026, 3, 29, 21, 30, tzinfo=UTC): date(2026, 3, 29),  # 23:30 CEST
        datetime(2026, 3, 29, 22, 30, tzinfo=UTC): date(2026, 3, 30),  # 00:30 CEST
        datetime(2026, 10, 24, 22, 30, tzinfo=UTC): date(2026, 10, 25),  # 00:30 CEST
        datetime(2026, 10, 25, 22, 30, tzinfo=UTC): date(2026, 10, 25),  # 23:30 CET
        datetime(2026, 10, 25, 23, 30, tzinfo=UTC): date(2026, 10, 26),  # 00:30 CET
    }
    for when in instants:
        by_hand(patient, when, c.cardiology, c.li)
    expected = Counter(
        (day, c.cardiology.id, c.li.id, c.cardiology.team_id) for day in instants.values()
    )
    assert kept() == recounted() == expected
    assert rebuild() == len(expected) and kept() == expected


def from_visits(user, period, department=None) -> dict:
    """The report's counts as the visits give them (the report before the
    cells): the visits ``user`` sees, by local day, department and doctor."""
    start, end = bounds(period)
    query = visible_visits(user).where(Visit.visited_at >= start, Visit.visited_at < end)
    if department is not None:
        query = query.where(Visit.department_id == department)
    zone = ZoneInfo(instance_timezone())
    return dict(
        Counter(
            (v.visited_at.astimezone(zone).date(), v.department_id, v.doctor_id)
            for v in db.session.scalars(query)
        )
    )


def test_the_report_counts_what_each_user_sees_and_not_the_bin(hospital, make_user, as_user):  # noqa: F811
    h, api = hospital, as_user(hospital.admin)
    d1, d2 = h.d1, h.d2
    patient = h.patient("Walk-in")
    by_hand(patient, at(d2, 14))  # no department, no doctor
    rep = make_user(role="sales", name="Rep Own")  # own scope: the visits they saw
    by_hand(patient, at(d1, 15), h.cardiology, rep)
    admin = reports.visit_figures(h.admin, h.period)
    assert [(r["day"], r["department"], r["doctor"], r["visits"]) for r in admin["rows"]] == [
        (d1, "Cardiology", "Dr Li", 2),
        (d1, "Cardiology", "Rep Own", 1),
        (d2, "Cardiology", "Dr Li", 1),
        (d2, "Dermatology", "Dr Zhou", 1),
        (d2, "No department", "No doctor", 1),
    ]
    assert admin["total"] == 6
    totals = {u.name: reports.visit_figures(u, h.period)["total"] for u in (h.li, h.nurse, h.zhou)}
    assert totals == {"Dr Li": 4, "Nurse Sun": 4, "Dr Zhou": 1}  # their department's
    assert reports.visit_figures(h.ent_doctor, h.period)["total"] == 0
    assert reports.visit_figures(rep, h.period)["total"] == 1
    derm = reports.visit_figures(h.li, h.period, h.dermatology.id)
    assert derm["total"] == 0  # another department asked for: nothing of it seen
    assert reports.visit_figures(h.admin, h.period, h.dermatology.id)["total"] == 1

    binned = db.session.scalar(
        select(Visit.customer_id).where(
            Visit.doctor_id == h.li.id, Visit.visited_at >= bounds((d2, d2))[0]
        )
    )
    assert api.delete(f"/api/v1/customers/{binned}").status_code == 204
    db.session.expire_all()
    assert [
        (r["day"], r["doctor"], r["visits"]) for r in reports.visit_figures(h.li, h.period)["rows"]
    ] == [(d1, "Dr Li", 2), (d1, "Rep Own", 1)]
    users = (h.admin, h.li, h.nurse, h.zhou, h.ent_doctor, rep)
    for user in users:
        for department in (None, h.cardiology.id):
            counts = visit_counts(user, h.period, department)
            assert counts == from_visits(user, h.period, department)
    assert api.post(f"/api/v1/customers/{binned}/restore").status_code == 200
    db.session.expire_all()
    assert reports.visit_figures(h.li, h.period)["total"] == 4
    for user in users:
        assert visit_counts(user, h.period) == from_visits(user, h.period)


def test_the_demo_visits_are_counted(make_user):
    """The demo records its past visits by hand (no department): counted too."""
    from plugins.his.demo import load_demo

    admin, doctor = make_user(role="admin"), make_user(role="his_doctor")
    load_demo("en", [], [admin, doctor])
    db.session.commit()
    assert kept() == recounted() and sum(kept().values()) >= 4
    assert None in {key[1] for key in kept()}  # "No department"
