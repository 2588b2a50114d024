"""``/api/v1/his/reports/<name>``: the hospital reports — the figures the
Hospital reports page charts. Each takes ``date_from``/``date_to`` (first
and last day, both included; default the last 30 days; at most 366 days)
and ``department_id``, needs ``his.report.read`` and counts only what the
caller may see: a doctor their department's figures. Rates are fractions
(0.25 is 25 %); money is in the instance's currency, as strings."""

from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, fields, validate

from core.api import User, field_rules, require

from ..schemas.feedback import HisComplaintFiguresOut, HisPeriodArgs, HisSurveyFiguresOut
from ..services.bookings.access import visible_department
from ..services.reports import REPORTS, check_period, period_of
from .blueprint import bp


class HisReportArgs(HisPeriodArgs):
    department_id = fields.Integer(
        validate=validate.Range(1, 2**31 - 1),
        metadata={"description": "one department (404 if the caller does not see it)"},
    )


def _schema(name: str, spec: dict) -> type[Schema]:
    return Schema.from_dict(spec, name=name)


def _department(extra: dict) -> dict:
    return {
        "department_id": fields.Integer(allow_none=True),
        "department": fields.String(),
        **extra,
    }


def _rate(description: str | None = None) -> fields.Float:
    return fields.Float(allow_none=True, metadata={"description": description or "a fraction"})


def _money(description: str | None = None) -> fields.Decimal:
    return fields.Decimal(as_string=True, metadata={"description": description or "an amount"})


_CHANNELS = {"desk": fields.Integer(), "online": fields.Integer(), "bookings": fields.Integer()}
_BOOKING_FIGURES = {
    **_CHANNELS,
    "past": fields.Integer(metadata={"description": "bookings whose day has passed"}),
    "no_show": fields.Integer(),
    "online_share": _rate(),
    "no_show_rate": _rate("no_show ÷ past (cancelled left out)"),
}
_WAITS = {
    "patients": fields.Integer(),
    "median": _rate("minutes, check-in to call"),
    "p90": _rate("minutes, nearest rank"),
}

OUTPUTS: dict[str, type[Schema]] = {
    "visits": _schema(
        "HisVisitsReportFigures",
        {
            "rows": fields.List(
                fields.Nested(
                    _schema(
                        "HisVisitsReportRow",
                        _department(
                            {
                                "day": fields.Date(),
                                "doctor_id": fields.Integer(allow_none=True),
                                "doctor": fields.String(),
                                "visits": fields.Integer(),
                            }
                        ),
                    )
                )
            ),
            "by_department": fields.List(
                fields.Nested(
                    _schema("HisVisitsByDepartment", _department({"visits": fields.Integer()}))
                )
            ),
            "by_doctor": fields.List(
                fields.Nested(
                    _schema(
                        "HisVisitsByDoctor",
                        _department(
                            {
                                "doctor_id": fields.Integer(allow_none=True),
                                "doctor": fields.String(),
                                "visits": fields.Integer(),
                            }
                        ),
                    )
                )
            ),
            "total": fields.Integer(),
        },
    ),
    "bookings": _schema(
        "HisBookingsReportFigures",
        {
            "days": fields.List(
                fields.Nested(_schema("HisBookingsReportDay", {"day": fields.Date(), **_CHANNELS}))
            ),
            "by_department": fields.List(
                fields.Nested(_schema("HisBookingsByDepartment", _department(_BOOKING_FIGURES)))
            ),
            "totals": fields.Nested(_schema("HisBookingsTotals", _BOOKING_FIGURES)),
        },
    ),
    "wait-times": _schema(
        "HisWaitReportFigures",
        {
            "rows": fields.List(
                fields.Nested(
                    _schema("HisWaitReportRow", _department({"day": fields.Date(), **_WAITS}))
                )
            ),
            "by_department": fields.List(
                fields.Nested(_schema("HisWaitByDepartment", _department(_WAITS)))
            ),
            "totals": fields.Nested(_schema("HisWaitTotals", _WAITS)),
        },
    ),
    "revenue": _schema(
        "HisRevenueReportFigures",
        {
            "currency": fields.String(),
            "by_category": fields.List(
                fields.Nested(
                    _schema(
                        "HisRevenueByCategory",
                        {
                            "category": fields.String(),
                            "charged": _money(),
                            "refunded": _money(),
                            "net": _money(),
                        },
                    )
                )
            ),
            "unassigned_refunds": _money("refunds of an amount, not of charges"),
            "by_method": fields.List(
                fields.Nested(
                    _schema(
                        "HisRevenueByMethod",
                        {
                            "method": fields.String(),
                            "taken": _money(),
                            "refunded": _money(),
                            "net": _money(),
                        },
                    )
                )
            ),
            "totals": fields.Nested(
                _schema(
                    "HisRevenueTotals", {"charged": _money(), "refunded": _money(), "net": _money()}
                )
            ),
        },
    ),
    "followup": _schema(
        "HisFollowupReportFigures",
        {
            "due": fields.Integer(),
            "completed": fields.Integer(),
            "lost": fields.Integer(),
            "open": fields.Integer(),
            "completion_rate": _rate(),
            "lost_rate": _rate("lost to follow-up (失访)"),
        },
    ),
    "satisfaction": HisSurveyFiguresOut,
    "complaints": HisComplaintFiguresOut,
}
#: the names the answers have in the OpenAPI document
NAMES = {
    "visits": "HisVisitsReport",
    "bookings": "HisBookingsReport",
    "wait-times": "HisWaitReport",
    "revenue": "HisRevenueReport",
    "followup": "HisFollowupReport",
    "satisfaction": "HisSatisfactionReport",
    "complaints": "HisComplaintsReport",
}

SUMMARIES = {
    "visits": "Visits (就诊) per day by department and doctor, with their totals.",
    "bookings": "Registrations (挂号) per day by channel (desk / online); the no-show rate.",
    "wait-times": "Minutes from check-in to call: median and 90th percentile.",
    "revenue": "Revenue by charge category and by payment method, refunds subtracted.",
    "followup": "Follow-up (随访) completion and the lost-to-follow-up rate.",
    "satisfaction": "Satisfaction surveys: responses, average CSAT (1–5) and NPS.",
    "complaints": "Complaints (投诉) received, by category and by state.",
}


def answer(name: str, args: dict, user: User) -> dict:
    """Report ``name`` for ``user`` over the period and department asked for."""
    period = check_period(period_of(args.get("date_from"), args.get("date_to")))
    department = args.get("department_id")
    if department is not None:
        visible_department(department, user)
    return {"first": period[0], "last": period[1], **REPORTS[name](user, period, department)}


#: a report's period runs forward and spans at most a year (JSON Schema
#: cannot compare two dates)
FORWARD = field_rules(
    (("date_from", "date_to"), "date_to is not before date_from, at most 366 days after")
)


def _route(name: str) -> None:
    answered = Schema.from_dict(
        {"first": fields.Date(), "last": fields.Date(), **OUTPUTS[name]._declared_fields},
        name=NAMES[name],
    )

    def view(args):
        require("his.report.read")
        return answer(name, args, current_user)

    view.__name__ = "report_" + name.replace("-", "_")
    view.__doc__ = SUMMARIES[name]
    bp.route(f"/reports/{name}", methods=["GET"])(
        bp.doc(**FORWARD)(
            bp.alt_response(404, description="a department the caller does not see")(
                bp.arguments(HisReportArgs, location="query", as_kwargs=False)(
                    bp.response(200, answered)(view)
                )
            )
        )
    )


for _name in REPORTS:
    _route(_name)
