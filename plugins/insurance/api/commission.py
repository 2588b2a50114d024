"""``/api/v1/insurance/commission-…``, ``agent-statements`` and
``agents/leaderboard``: commission (佣金).

- ``commission-rules`` (GET, POST), ``commission-rules/{id}`` (GET, PATCH
  with ``version``): rates as fractions 0–1; writing needs
  ``insurance.commission.write``, reading ``insurance.commission.read``.
- ``commission-lines`` (GET): the lines in the caller's scope (an agent
  their own, a manager their team's), by month, agent, carrier, policy, kind.
- ``commission-statements`` (GET, POST multipart: ``file``, ``carrier_id``,
  ``month``), ``commission-statements/{id}`` (GET, ``?status=``): carrier
  statements and their reconciliation (对账) — ``insurance.commission.write``.
- ``agent-statements`` (GET), ``agent-statements/{id}`` (GET, with its
  lines' subtotals per kind), ``agent-statements/{id}/lines`` (GET, a list:
  paged, by ``kind``), ``agent-statements/{id}/issue`` (POST ``version``;
  write).
- ``agents/leaderboard`` (GET ``from``, ``to``): the agents in scope ranked.
"""

from __future__ import annotations

from flask import request
from flask_login import current_user

from core.api import (
    NotFoundError,
    ValidationError,
    db,
    expected_version,
    json_body,
    page_schema,
    paginate,
    require,
    sorted_by,
    translator,
)

from ..models import AgentStatement, CarrierStatement, CommissionLine, InsuranceCommissionRule
from ..schemas.commission import (
    AgentStatementArgs,
    AgentStatementDetailOut,
    AgentStatementLineArgs,
    AgentStatementOut,
    CarrierStatementArgs,
    CarrierStatementDetailArgs,
    CarrierStatementDetailOut,
    CarrierStatementOut,
    CommissionLineArgs,
    CommissionLineOut,
    CommissionRuleArgs,
    CommissionRuleOut,
    LeaderboardArgs,
    LeaderboardOut,
    Month,
    VersionBody,
)
from ..services.commission import agent_statements, rules, statements
from ..services.commission.leaderboard import leaderboard
from ..services.commission.queries import (
    search_lines,
    visible_agent_statement,
    visible_agent_statements,
)
from ..services.terms import today
from .blueprint import bp

_, _l = translator("insurance")
READ, WRITE = "insurance.commission.read", "insurance.commission.write"
RULE_SORTS = {
    "effective_from": InsuranceCommissionRule.effective_from,
    "carrier_id": InsuranceCommissionRule.carrier_id,
    "updated_at": InsuranceCommissionRule.updated_at,
}
LINE_SORTS = {
    "month": CommissionLine.month,
    "policy_id": CommissionLine.policy_id,
    "agent_amount": CommissionLine.agent_amount,
}
STATEMENT_SORTS = {"month": CarrierStatement.month, "created_at": CarrierStatement.created_at}
AGENT_STATEMENT_SORTS = {"month": AgentStatement.month, "total": AgentStatement.total}
UPLOAD = {
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file", "carrier_id", "month"],
                "properties": {
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": "the carrier's statement CSV (UTF-8, BOM ok, or GB18030)",
                    },
                    "carrier_id": {"type": "integer"},
                    "month": {"type": "string", "description": "YYYY-MM"},
                },
            }
        }
    }
}


def _body(schema) -> dict:
    return {"requestBody": {"content": {"application/json": {"schema": schema}}}}


# --- rules -------------------------------------------------------------------


@bp.route("/commission-rules", methods=["GET"])
@bp.arguments(sorted_by(CommissionRuleArgs, RULE_SORTS), location="query", as_kwargs=False)
@bp.response(200, page_schema(CommissionRuleOut, "InsuranceCommissionRulePage"))
def list_commission_rules(args):
    """The commission rules, of a carrier (and product) when given."""
    require(READ)
    query = rules.rules_query(args.get("carrier_id"), args.get("product_id"))
    return paginate(query, args, RULE_SORTS, "carrier_id,-effective_from")


@bp.route("/commission-rules", methods=["POST"])
@bp.doc(**_body(rules.CommissionRuleInput))
@bp.response(201, CommissionRuleOut)
def create_commission_rule():
    """A rule: rates as fractions from 0 to 1 (422 naming the field); its
    dates may not overlap another rule of the carrier and product (422
    ``effective_from``)."""
    require(WRITE)
    return rules.create_rule(json_body(), current_user)


def _rule(rule_id: int) -> InsuranceCommissionRule:
    rule = db.session.get(InsuranceCommissionRule, rule_id)
    if rule is None:
        raise NotFoundError(_("commission rule %(id)s not found", id=rule_id))
    return rule


@bp.route("/commission-rules/<int:rule_id>", methods=["GET"])
@bp.response(200, CommissionRuleOut)
def get_commission_rule(rule_id: int):
    require(READ)
    return _rule(rule_id)


@bp.route("/commission-rules/<int:rule_id>", methods=["PATCH"])
@bp.doc(**_body(rules.CommissionRuleChange))
@bp.response(200, CommissionRuleOut)
def update_commission_rule(rule_id: int):
    """Change a rule (``version``: the one read; 409 when stale)."""
    require(WRITE)
    rule = _rule(rule_id)
    payload = json_body()
    version = expected_version(payload)
    return rules.update_rule(rule, payload, current_user, version)


# --- lines -------------------------------------------------------------------


@bp.route("/commission-lines", methods=["GET"])
@bp.arguments(sorted_by(CommissionLineArgs, LINE_SORTS), location="query", as_kwargs=False)
@bp.response(200, page_schema(CommissionLineOut, "InsuranceCommissionLinePage"))
def list_commission_lines(args):
    """Commission lines in the caller's scope (an agent their own, a manager
    their team's), newest month first."""
    require(READ)
    return paginate(search_lines(current_user, args), args, LINE_SORTS, "-month")


# --- carrier statements --------------------------------------------------------


@bp.route("/commission-statements", methods=["GET"])
@bp.arguments(sorted_by(CarrierStatementArgs, STATEMENT_SORTS), location="query", as_kwargs=False)
@bp.response(200, page_schema(CarrierStatementOut, "InsuranceCarrierStatementPage"))
def list_commission_statements(args):
    """Carrier statements imported, newest month first."""
    require(WRITE)
    query = statements.statements_query(args.get("carrier_id"), args.get("month"))
    return paginate(query, args, STATEMENT_SORTS, "-month")


@bp.route("/commission-statements", methods=["POST"])
@bp.doc(
    requestBody=UPLOAD,
    responses={
        "409": {"description": "this file was imported for this carrier already"},
        "422": {"description": "a bad field, file or rows (``errors.rows`` by line)"},
    },
)
@bp.response(201, CarrierStatementOut)
def import_commission_statement():
    """Import a carrier's statement CSV for a month and reconcile it against
    the commission lines: all its rows, or (422, every bad row by its line
    in the file) none."""
    require(WRITE)
    errors: dict[str, list[str]] = {}
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        errors["file"] = [_("choose the statement's CSV file")]
    carrier_id = request.form.get("carrier_id", "").strip()
    if not (carrier_id.isascii() and carrier_id.isdigit() and len(carrier_id) < 10):
        errors["carrier_id"] = [_("choose a carrier")]
    try:
        month = Month().deserialize(request.form.get("month", ""))
    except Exception as exc:  # noqa: BLE001  (marshmallow's error, told by the field)
        errors["month"] = [str(getattr(exc, "messages", [exc])[0])]
    if errors:
        raise ValidationError(errors)
    assert upload is not None
    return statements.import_statement(
        int(carrier_id), month, upload.filename or "", upload.read(), current_user
    )


def _statement(statement_id: int) -> CarrierStatement:
    found = db.session.get(CarrierStatement, statement_id)
    if found is None:
        raise NotFoundError(_("carrier statement %(id)s not found", id=statement_id))
    return found


@bp.route("/commission-statements/<int:carrier_statement_id>", methods=["GET"])
@bp.arguments(CarrierStatementDetailArgs, location="query", as_kwargs=False)
@bp.response(200, CarrierStatementDetailOut)
def get_commission_statement(args, carrier_statement_id: int):
    """A statement with its rows and how each matched (``status`` narrows them)."""
    require(WRITE)
    found = _statement(carrier_statement_id)
    return _With(
        found, lines=statements.statement_lines(found.id, args.get("status"), current_user)
    )


# --- agent statements ----------------------------------------------------------


@bp.route("/agent-statements", methods=["GET"])
@bp.arguments(
    sorted_by(AgentStatementArgs, AGENT_STATEMENT_SORTS), location="query", as_kwargs=False
)
@bp.response(200, page_schema(AgentStatementOut, "InsuranceAgentStatementPage"))
def list_agent_statements(args):
    """Agent statements in the caller's scope, newest month first."""
    require(READ)
    query = visible_agent_statements(current_user)
    if args.get("month"):
        query = query.where(AgentStatement.month == args["month"])
    if args.get("agent_id"):
        query = query.where(AgentStatement.agent_id == args["agent_id"])
    if args.get("status"):
        query = query.where(AgentStatement.status == args["status"])
    return paginate(query, args, AGENT_STATEMENT_SORTS, "-month")


@bp.route("/agent-statements/<int:agent_statement_id>", methods=["GET"])
@bp.response(200, AgentStatementDetailOut)
def get_agent_statement(agent_statement_id: int):
    """A statement with its lines' count and sum per kind, over all its
    lines (a draft's: the open lines it would freeze); the lines are paged
    at ``agent-statements/{id}/lines``."""
    require(READ)
    found = visible_agent_statement(agent_statement_id, current_user)
    return _With(found, subtotals=agent_statements.subtotals(found))


@bp.route("/agent-statements/<int:agent_statement_id>/lines", methods=["GET"])
@bp.arguments(sorted_by(AgentStatementLineArgs, LINE_SORTS), location="query", as_kwargs=False)
@bp.response(200, page_schema(CommissionLineOut, "InsuranceAgentStatementLinePage"))
def list_agent_statement_lines(args, agent_statement_id: int):
    """A statement's lines (a draft's: the open lines it would freeze),
    oldest month first; ``kind`` narrows them."""
    require(READ)
    found = visible_agent_statement(agent_statement_id, current_user)
    query = agent_statements.lines_of(found)
    if args.get("kind"):
        query = query.where(CommissionLine.kind == args["kind"])
    return paginate(query, args, LINE_SORTS, "month")


@bp.route("/agent-statements/<int:agent_statement_id>/issue", methods=["POST"])
@bp.arguments(VersionBody, as_kwargs=False)
@bp.response(200, AgentStatementOut)
def issue_agent_statement(args, agent_statement_id: int):
    """Issue a draft: its lines are frozen on it (409 when stale or issued)."""
    require(WRITE)
    found = visible_agent_statement(agent_statement_id, current_user)
    return agent_statements.issue_statement(found, current_user, args["version"])


# --- leaderboard ---------------------------------------------------------------


@bp.route("/agents/leaderboard", methods=["GET"])
@bp.arguments(LeaderboardArgs, location="query", as_kwargs=False)
@bp.response(200, LeaderboardOut)
def agents_leaderboard(args):
    """The agents in the caller's scope ranked by new-business APE in the
    period (default: this month to today), then count, then commission;
    each currency ranks apart."""
    require(READ)
    end = args.get("to") or today()
    start = args.get("from_") or end.replace(day=1)
    if start > end:
        raise ValidationError({"from": [_("on or before the end of the period")]})
    return {"from_": start, "to": end, "items": leaderboard(current_user, start, end)}


class _With:
    """A record as a detail schema reads it: its columns and its lines."""

    def __init__(self, record, **extra):
        self._record, self._extra = record, extra

    def __getattr__(self, name: str):
        if name in self._extra:
            return self._extra[name]
        return getattr(self._record, name)
