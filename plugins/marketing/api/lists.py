"""``/api/v1/marketing/lists``: static lists and their members.

Reading takes ``marketing.segment.read`` (and ``customer.read`` for the
members), writing ``marketing.segment.write`` and being the list's owner
(or seeing every record). Members are the customers the *caller* may see.
"""

from __future__ import annotations

from flask_login import current_user

from core.api import (
    Customer,
    ListArgs,
    expected_version,
    json_body,
    page_schema,
    paginate,
    require,
    search_match,
    sorted_by,
)

from ..models import StaticList
from ..schemas import MarketingCountOut, MarketingMemberOut
from ..schemas.lists import (
    MarketingChangedOut,
    MarketingListArgs,
    MarketingListChange,
    MarketingListInput,
    MarketingListMembersInput,
    MarketingListOut,
)
from ..services import lists
from . import MEMBER_SORTABLE, STALE, bp

SORTABLE = {
    "name": StaticList.name,
    "created_at": StaticList.created_at,
    "updated_at": StaticList.updated_at,
}


@bp.route("/lists", methods=["GET"])
@bp.arguments(sorted_by(MarketingListArgs, SORTABLE), location="query", as_kwargs=False)
@bp.response(200, page_schema(MarketingListOut, "MarketingListPage"))
def list_lists(args):
    """The static lists the caller may see (``q``: part of the name)."""
    require("marketing.segment.read")
    return paginate(lists.search_lists(current_user, args), args, SORTABLE, "name")


@bp.route("/lists", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": MarketingListInput}}})
@bp.response(201, MarketingListOut)
def create_list():
    """A new list: empty, with ``customer_ids``, or frozen from a segment's
    members as the caller sees them now (``segment_id``)."""
    require("marketing.segment.write")
    return lists.create_list(json_body(), current_user)


@bp.route("/lists/<int:list_id>", methods=["GET"])
@bp.response(200, MarketingListOut)
def get_list(list_id: int):
    require("marketing.segment.read")
    return lists.visible_list(list_id, current_user)


@bp.route("/lists/<int:list_id>", methods=["PATCH"])
@bp.doc(
    requestBody={"content": {"application/json": {"schema": MarketingListChange}}}, responses=STALE
)
@bp.response(200, MarketingListOut)
def update_list(list_id: int):
    """Rename, describe or share; send the ``version`` you read (409 when stale)."""
    require("marketing.segment.write")
    found = lists.visible_list(list_id, current_user)
    payload = dict(json_body())
    return lists.update_list(found, payload, current_user, expected_version(payload))


@bp.route("/lists/<int:list_id>", methods=["DELETE"])
@bp.doc(responses=STALE)
@bp.response(204)
def delete_list(list_id: int):
    """Into the recycle bin (``If-Match``: the version you read)."""
    require("marketing.segment.write")
    found = lists.visible_list(list_id, current_user)
    lists.delete_list(found, current_user, expected_version({}))


@bp.route("/lists/<int:list_id>/members", methods=["GET"])
@bp.arguments(sorted_by(ListArgs, MEMBER_SORTABLE), location="query", as_kwargs=False)
@bp.response(200, page_schema(MarketingMemberOut, "MarketingListMemberPage"))
def list_members(args, list_id: int):
    """The list's members the caller may see."""
    require("marketing.segment.read")
    require("customer.read")
    query = lists.members_query(lists.visible_list(list_id, current_user), current_user)
    if args.get("q"):
        query = query.where(search_match(Customer, args["q"], current_user))
    return paginate(query, args, MEMBER_SORTABLE, "name")


@bp.route("/lists/<int:list_id>/count", methods=["GET"])
@bp.response(200, MarketingCountOut)
def count_members(list_id: int):
    require("marketing.segment.read")
    found = lists.visible_list(list_id, current_user)
    return {"count": lists.count_members(found, current_user)}


@bp.route("/lists/<int:list_id>/members", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": MarketingListMembersInput}}})
@bp.response(200, MarketingChangedOut)
def add_members(list_id: int):
    """Put customers on the list (each one the caller sees; those on it already stay once)."""
    require("marketing.segment.write")
    found = lists.visible_list(list_id, current_user)
    return {"changed": lists.add_members(found, json_body(), current_user)}


@bp.route("/lists/<int:list_id>/members/remove", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": MarketingListMembersInput}}})
@bp.response(200, MarketingChangedOut)
def remove_members(list_id: int):
    """Take customers off the list."""
    require("marketing.segment.write")
    found = lists.visible_list(list_id, current_user)
    return {"changed": lists.remove_members(found, json_body(), current_user)}
