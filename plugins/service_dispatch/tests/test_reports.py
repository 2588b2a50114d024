"""The SLA report's figures against a small data set computed by hand, its
filters, who sees what, the API's permission, the pages, and the overdue /
at-risk highlighting."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from core.api import DataScope, Role, Team, db, utcnow
from plugins.service_dispatch.models import Revisit, WorkOrderEvent
from plugins.service_dispatch.services import reports
from plugins.service_dispatch.services.orders import repeat_of

from .conftest import ENGINEER

NOW = datetime(2025, 11, 20, 12, 0, tzinfo=UTC)
WEEK = {"start": date(2025, 11, 3), "end": date(2025, 11, 9)}  # Mon–Sun: 5 workdays


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def book(make_order, make_engineer, app):
    """Engineers E1 and E2 (E2 in team T). Orders (2025; the week Nov 3–9):

    o0 E1 Purifier SN-7  created Sep 30, completed Oct 1            (before the week)
    o1 E1 AC-1 SN-1 closed    created 3rd 09:00  respond by 13:00, accepted 11:00 (2 h)
       resolve by 4th 09:00, completed 3rd 16:00 (7 h); on site 14:00–16:00; score 5
    o2 E1 AC-1 SN-2 completed created 4th 08:00  respond by 10:00, accepted 12:00 (4 h, late)
       reopened once; resolve by 5th 08:00, completed 6th 10:00 (50 h, late);
       on site 13:00–14:30; score 2
    o3 E2 AC-1 SN-1 on_site   created 5th 10:00  respond by 14:00, accepted 11:00 (1 h)
       resolve by 6th 10:00, not done (breached by now); checked in 13:00, no check-out
       — a repeat visit (o1 on SN-1 was completed 2 days before)
    o4 E2 Purifier SN-9 assigned created 6th 09:00 respond by 12:00, never accepted
       (breached), category installation
    o5 E1 Purifier SN-7 completed created 7th 09:00  no deadlines, accepted 10:00 (1 h),
       completed 12:00 (3 h), checked in 11:00, no check-out, 90 minutes labour; high
       priority; score 4 (o0 was more than 30 days before: not a repeat)
    o6 E2 cancelled created 8th 09:00 respond by 10:00, never accepted
    o7 E1 AC-1 SN-2 completed created 10th (after the week; a repeat of o2); score 1
    o8 E1 assigned created 20th 09:00, respond by 20th 13:00 (at risk at NOW 12:00)
    """
    team = Team(name="T")
    db.session.add(team)
    db.session.commit()
    e1, e2 = make_engineer(name="E1"), make_engineer(name="E2", team_id=team.id)
    ac, purifier = {"product": "AC-1"}, {"product": "Purifier"}
    rows = {
        "o0": (
            e1,
            "completed",
            {
                **purifier,
                "serial_number": "SN-7",
                "created_at": at(30, 9, month=9),
                "completed_at": at(1, 12, month=10),
            },
        ),
        "o1": (
            e1,
            "closed",
            {
                **ac,
                "serial_number": "SN-1",
                "created_at": at(3, 9),
                "respond_by": at(3, 13),
                "accepted_at": at(3, 11),
                "resolve_by": at(4, 9),
                "completed_at": at(3, 16),
                "checked_in_at": at(3, 14),
                "checked_out_at": at(3, 16),
            },
        ),
        "o2": (
            e1,
            "completed",
            {
                **ac,
                "serial_number": "SN-2",
                "created_at": at(4, 8),
                "respond_by": at(4, 10),
                "accepted_at": at(4, 12),
                "resolve_by": at(5, 8),
                "completed_at": at(6, 10),
                "checked_in_at": at(4, 13),
                "checked_out_at": at(4, 14, 30),
            },
        ),
        "o3": (
            e2,
            "on_site",
            {
                **ac,
                "serial_number": "SN-1",
                "created_at": at(5, 10),
                "respond_by": at(5, 14),
                "accepted_at": at(5, 11),
                "resolve_by": at(6, 10),
                "checked_in_at": at(5, 13),
            },
        ),
        "o4": (
            e2,
            "assigned",
            {
                **purifier,
                "serial_number": "SN-9",
                "category": "installation",
                "created_at": at(6, 9),
                "respond_by": at(6, 12),
            },
        ),
        "o5": (
            e1,
            "completed",
            {
                **purifier,
                "serial_number": "SN-7",
                "priority": "high",
                "created_at": at(7, 9),
                "accepted_at": at(7, 10),
                "completed_at": at(7, 12),
                "checked_in_at": at(7, 11),
                "labour_minutes": 90,
            },
        ),
        "o6": (e2, "cancelled", {"created_at": at(8, 9), "respond_by": at(8, 10)}),
        "o7": (
            e1,
            "completed",
            {**ac, "serial_number": "SN-2", "created_at": at(10, 9), "completed_at": at(10, 12)},
        ),
        "o8": (e1, "assigned", {"created_at": at(20, 9), "respond_by": at(20, 13)}),
    }
    orders = {}
    for key, (engineer, status, fields) in rows.items():
        order = make_order(status, engineer, title=key)
        defaults = {
            "respond_by": None,
            "resolve_by": None,
            "accepted_at": None,
            "checked_in_at": None,
            "checked_out_at": None,
            "completed_at": None,
            "priority": "normal",
            "category": "repair",
            "team_id": engineer.team_id,
        }
        for name, value in {**defaults, **fields}.items():
            setattr(order, name, value)
        order.responded_at = order.accepted_at  # the first accept, as the lifecycle keeps it
        # as if opened at ``created_at`` with its serial number (services.orders.repeat_of)
        order.repeat_of_id = repeat_of(order.serial_number, order.created_at, order.id)
        orders[key] = order
    db.session.add(
        WorkOrderEvent(
            work_order_id=orders["o2"].id,
            action="reopen",
            from_status="completed",
            to_status="reopened",
            at=at(5, 9),
        )
    )
    orders["o2"].reopen_count = 1  # as lifecycle.transition keeps it
    for key, score in (("o1", 5), ("o2", 2), ("o5", 4), ("o7", 1)):
        db.session.add(Revisit(work_order_id=orders[key].id, score=score))
    db.session.commit()
    return {"e1": e1, "e2": e2, "team": team, **orders}


def test_every_figure_matches_the_hand_computed_values(book, dispatcher):
    r = reports.sla_report(dispatcher, WEEK, NOW)
    assert (r["from"], r["to"]) == (date(2025, 11, 3), date(2025, 11, 9))
    assert {k: v for k, v in r["orders"].items() if k != "by_status"} == {
        "total": 6,
        "open": 2,
        "resolved": 3,
    }
    assert r["orders"]["by_status"] == {
        "assigned": 1,
        "cancelled": 1,
        "closed": 1,
        "completed": 2,
        "on_site": 1,
    }
    assert r["response"] == {"met": 2, "breached": 2, "rate": 0.5}
    assert r["resolution"] == {"met": 1, "breached": 2, "rate": 0.3333}
    assert r["first_time_fix_rate"] == 0.6667
    assert r["mean_hours_to_respond"] == 2.0  # (2 + 4 + 1 + 1) / 4
    assert r["mean_hours_to_resolve"] == 20.0  # (7 + 50 + 3) / 3
    assert r["repeat_visits"] == [
        {"product": "AC-1", "orders": 3, "repeat_visits": 1, "rate": 0.3333}
    ]
    assert r["utilisation"] == [
        {
            "engineer_id": book["e1"].id,
            "name": "E1",
            "visits": 3,
            "hours_on_site": 5.0,
            "available_hours": 40,
            "utilisation": 0.125,
        },
        {
            "engineer_id": book["e2"].id,
            "name": "E2",
            "visits": 1,
            "hours_on_site": 0.0,
            "available_hours": 40,
            "utilisation": 0.0,
        },
    ]
    assert r["satisfaction"] == {
        "count": 3,
        "average": 3.67,
        "low_rate": 0.3333,
        "distribution": {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1},
    }
    assert (r["overdue_count"], r["at_risk_count"]) == (2, 1)
    assert [(o["title"], o["deadline"], o["due_at"]) for o in r["overdue"]] == [
        ("o3", "resolve", at(6, 10)),
        ("o4", "respond", at(6, 12)),
    ]
    assert [(o["title"], o["engineer_name"]) for o in r["at_risk"]] == [("o8", "E1")]


def test_the_filters_narrow_every_figure(book, dispatcher):
    e2 = reports.sla_report(dispatcher, {**WEEK, "engineer_id": book["e2"].id}, NOW)
    assert e2["orders"]["total"] == 3 and e2["response"] == {"met": 1, "breached": 1, "rate": 0.5}
    assert [u["name"] for u in e2["utilisation"]] == ["E2"]
    assert e2["satisfaction"]["count"] == 0 and e2["first_time_fix_rate"] is None
    assert (
        reports.sla_report(dispatcher, {**WEEK, "team_id": book["team"].id}, NOW)["orders"]["total"]
        == 3
    )
    high = reports.sla_report(dispatcher, {**WEEK, "priority": "high"}, NOW)
    assert high["orders"]["total"] == 1 and high["mean_hours_to_resolve"] == 3.0
    installs = reports.sla_report(dispatcher, {**WEEK, "category": "installation"}, NOW)
    assert installs["response"] == {"met": 0, "breached": 1, "rate": 0.0}
    assert [o["title"] for o in installs["overdue"]] == ["o4"]
    calm = reports.sla_report(dispatcher, {**WEEK, "risk_hours": 1}, NOW)
    assert calm["at_risk"] == [] and calm["overdue_count"] == 2
    later = reports.sla_report(
        dispatcher, {"start": date(2025, 11, 10), "end": date(2025, 11, 10)}, NOW
    )
    assert later["orders"]["total"] == 1 and later["satisfaction"]["average"] == 1.0
    assert later["repeat_visits"][0]["repeat_visits"] == 1  # o7 after o2 on SN-2


def test_an_engineer_sees_only_their_orders_and_a_sales_rep_none(book, make_user):
    mine = reports.sla_report(book["e1"], WEEK, NOW)
    assert mine["orders"]["total"] == 3 and [u["name"] for u in mine["utilisation"]] == ["E1"]
    assert mine["overdue"] == [] and [o["title"] for o in mine["at_risk"]] == ["o8"]
    rep = reports.sla_report(make_user(role="sales"), WEEK, NOW)
    assert rep["orders"]["total"] == 0 and rep["overdue_count"] == 0
    assert rep["satisfaction"]["count"] == 0 and rep["utilisation"] == []


def test_the_api_needs_service_report_read_and_is_scoped(book, dispatcher, make_user, as_user):
    query = "/api/v1/service/reports/sla?from=2025-11-03&to=2025-11-09"
    assert as_user(dispatcher).get(query).status_code == 403
    assert as_user(book["e1"]).get(query).status_code == 403
    db.session.add(
        Role(
            name="lead_engineer",
            scope=DataScope.own,
            permissions=[*ENGINEER, "service.report.read"],
        )
    )
    db.session.commit()
    lead = make_user(role="lead_engineer", name="Lead")
    book["o1"].engineer_id = lead.id
    db.session.commit()
    answer = as_user(lead).get(query)
    assert answer.status_code == 200, answer.json
    assert answer.json["from"] == "2025-11-03" and answer.json["to"] == "2025-11-09"
    assert answer.json["orders"]["total"] == 1
    assert answer.json["satisfaction"]["distribution"]["5"] == 1
    full = as_user(make_user(role="admin")).get(query).json
    assert full["orders"]["total"] == 6 and full["response"]["rate"] == 0.5
    assert {o["title"] for o in full["overdue"]} >= {"o3", "o4"}


@pytest.mark.parametrize(
    "query, field",
    [
        ("from=2025-11-09&to=2025-11-03", "to"),
        ("from=2024-01-01&to=2025-06-01", "to"),
        ("from=yesterday", "from"),
        ("priority=asap", "priority"),
        ("risk_hours=0", "risk_hours"),
        ("to=9999-12-31", "to"),
        ("from=0001-01-01&to=0001-01-02", "from"),
    ],
)
def test_bad_filters_are_refused_naming_the_field(query, field, make_user, as_user, app):
    answer = as_user(make_user(role="admin")).get(f"/api/v1/service/reports/sla?{query}")
    assert answer.status_code == 422 and field in answer.json["errors"], answer.json


def test_the_default_period_is_the_last_30_days():
    assert reports.period({}, date(2025, 11, 30)) == (date(2025, 11, 1), date(2025, 11, 30))
    assert reports.period({"start": date(2025, 1, 1)}) == (date(2025, 1, 1), date(2025, 1, 30))
    assert reports.workdays(date(2025, 11, 3), date(2025, 11, 9)) == 5


def test_sla_state_marks_overdue_and_at_risk_orders(book):
    now = utcnow()
    o8 = book["o8"]
    o8.respond_by = now + timedelta(minutes=30)
    assert reports.sla_state(o8, now) == "at_risk"
    o8.respond_by = now + timedelta(hours=3)
    assert reports.sla_state(o8, now) is None
    o8.resolve_by = now - timedelta(minutes=1)
    assert reports.sla_state(o8, now) == "overdue"
    assert reports.sla_state(book["o1"], now) is None  # closed


@pytest.mark.parametrize(
    "locale, words",
    [
        ("en", ["Service reports", "SLA compliance", "First-time fix rate", "Overdue"]),
        ("zh_CN", ["Service reports"]),
    ],
)
def test_the_reports_page_and_the_widget_show(locale, words, book, make_user, login_as):
    client = login_as(make_user(role="admin", locale=locale))
    page = client.get("/service/reports?from=2025-11-03&to=2025-11-09&priority=bogus")
    assert page.status_code == 200
    assert "o3" in page.text and "o4" in page.text and 'data-chart-kind="bar"' in page.text
    for word in words[1:] if locale == "zh_CN" else words:
        assert word in page.text, word
    widget = client.get("/service/widgets/sla-risk")
    assert widget.status_code == 200 and book["o3"].number in widget.text
    home = client.get("/")
    assert home.status_code == 200


def test_the_board_and_order_page_highlight_at_risk_orders(book, dispatcher, login_as):
    book["o8"].status, book["o8"].engineer_id = "new", None
    book["o8"].respond_by = utcnow() + timedelta(minutes=45)
    db.session.commit()
    client = login_as(dispatcher)
    board = client.get("/service/board")
    assert board.status_code == 200 and "At risk" in board.text
    page = client.get(f"/service/work-orders/{book['o8'].id}")
    assert "At risk" in page.text and "Overdue" not in page.text
