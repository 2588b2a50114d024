"""``/api/v1/service``: service contracts and warranties (``contracts``),
the SLA policies (``sla-policies``) and the business calendar
(``calendar``, ``calendar/days``).

A contract is seen by whoever sees its customer (a 404 otherwise); reading
takes ``service.order.read``, writing ``service.order.write``. The SLA
policies and the calendar are read with ``service.order.read`` and changed
by a service admin (``service.admin``).
"""

from __future__ import annotations

from flask_login import current_user

from core.api import (
    expected_version,
    field_rules,
    json_body,
    page_schema,
    paginate,
    require,
    sorted_by,
)

from ..models import Contract
from ..schemas.contracts import (
    CalendarDayOut,
    CalendarOut,
    ContractArgs,
    ContractOut,
    DayArgs,
    PolicyOut,
)
from ..services import entitlement, sla
from .blueprint import bp

SORTABLE = {
    "number": Contract.number,
    "starts_on": Contract.starts_on,
    "ends_on": Contract.ends_on,
    "created_at": Contract.created_at,
}
STALE = {"409": {"description": "the version sent is not the current one"}}


# ------------------------------------------------------------------ contracts


@bp.route("/contracts", methods=["GET"])
@bp.arguments(sorted_by(ContractArgs, SORTABLE), location="query", as_kwargs=False)
@bp.response(200, page_schema(ContractOut, "ContractPage"))
def list_contracts(args):
    """Contracts and warranties of the customers the caller may see;
    ``q`` searches the number, product and serial number."""
    require("service.order.read")
    query = entitlement.filter_contracts(entitlement.visible_contracts(current_user), args)
    return paginate(query, args, SORTABLE, "-ends_on")


@bp.route("/contracts", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": entitlement.ContractInput}}})
@bp.response(201, ContractOut)
def create_contract():
    require("service.order.write")
    return entitlement.create_contract(json_body(), current_user)


@bp.route("/contracts/<int:contract_id>", methods=["GET"])
@bp.response(200, ContractOut)
def get_contract(contract_id: int):
    require("service.order.read")
    return entitlement.visible_contract(contract_id, current_user)


@bp.route("/contracts/<int:contract_id>", methods=["PATCH"])
@bp.doc(
    requestBody={"content": {"application/json": {"schema": entitlement.ContractChange}}},
    responses=STALE,
)
@bp.response(200, ContractOut)
def update_contract(contract_id: int):
    """Change what the body names; send the ``version`` you read (409 when stale)."""
    require("service.order.write")
    contract = entitlement.visible_contract(contract_id, current_user)
    payload = dict(json_body())
    version = expected_version(payload)
    return entitlement.update_contract(contract, payload, current_user, version)


@bp.route("/contracts/<int:contract_id>", methods=["DELETE"])
@bp.doc(responses=STALE)
@bp.response(204)
def delete_contract(contract_id: int):
    """Into the recycle bin: it covers no new order (``If-Match``: the version you read)."""
    require("service.order.write")
    contract = entitlement.visible_contract(contract_id, current_user)
    entitlement.delete_contract(contract, current_user, expected_version({}))


# ------------------------------------------------------------------- policies


@bp.route("/sla-policies", methods=["GET"])
@bp.response(200, PolicyOut(many=True))
def list_policies():
    """Business hours to respond and to resolve, by category (``""``: the
    default) and priority."""
    require("service.order.read")
    return sla.policies()


#: the rule across an SLA policy's two figures (JSON Schema cannot compare them)
RESOLVE_AFTER_RESPONDING = field_rules(
    (("response_hours", "resolution_hours"), "resolution_hours is at least response_hours")
)


@bp.route("/sla-policies", methods=["POST"])
@bp.doc(
    requestBody={"content": {"application/json": {"schema": sla.SlaPolicyInput}}},
    **RESOLVE_AFTER_RESPONDING,
)
@bp.response(201, PolicyOut)
def create_policy():
    require("service.admin")
    return sla.create_policy(json_body(), current_user)


@bp.route("/sla-policies/<int:policy_id>", methods=["PATCH"])
@bp.doc(
    requestBody={"content": {"application/json": {"schema": sla.SlaPolicyChange}}},
    responses=STALE,
    **RESOLVE_AFTER_RESPONDING,
)
@bp.response(200, PolicyOut)
def update_policy(policy_id: int):
    require("service.admin")
    policy = sla.get_policy(policy_id)
    payload = dict(json_body())
    version = expected_version(payload)
    return sla.update_policy(policy, payload, current_user, version)


@bp.route("/sla-policies/<int:policy_id>", methods=["DELETE"])
@bp.response(204)
def delete_policy(policy_id: int):
    require("service.admin")
    sla.delete_policy(sla.get_policy(policy_id), current_user)


# ------------------------------------------------------------------- calendar


@bp.route("/calendar", methods=["GET"])
@bp.response(200, CalendarOut)
def get_calendar():
    """The business calendar SLA hours are counted in."""
    require("service.order.read")
    return sla.calendar_dict(sla.calendar_row())


@bp.route("/calendar", methods=["PATCH"])
@bp.doc(
    requestBody={"content": {"application/json": {"schema": sla.CalendarInput}}}, responses=STALE
)
@bp.response(200, CalendarOut)
def update_calendar():
    """Time zone, working weekdays (0 = Monday), opening hours ("09:00")."""
    require("service.admin")
    payload = dict(json_body())
    version = expected_version(payload)
    return sla.calendar_dict(sla.update_calendar(payload, current_user, version))


@bp.route("/calendar/days", methods=["GET"])
@bp.arguments(DayArgs, location="query", as_kwargs=False)
@bp.response(200, CalendarDayOut(many=True))
def list_calendar_days(args):
    """Holidays and make-up working days (调休), by date."""
    require("service.order.read")
    return sla.calendar_days(args.get("year"))


@bp.route("/calendar/days", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": sla.CalendarDayInput}}})
@bp.response(201, CalendarDayOut)
def add_calendar_day():
    require("service.admin")
    return sla.add_calendar_day(json_body(), current_user)


@bp.route(
    "/calendar/days/<day>",
    methods=["DELETE"],
    parameters=[
        {
            "in": "path",
            "name": "day",
            "required": True,
            "schema": {"type": "string", "format": "date"},
        }
    ],
)
@bp.response(204)
def remove_calendar_day(day: str):
    """``day`` is the date, e.g. ``2026-10-01``."""
    require("service.admin")
    sla.remove_calendar_day(sla.get_calendar_day(day), current_user)
