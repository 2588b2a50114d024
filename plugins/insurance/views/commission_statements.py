"""The commission statements' pages:

- ``/commission``: the agents' monthly statements (佣金月结单) in the user's
  scope — an agent sees only theirs — and, for ``insurance.commission.write``,
  a form building a month's drafts;
- ``/commission/agent-statements/<id>``: one statement, its lines' count
  and sum per kind, its lines a page at a time (policy, kind, basis,
  premium, rate %, amount; ``?kind=`` narrows them) and the Issue button;
- ``/commission/statements``: carrier statements and the CSV upload (对账),
  ``/commission/statements/<id>`` one with its rows by status.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from core.api import (
    StaleVersionError,
    StateError,
    ValidationError,
    db,
    form_version,
    list_page,
    require,
    translator,
)

from ..models import AgentStatement, Carrier, CarrierStatement, CommissionLine, Policy
from ..models.commission import LINE_KINDS, MATCHES
from ..services.commission import agent_statements, statements
from ..services.commission.queries import visible_agent_statement, visible_agent_statements
from ..services.terms import ZERO
from .blueprint import bp
from .catalogue import STALE
from .commission import (
    LIST_SIZE,
    READ,
    WRITE,
    _carriers,
    _last_month,
    _month_arg,
    _month_from,
    _user_names,
    match_labels,
    status_labels,
)

_, _l = translator("insurance")


def _policy_numbers(ids) -> dict[int, tuple[str, int]]:
    rows = db.session.execute(
        select(Policy.id, Policy.number, Policy.quote_number, Policy.term_no).where(
            Policy.id.in_(set(ids))
        )
    ).all()
    return {row.id: (row.number or row.quote_number or "—", row.term_no) for row in rows}


# --- agent statements ----------------------------------------------------------


@bp.route("/commission", methods=["GET", "POST"])
@login_required
def commission():
    """The agent statements the user may see, newest month first; a writer
    builds a month's drafts here."""
    require(READ)
    if request.method == "POST":
        require(WRITE)
        month = _month_from(request.form.get("month", ""))
        if month is None:
            flash(_("Give a month as YYYY-MM."), "error")
        else:
            count = agent_statements.build_agent_statements(month)
            flash(_("%(count)d draft statements written.", count=count), "success")
        return redirect(url_for(".commission"))
    month, status = _month_arg(), request.args.get("status", "")
    query = visible_agent_statements(current_user)
    if month is not None:
        query = query.where(AgentStatement.month == month)
    if status in ("draft", "issued"):
        query = query.where(AgentStatement.status == status)
    page = list_page()
    rows = db.session.scalars(
        query.order_by(AgentStatement.month.desc(), AgentStatement.id.desc())
        .offset((page - 1) * LIST_SIZE)
        .limit(LIST_SIZE + 1)
    ).all()
    filters = {
        k: v for k, v in {"month": request.args.get("month", ""), "status": status}.items() if v
    }
    return render_template(
        "insurance/commission/agent_statements.html",
        rows=rows[:LIST_SIZE],
        names=_user_names(r.agent_id for r in rows),
        filters=filters,
        page=page,
        more=len(rows) > LIST_SIZE,
        statuses=list(status_labels().items()),
        labels=status_labels(),
        last_month=_last_month(),
    )


@bp.route("/commission/agent-statements/<int:agent_statement_id>")
@login_required
def agent_statement(agent_statement_id: int):
    """One agent's statement and its lines."""
    require(READ)
    found = visible_agent_statement(agent_statement_id, current_user)
    return _agent_statement_page(found)


def _agent_statement_page(found: AgentStatement, status: int = 200):
    """The statement's sums per kind over all its lines, and a page of them."""
    kind = request.args.get("kind", "")
    kind = kind if kind in LINE_KINDS else ""
    query = agent_statements.lines_of(found)
    if kind:
        query = query.where(CommissionLine.kind == kind)
    page = list_page()
    lines = db.session.scalars(
        query.order_by(CommissionLine.month, CommissionLine.id)
        .offset((page - 1) * LIST_SIZE)
        .limit(LIST_SIZE + 1)
    ).all()
    shown = lines[:LIST_SIZE]
    subtotals = agent_statements.subtotals(found)
    return render_template(
        "insurance/commission/agent_statement.html",
        statement=found,
        subtotals=subtotals,
        lines_total=sum((s.amount for s in subtotals), ZERO),
        lines=shown,
        page=page,
        more=len(lines) > LIST_SIZE,
        kind=kind,
        policies=_policy_numbers(line.policy_id for line in shown),
        agent_name=_user_names([found.agent_id]).get(found.agent_id, ""),
        labels=status_labels(),
    ), status


@bp.route("/commission/agent-statements/<int:agent_statement_id>/issue", methods=["POST"])
@login_required
def issue_agent_statement(agent_statement_id: int):
    """Issue a draft statement: its lines are frozen on it."""
    require(WRITE)
    found = visible_agent_statement(agent_statement_id, current_user)
    try:
        agent_statements.issue_statement(found, current_user, form_version())
    except StaleVersionError:
        db.session.rollback()
        flash(str(STALE), "error")
    except StateError:
        db.session.rollback()
        flash(_("This statement was issued already."), "error")
    else:
        flash(_("Statement issued."), "success")
    return redirect(url_for(".agent_statement", agent_statement_id=agent_statement_id))


# --- carrier statements ----------------------------------------------------------


@bp.route("/commission/statements", methods=["GET", "POST"])
@login_required
def carrier_statements():
    """Carrier statements, newest month first, and the form importing one (对账)."""
    require(WRITE)
    values = {"month": _last_month(), "carrier_id": ""}
    errors: dict = {}
    status = 200
    if request.method == "POST":
        values = {
            "month": request.form.get("month", "").strip(),
            "carrier_id": request.form.get("carrier_id", "").strip(),
        }
        upload = request.files.get("file")
        month = _month_from(values["month"])
        if upload is None or not upload.filename:
            errors["file"] = [_("choose the statement's CSV file")]
        if month is None:
            errors["month"] = [_("give a month as YYYY-MM")]
        if not values["carrier_id"].isdigit():
            errors["carrier_id"] = [_("choose a carrier")]
        if not errors:
            assert upload is not None and month is not None
            try:
                made = statements.import_statement(
                    int(values["carrier_id"]),
                    month,
                    upload.filename or "",
                    upload.read(),
                    current_user,
                )
            except ValidationError as exc:  # bad rows, a bad file, the same file again
                db.session.rollback()
                errors, status = exc.errors, exc.status
            else:
                flash(
                    _(
                        "Statement imported: %(matched)d rows matched, %(unmatched)d not.",
                        matched=made.matched,
                        unmatched=made.unmatched,
                    ),
                    "success",
                )
                return redirect(url_for(".carrier_statement", carrier_statement_id=made.id))
        else:
            status = 422
    page = list_page()
    rows = db.session.scalars(
        statements.statements_query()
        .order_by(CarrierStatement.month.desc(), CarrierStatement.id.desc())
        .offset((page - 1) * LIST_SIZE)
        .limit(LIST_SIZE + 1)
    ).all()
    row_errors = errors.pop("rows", None) if isinstance(errors.get("rows"), dict) else None
    return render_template(
        "insurance/commission/carrier_statements.html",
        rows=rows[:LIST_SIZE],
        carriers=_carriers(),
        carrier_names=dict(_carriers()),
        page=page,
        more=len(rows) > LIST_SIZE,
        values=values,
        errors=errors,
        row_errors=row_errors,
        columns=", ".join(statements.StatementRow().fields),
    ), status


@bp.route("/commission/statements/<int:carrier_statement_id>")
@login_required
def carrier_statement(carrier_statement_id: int):
    """A carrier statement: its totals and its rows by status."""
    require(WRITE)
    found = db.session.get(CarrierStatement, carrier_statement_id)
    if found is None:
        abort(404)
    status = request.args.get("status", "")
    lines = statements.statement_lines(
        found.id, status if status in MATCHES else None, current_user
    )
    carrier = db.session.get(Carrier, found.carrier_id)
    return render_template(
        "insurance/commission/carrier_statement.html",
        statement=found,
        carrier=carrier,
        lines=lines,
        status=status if status in MATCHES else "",
        counts=statements.status_counts(found.id),
        statuses=list(match_labels().items()),
        variance=statements.variance_of(found),
    )
