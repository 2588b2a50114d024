"""The segment pages without a browser: the form saves what its rows say,
refuses a wrong row naming it (nothing saved), redraws a row for a field,
and only the owner may change or delete a shared segment."""

import re

from sqlalchemy import func, select

from core.api import Role, db
from plugins.marketing.models import Segment


def form(web, **fields):
    """The form's fields, with the CSRF token of the new-segment page."""
    page = web.get("/marketing/segments/new").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return {"name": "Quiet A", "match": "all", "shared": "1", "csrf_token": token, **fields}


def test_the_form_saves_its_rows_typed_for_their_fields(make_user, login_as):
    web = login_as(make_user(role="manager"))
    answer = web.post(
        "/marketing/segments",
        data=form(
            web,
            **{
                "field-0": "grade",
                "op-0": "in",
                "value-0": ["A", "B"],
                "field-1": "last_contacted_at",
                "op-1": "within_days",
                "value-1": "60",
                "negate-1": "1",
                "field-2": "activities",
                "op-2": "at_most",
                "value-2": "0",
                "days-2": "30",
            },
        ),
    )
    assert answer.status_code == 302, answer.text
    segment = db.session.scalar(select(Segment))
    assert segment.conditions == [
        {"field": "grade", "op": "in", "value": ["A", "B"], "days": None, "negate": False},
        {
            "field": "last_contacted_at",
            "op": "within_days",
            "value": 60,
            "days": None,
            "negate": True,
        },
        {"field": "activities", "op": "at_most", "value": 0, "days": 30, "negate": False},
    ]
    page = web.get(answer.headers["Location"]).text
    assert "Grade" in page and "A, B" in page and "in the last 30 days" in page


def test_a_wrong_row_is_shown_again_with_its_error_and_nothing_is_saved(make_user, login_as):
    web = login_as(make_user(role="manager"))
    answer = web.post(
        "/marketing/segments",
        data=form(web, **{"field-0": "stage", "op-0": "is", "value-0": "gold"}),
    )
    assert answer.status_code == 422
    assert 'id="e-conditions.0.value"' in answer.text
    assert db.session.scalar(select(func.count(Segment.id))) == 0


def test_picking_a_field_redraws_its_row_with_the_fields_operators(make_user, login_as):
    web = login_as(make_user(role="manager"))
    row = web.get("/marketing/segments/condition-row?n=2&field-2=activities").text
    assert 'name="op-2"' in row and 'value="at_least"' in row and 'name="days-2"' in row
    assert 'value="contains"' not in row
    blank = web.get("/marketing/segments/condition-row?n=0&field-0=nope").text
    assert 'name="op-0"' not in blank


def test_only_the_owner_changes_or_deletes_a_shared_segment(make_user, login_as):
    owner, other = make_user(role="sales"), make_user(role="sales")
    mine = login_as(owner)
    mine.post("/marketing/segments", data=form(mine))
    segment = db.session.scalar(select(Segment))
    web = login_as(other)
    assert web.get(f"/marketing/segments/{segment.id}").status_code == 200
    refused = web.post(
        f"/marketing/segments/{segment.id}", data=form(web, name="Taken", version="1")
    )
    assert refused.status_code == 422
    token = form(web)["csrf_token"]
    web.post(f"/marketing/segments/{segment.id}/delete", data={"version": "1", "csrf_token": token})
    db.session.expire_all()
    assert (segment.name, segment.deleted_at) == ("Quiet A", None)


def test_without_customer_read_the_page_shows_the_count_not_the_customers(
    make_user, make_customer, login_as
):
    """As the API: a segment's members are listed to whoever may read customers."""
    admin = make_user(role="admin")
    make_customer(name="Quiet Acme", owner_id=admin.id)
    db.session.add(Role(name="marketer", permissions=["marketing.segment.read"]))
    db.session.commit()
    segment = Segment(name="All", owner_id=admin.id, conditions=[])
    db.session.add(segment)
    db.session.commit()
    page = login_as(make_user(role="marketer")).get(f"/marketing/segments/{segment.id}").text
    assert 'id="member-count"' in page and "Quiet Acme" not in page
    assert "only the count is shown" in page
    assert "Quiet Acme" in login_as(admin).get(f"/marketing/segments/{segment.id}").text
