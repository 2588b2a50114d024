"""``/api/v1/sales/contracts``: contracts, their CSV export, their moves
(submit for approval, sign, start, complete, terminate, amend) and the
contract made from an accepted quote (``/quotes/<id>/contract``); their
files are in :mod:`.contract_attachments`.

Access goes through ``visible_records``: a rep sees their own contracts, a
manager their team's; a contract of a customer the caller may not see is a 404.
"""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy.orm import joinedload

from core.api import (
    CSV_RESPONSE,
    csv_export,
    expected_version,
    export_args,
    json_body,
    ordered,
    page_schema,
    paginate,
    require,
    sorted_by,
)

from ..models import Contract, Quote
from ..schemas.contracts import (
    ContractAmendBody,
    ContractAmendmentOut,
    ContractSignBody,
    ContractTerminateBody,
    ContractVersionInput,
    SalesContractArgs,
    SalesContractDetailOut,
    SalesContractOut,
    SalesContractRowOut,
)
from ..services.access import visible_record
from ..services.contracts import editing, lifecycle
from ..services.contracts.amendments import amend
from ..services.contracts.approvals import submit_contract
from ..services.contracts.queries import search_contracts, visible_contract
from .blueprint import bp

SORTABLE = {
    "updated_at": Contract.updated_at,
    "created_at": Contract.created_at,
    "number": Contract.number,
    "amount": Contract.amount,
    "end_date": Contract.end_date,
    "signed_date": Contract.signed_date,
    "title": Contract.title,
}


@bp.route("/contracts", methods=["GET"])
@bp.arguments(sorted_by(SalesContractArgs, SORTABLE), location="query", as_kwargs=False)
@bp.response(200, page_schema(SalesContractOut, "SalesContractPage"))
def list_contracts(args):
    require("sales.contract.read")
    query = search_contracts(current_user, args, lifecycle.today())
    return paginate(query, args, SORTABLE, "-updated_at")


@bp.route("/contracts/export", methods=["GET"])
@bp.arguments(export_args(SalesContractArgs, SORTABLE), location="query", as_kwargs=False)
@bp.doc(responses=CSV_RESPONSE)
def export_contracts(args):
    """Every contract the list would show (same filters and ``sort``), as CSV or
    XLSX (``format``)."""
    require("sales.contract.read")
    query = search_contracts(current_user, args, lifecycle.today()).options(
        joinedload(Contract.customer), joinedload(Contract.owner)
    )
    return csv_export(
        ordered(query, args.get("sort"), SORTABLE, "-updated_at"),
        SalesContractRowOut(),
        "contracts.csv",
    )


@bp.route("/contracts", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": editing.SalesContractInput}}})
@bp.response(201, SalesContractOut)
def create_contract():
    """A new draft contract, numbered by the ``contract_number`` pattern."""
    require("sales.contract.write")
    return editing.create_contract(json_body(), current_user)


@bp.route("/contracts/<int:contract_id>", methods=["GET"])
@bp.response(200, SalesContractDetailOut)
def get_contract(contract_id: int):
    """The contract with its amendments, oldest first."""
    require("sales.contract.read")
    return visible_contract(contract_id, current_user)


@bp.route("/contracts/<int:contract_id>", methods=["PATCH"])
@bp.doc(requestBody={"content": {"application/json": {"schema": editing.SalesContractChange}}})
@bp.response(200, SalesContractOut)
def update_contract(contract_id: int):
    """Edit a draft; send the ``version`` you read (409 when stale). A
    signed contract changes by ``/amend``."""
    require("sales.contract.write")
    contract = visible_contract(contract_id, current_user)
    payload = json_body()
    version = expected_version(payload)
    return editing.update_contract(contract, payload, current_user, version)


@bp.route("/contracts/<int:contract_id>/submit", methods=["POST"])
@bp.response(200, SalesContractOut)
def submit(contract_id: int):
    """Submit a draft for approval: "pending" while a flow's approvers
    decide, "approved" at once when no flow applies."""
    require("sales.contract.write")
    contract = visible_contract(contract_id, current_user)
    submit_contract(contract, current_user)
    return contract


@bp.route("/contracts/<int:contract_id>/sign", methods=["POST"])
@bp.arguments(ContractSignBody, as_kwargs=False)
@bp.response(200, SalesContractOut)
def sign(args, contract_id: int):
    """Record the signature of an approved contract: the day and the signatory."""
    require("sales.contract.write")
    contract = visible_contract(contract_id, current_user)
    version = args.pop("version", None)
    data = {"signed_date": args["signed_date"].isoformat(), "contact_id": args["contact_id"]}
    return lifecycle.sign(contract, data, current_user, version)


@bp.route("/contracts/<int:contract_id>/activate", methods=["POST"])
@bp.arguments(ContractVersionInput, as_kwargs=False)
@bp.response(200, SalesContractOut)
def activate(args, contract_id: int):
    """A signed contract is in progress (it also starts by itself on its start date)."""
    require("sales.contract.write")
    contract = visible_contract(contract_id, current_user)
    return lifecycle.activate(contract, current_user, args.get("version"))


@bp.route("/contracts/<int:contract_id>/complete", methods=["POST"])
@bp.arguments(ContractVersionInput, as_kwargs=False)
@bp.response(200, SalesContractOut)
def complete(args, contract_id: int):
    require("sales.contract.write")
    contract = visible_contract(contract_id, current_user)
    return lifecycle.complete(contract, current_user, args.get("version"))


@bp.route("/contracts/<int:contract_id>/terminate", methods=["POST"])
@bp.arguments(ContractTerminateBody, as_kwargs=False)
@bp.response(200, SalesContractOut)
def terminate(args, contract_id: int):
    """End a signed or active contract early; ``reason`` is required."""
    require("sales.contract.write")
    contract = visible_contract(contract_id, current_user)
    return lifecycle.terminate(
        contract, {"reason": args["reason"]}, current_user, args.get("version")
    )


@bp.route("/contracts/<int:contract_id>/amend", methods=["POST"])
@bp.arguments(ContractAmendBody, as_kwargs=False)
@bp.response(201, ContractAmendmentOut)
def amend_contract(args, contract_id: int):
    """Change a signed or active contract; the amendment keeps what changed and why."""
    require("sales.contract.write")
    contract = visible_contract(contract_id, current_user)
    return amend(contract, args["changes"], args["reason"], current_user, args.get("version"))


@bp.route("/quotes/<int:quote_id>/contract", methods=["POST"])
@bp.response(201, SalesContractOut)
def contract_from_quote(quote_id: int):
    """The draft contract of an accepted quote (once per quote)."""
    require("sales.contract.write")
    quote = visible_record(Quote, quote_id, current_user)
    return editing.contract_from_quote(quote, current_user)


from . import contract_attachments  # noqa: E402, F401  (their routes join the blueprint)
