"""The visit's life: started from a called registration (which moves to
``seen``; one visit per registration), the record written while open,
closed only with a diagnosis (a timeline entry and the ``his_visit_closed``
event after the commit), then changed only by an amendment with a reason."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.api import Activity, IllegalTransition, StateError, ValidationError, db
from plugins.his.models import Booking, Diagnosis, Visit, VisitAmendment
from plugins.his.services import visits

from .booking_fixtures import booked, clinic  # noqa: F401
from .visit_fixtures import called, started


def test_starting_a_visit_moves_the_called_registration_to_seen(clinic):
    booking = called(clinic)
    visit, new = visits.start_visit({"booking_id": booking.id}, clinic.li)
    assert new and visit.status == "open"
    assert (visit.booking_id, visit.customer_id) == (booking.id, booking.customer_id)
    assert (visit.department_id, visit.department) == (clinic.cardiology.id, "Cardiology")
    assert visit.team_id == clinic.cardiology.team_id and visit.doctor_id == clinic.li.id
    assert db.session.get(Booking, booking.id).status == "seen"


def test_a_second_start_answers_the_first_visit(clinic):
    booking = called(clinic)
    first, _ = visits.start_visit({"booking_id": booking.id}, clinic.li)
    again, new = visits.start_visit({"booking_id": booking.id}, clinic.li)
    assert (again.id, new) == (first.id, False)
    assert db.session.scalars(select(Visit)).all() == [first]


@pytest.mark.parametrize("status", ["booked", "checked_in", "cancelled", "no_show"])
def test_only_a_called_registration_starts_a_visit(clinic, status):
    session = clinic.session(day=clinic.today)
    booking = booked(clinic, session, clinic.patient(), status=status)
    with pytest.raises(IllegalTransition):
        visits.start_visit({"booking_id": booking.id}, clinic.li)
    db.session.rollback()
    assert db.session.scalars(select(Visit)).all() == []
    assert db.session.get(Booking, booking.id).status == status


def test_an_unknown_registration_is_refused_naming_the_field(clinic):
    with pytest.raises(ValidationError) as refused:
        visits.start_visit({"booking_id": 999999}, clinic.li)
    assert "booking_id" in refused.value.errors


def test_the_record_is_written_while_open(clinic):
    visit = started(clinic)
    visits.update_visit(
        visit,
        {"chief_complaint": " Cough for 3 days ", "history": "No fever", "examination": ""},
        clinic.li,
        visit.version,
    )
    fresh = db.session.get(Visit, visit.id)
    assert (fresh.chief_complaint, fresh.history, fresh.examination) == (
        "Cough for 3 days",
        "No fever",
        None,
    )


def test_closing_needs_a_diagnosis(clinic):
    visit = started(clinic)
    with pytest.raises(StateError) as refused:
        visits.close_visit(visit, clinic.li)
    assert "diagnoses" in refused.value.errors
    assert db.session.get(Visit, visit.id).status == "open"


def test_closing_stamps_the_visit_and_logs_the_record(clinic):
    visit = started(clinic)
    visits.add_diagnosis(visit, {"code": "J06.9"}, clinic.li)
    visits.close_visit(visit, clinic.li, visit.version)
    fresh = db.session.get(Visit, visit.id)
    assert fresh.status == "closed" and fresh.closed_at is not None
    assert fresh.closed_by_id == clinic.li.id
    entries = db.session.scalars(
        select(Activity).where(Activity.customer_id == visit.customer_id)
    ).all()
    assert [(a.kind, a.link_type, a.link_id) for a in entries if a.kind == "visit_record"] == [
        ("visit_record", "his_visit", visit.id)
    ]


def test_a_closed_visit_is_not_edited_or_closed_again(clinic):
    visit = started(clinic)
    visits.add_diagnosis(visit, {"code": "I10"}, clinic.li)
    visits.close_visit(visit, clinic.li)
    with pytest.raises(StateError) as refused:
        visits.update_visit(visit, {"history": "changed"}, clinic.li)
    assert "visit_id" in refused.value.errors
    with pytest.raises(StateError):
        visits.add_diagnosis(visit, {"code": "E11"}, clinic.li)
    with pytest.raises(IllegalTransition):
        visits.close_visit(visit, clinic.li)
    with pytest.raises(StateError):
        visits.ensure_open(visit)
    assert db.session.get(Visit, visit.id).history is None


def test_an_amendment_changes_a_closed_visit_and_keeps_the_old_value(clinic):
    visit = started(clinic)
    visits.update_visit(visit, {"examination": "BP 150/95"}, clinic.li)
    visits.add_diagnosis(visit, {"code": "I10"}, clinic.li)
    visits.close_visit(visit, clinic.li)
    visits.amend_visit(
        visit,
        {"field": "examination", "value": "BP 150/90", "reason": "typo in the reading"},
        clinic.li,
        visit.version,
    )
    assert db.session.get(Visit, visit.id).examination == "BP 150/90"
    [amendment] = db.session.scalars(select(VisitAmendment)).all()
    assert (amendment.field, amendment.old_value, amendment.new_value, amendment.reason) == (
        "examination",
        "BP 150/95",
        "BP 150/90",
        "typo in the reading",
    )
    assert amendment.author_id == clinic.li.id and amendment.amended_at is not None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"field": "examination", "value": "x", "reason": "  "}, "reason"),
        ({"field": "examination", "value": "x"}, "reason"),
        ({"field": "status", "value": "open", "reason": "why not"}, "field"),
        ({"field": "examination", "value": None, "reason": "nothing to change"}, "value"),
    ],
)
def test_an_amendment_needs_a_reason_a_field_and_a_change(clinic, payload, field):
    visit = started(clinic)
    visits.add_diagnosis(visit, {"code": "I10"}, clinic.li)
    visits.close_visit(visit, clinic.li)
    with pytest.raises(ValidationError) as refused:
        visits.amend_visit(visit, payload, clinic.li)
    assert field in refused.value.errors
    assert db.session.scalars(select(VisitAmendment)).all() == []


def test_an_open_visit_is_edited_not_amended(clinic):
    visit = started(clinic)
    with pytest.raises(StateError) as refused:
        visits.amend_visit(visit, {"field": "history", "value": "x", "reason": "r"}, clinic.li)
    assert "field" in refused.value.errors


def test_hook_his_visit_closed_fires_after_the_commit(clinic, trellis_register_plugin):
    from core.testing import plugin_module

    heard: list[tuple[int, str]] = []
    trellis_register_plugin(
        plugin_module(
            "probe", trellis_his_visit_closed=lambda visit: heard.append((visit.id, visit.status))
        )
    )
    visit = started(clinic)
    with pytest.raises(StateError):  # refused: no diagnosis, nothing announced
        visits.close_visit(visit, clinic.li)
    assert heard == []
    visits.add_diagnosis(visit, {"code": "J06.9"}, clinic.li)
    visits.close_visit(visit, clinic.li)
    assert heard == [(visit.id, "closed")]


def test_a_purge_deletes_the_visits_diagnoses_and_amendments(clinic, as_user, make_user):
    visit = started(clinic)
    visits.update_visit(visit, {"history": "old"}, clinic.li)
    visits.add_diagnosis(visit, {"code": "I10"}, clinic.li)
    visits.close_visit(visit, clinic.li)
    visits.amend_visit(visit, {"field": "history", "value": "new", "reason": "typo"}, clinic.li)
    api = as_user(make_user(role="admin"))
    assert api.delete(f"/api/v1/customers/{visit.customer_id}").status_code == 204
    assert api.delete(f"/api/v1/recycle-bin/{visit.customer_id}").status_code == 204
    db.session.expire_all()
    assert db.session.scalars(select(Visit)).all() == []
    assert db.session.scalars(select(Diagnosis)).all() == []
    assert db.session.scalars(select(VisitAmendment)).all() == []
