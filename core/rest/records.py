"""Contacts and the activity timeline of a customer, under ``/api/v1``."""

from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import fields
from sqlalchemy import select

from core.errors import NotFoundError
from core.extensions import db
from core.i18n import _
from core.models import Activity, Contact
from core.rest.auth import require
from core.rest.customers import body, expected_version, visible
from core.rest.lists import ListArgs, page_schema, paginate, sorted_by
from core.rest.schemas import ActivityOut, ContactOut
from core.schemas import ActivityInput, ContactInput, is_id
from core.search import search_match, text_contains
from core.services import activities as activity_service
from core.services import contacts as contact_service

bp = Blueprint("api_records", __name__, description="Contacts (联系人) and activities (跟进记录)")


CONTACT_SORTABLE = {"name": Contact.name, "updated_at": Contact.updated_at}
TIMELINE_SORTABLE = {"occurred_at": Activity.occurred_at, "due_at": Activity.due_at}


class TimelineArgs(ListArgs):
    kind = fields.String()
    open_tasks = fields.Boolean(metadata={"description": "only tasks not done yet"})


def visible_contact(contact_id: int) -> Contact:
    contact = db.session.get(Contact, contact_id)
    if contact is None or contact.deleted_at is not None:
        raise NotFoundError(_("contact %(id)s not found", id=contact_id))
    visible(contact.customer_id)  # 404 unless the customer is visible
    return contact


@bp.route("/customers/<int:customer_id>/contacts", methods=["GET"])
@bp.arguments(sorted_by(ListArgs, CONTACT_SORTABLE), location="query", as_kwargs=False)
@bp.response(200, page_schema(ContactOut, "ContactPage"))
def list_contacts(args, customer_id: int):
    require("customer.read")
    customer = visible(customer_id)
    query = select(Contact).where(Contact.customer_id == customer.id, Contact.deleted_at.is_(None))
    if args.get("q"):
        query = query.where(search_match(Contact, args["q"], current_user))
    return paginate(query, args, CONTACT_SORTABLE, "name")


@bp.route("/contacts", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": ContactInput}}})
@bp.response(201, ContactOut)
def create_contact():
    require("customer.write")
    payload = body()
    if is_id(payload.get("customer_id")):
        visible(payload["customer_id"])
    return contact_service.create_contact(payload, current_user)


@bp.route("/contacts/<int:contact_id>", methods=["GET"])
@bp.response(200, ContactOut)
def get_contact(contact_id: int):
    require("customer.read")
    return visible_contact(contact_id)


@bp.route("/contacts/<int:contact_id>", methods=["PATCH"])
@bp.doc(requestBody={"content": {"application/json": {"schema": ContactInput}}})
@bp.response(200, ContactOut)
def update_contact(contact_id: int):
    require("customer.write")
    contact = visible_contact(contact_id)
    payload = body()
    return contact_service.update_contact(contact, payload, current_user, expected_version(payload))


@bp.route("/contacts/<int:contact_id>", methods=["DELETE"])
@bp.response(204)
def delete_contact(contact_id: int):
    require("customer.write")
    contact_service.delete_contact(visible_contact(contact_id), current_user, expected_version({}))


@bp.route("/customers/<int:customer_id>/activities", methods=["GET"])
@bp.arguments(sorted_by(TimelineArgs, TIMELINE_SORTABLE), location="query", as_kwargs=False)
@bp.response(200, page_schema(ActivityOut, "ActivityPage"))
def timeline(args, customer_id: int):
    """The customer's timeline, newest first: every activity, task and plugin record.

    An entry about a plugin record the user may not open (a deal of another
    team, say) is left out; ``link_url`` is the page of the record it is
    about, when the user may open it."""
    require("customer.read")
    customer = visible(customer_id)
    links = activity_service.timeline_links(Activity.customer_id, customer.id, current_user)
    query = links.visible(activity_service.timeline_query(Activity.customer_id, customer.id))
    if args.get("kind"):
        query = query.where(Activity.kind == args["kind"])
    if args.get("open_tasks"):
        query = query.where(Activity.due_at.is_not(None), Activity.done_at.is_(None))
    if args.get("q"):
        query = query.where(text_contains(Activity.subject, args["q"]))
    page = paginate(query, args, TIMELINE_SORTABLE, "-occurred_at")
    return {**page, "items": links.entries(page["items"])}


@bp.route("/activities", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": ActivityInput}}})
@bp.response(201, ActivityOut)
def log_activity():
    """Log an activity, or plan a task by giving ``due_at``."""
    require("customer.write")
    payload = body()
    if is_id(payload.get("customer_id")):
        visible(payload["customer_id"])
    if is_id(payload.get("contact_id")):
        visible_contact(payload["contact_id"])
    return activity_service.log_activity(payload, current_user)


@bp.route("/activities/<int:activity_id>/complete", methods=["POST"])
@bp.response(200, ActivityOut)
def complete_task(activity_id: int):
    require("customer.write")
    task = activity_service.get_activity(activity_id)
    if task.customer_id is not None:
        visible(task.customer_id)
    elif task.owner_id != current_user.id:
        raise NotFoundError(_("activity %(id)s not found", id=activity_id))
    return activity_service.complete_task(task, current_user)
