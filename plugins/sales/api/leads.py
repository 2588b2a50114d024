"""``/api/v1/sales/leads``: capture, list, edit, convert, disqualify, import."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from core.api import (
    ValidationError,
    expected_version,
    json_body,
    page_schema,
    paginate,
    require,
    search_match,
    sorted_by,
    translator,
)

from ..models import Lead
from ..schemas.leads import (
    DisqualifyInput,
    FollowUpInput,
    ImportArgs,
    ImportOut,
    LeadActivityOut,
    LeadArgs,
    LeadOut,
    RulesIO,
)
from ..services import lead_activities, leads
from ..services.access import visible_lead, visible_leads
from ..services.validation import json_body as body_doc
from .blueprint import bp

_, _l = translator("sales")
#: a task needs ``due_at`` (the other kinds ignore it)
TASK_IS_DUE = {
    "if": {"required": ["kind"], "properties": {"kind": {"const": "task"}}},
    "then": {"required": ["due_at"], "properties": {"due_at": {"type": "string"}}},
}
SORTABLE = {"created_at": Lead.created_at, "updated_at": Lead.updated_at, "name": Lead.name}


@bp.route("/leads", methods=["GET"])
@bp.arguments(sorted_by(LeadArgs, SORTABLE), location="query", as_kwargs=False)
@bp.response(200, page_schema(LeadOut, "LeadPage"))
def list_leads(args):
    require("sales.lead.read")
    query = visible_leads(current_user)
    for key in ("status", "source", "owner_id"):
        if args.get(key):
            query = query.where(getattr(Lead, key) == args[key])
    if args.get("q"):
        query = query.where(search_match(Lead, args["q"], current_user))
    return paginate(query, args, SORTABLE, "-created_at")


@bp.route("/leads", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": leads.LeadInput}}})
@bp.response(201, LeadOut)
def create_lead():
    """A new lead; without ``owner_id`` the assignment rules pick the owner."""
    require("sales.lead.write")
    return leads.create_lead(json_body(), current_user)


@bp.route("/leads/<int:lead_id>", methods=["GET"])
@bp.response(200, LeadOut)
def get_lead(lead_id: int):
    require("sales.lead.read")
    return visible_lead(lead_id, current_user)


@bp.route("/leads/<int:lead_id>", methods=["PATCH"])
@bp.doc(requestBody={"content": {"application/json": {"schema": leads.LeadChange}}})
@bp.response(200, LeadOut)
def update_lead(lead_id: int):
    require("sales.lead.write")
    lead = visible_lead(lead_id, current_user)
    payload = json_body()
    version = expected_version(payload)
    return leads.update_lead(lead, payload, current_user, version)


@bp.route("/leads/<int:lead_id>/convert", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": leads.ConvertInput}}})
@bp.response(200, LeadOut)
def convert_lead(lead_id: int):
    """转化: a customer (or ``customer_id``, an existing one) + contact, and with
    ``pipeline_id`` a deal, in one step. Converting twice is refused (409)."""
    require("sales.lead.write")
    return leads.convert(visible_lead(lead_id, current_user), json_body(), current_user)


@bp.route("/leads/<int:lead_id>/activities", methods=["GET"])
@bp.response(200, LeadActivityOut(many=True))
def list_lead_activities(lead_id: int):
    """The lead's follow-up history, newest first (after conversion it is on
    the customer's timeline too)."""
    require("sales.lead.read")
    return lead_activities.activities(visible_lead(lead_id, current_user))


@bp.route("/leads/<int:lead_id>/activities", methods=["POST"])
@bp.arguments(FollowUpInput, as_kwargs=False)
@bp.doc(requestBody=body_doc(FollowUpInput, **TASK_IS_DUE))
@bp.response(201, LeadActivityOut)
def follow_up_lead(args, lead_id: int):
    """Log a call, e-mail, meeting or note on the lead, or plan a follow-up (``task``)."""
    require("sales.lead.write")
    payload = {**args, "due_at": args["due_at"].isoformat() if args["due_at"] else None}
    return lead_activities.follow_up(visible_lead(lead_id, current_user), payload, current_user)


@bp.route("/leads/<int:lead_id>/disqualify", methods=["POST"])
@bp.arguments(DisqualifyInput, as_kwargs=False)
@bp.response(200, LeadOut)
def disqualify_lead(args, lead_id: int):
    require("sales.lead.write")
    return leads.disqualify(visible_lead(lead_id, current_user), args["reason"], current_user)


@bp.route("/leads/import", methods=["POST"])
@bp.arguments(ImportArgs, location="query", as_kwargs=False)
@bp.doc(
    requestBody={
        "content": {"text/csv": {"schema": {"type": "string", "pattern": leads.CSV_PATTERN}}}
    }
)
@bp.response(200, ImportOut)
def import_leads(args):
    """Leads from a CSV body (header: name, company, phone, email, region, source,
    notes; ``name`` among them). Bad rows are listed with their line numbers; then
    nothing is imported unless ``skip_bad=true``. A body without the header row
    (an empty one too) is refused (422)."""
    require("sales.lead.write")
    data = request.get_data()
    if not data.strip():
        raise ValidationError({"file": [_("the CSV is empty")]})
    return leads.import_csv(data, current_user, args["skip_bad"])


@bp.route("/assignment-rules", methods=["GET"])
@bp.response(200, RulesIO)
def list_rules():
    require("sales.admin")
    return {"rules": leads.rules()}


@bp.route("/assignment-rules", methods=["PUT"])
@bp.arguments(RulesIO, as_kwargs=False)
@bp.response(200, RulesIO)
def replace_rules(args):
    """Replace every assignment rule. Each gives new leads matching its source and
    region (empty: any) to ``user_id``, or in turn to the members of ``team_id``."""
    require("sales.admin")
    leads.replace_rules(args["rules"], current_user)
    return {"rules": leads.rules()}
