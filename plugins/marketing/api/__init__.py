"""``/api/v1/marketing``: segments (``segments``), the fields a condition
may name (``segments/fields``), a count of unsaved conditions
(``segments/preview``), a saved segment's members and their count.

A segment's definition is seen by its owner, and by every user who may see
segments when ``shared``; its members are the customers the *caller* may
see — the same segment answers a rep and a manager differently. Reading
takes ``marketing.segment.read``, writing ``marketing.segment.write`` (and
being the segment's owner, or an admin).
"""

from __future__ import annotations

from flask_login import current_user

from core.api import (
    ApiBlueprint,
    Customer,
    ListArgs,
    expected_version,
    field_rules,
    json_body,
    page_schema,
    paginate,
    require,
    search_match,
    sorted_by,
)

from ..models import Segment
from ..schemas import (
    MarketingCountOut,
    MarketingFieldOut,
    MarketingMemberOut,
    MarketingPreviewInput,
    MarketingSegmentArgs,
    MarketingSegmentChange,
    MarketingSegmentInput,
    MarketingSegmentOut,
)
from ..services import segments
from ..services.fields import field_list

bp = ApiBlueprint("api_marketing", __name__, description="Marketing: customer segments")
SORTABLE = {
    "name": Segment.name,
    "created_at": Segment.created_at,
    "updated_at": Segment.updated_at,
}
MEMBER_SORTABLE = {"name": Customer.name, "last_contacted_at": Customer.last_contacted_at}
STALE = {"409": {"description": "the version sent is not the current one"}}
#: what JSON Schema cannot say of a condition, answered 422 naming the condition's key
CONDITION_RULES = field_rules(
    (
        (
            "conditions",
            "conditions.*.field",
            "conditions.*.op",
            "conditions.*.value",
            "conditions.*.days",
        ),
        "a condition names a field GET /segments/fields lists (and the caller's role shows),"
        " an operator of that field and a value of its kind",
    )
)


@bp.route("/segments/fields", methods=["GET"])
@bp.response(200, MarketingFieldOut(many=True))
def list_fields():
    """The fields a condition may name, with their operators and choices."""
    require("marketing.segment.read")
    return field_list(current_user)


@bp.route("/segments", methods=["GET"])
@bp.arguments(sorted_by(MarketingSegmentArgs, SORTABLE), location="query", as_kwargs=False)
@bp.response(200, page_schema(MarketingSegmentOut, "MarketingSegmentPage"))
def list_segments(args):
    """The segments the caller may see (``q``: part of the name)."""
    require("marketing.segment.read")
    return paginate(segments.search_segments(current_user, args), args, SORTABLE, "name")


@bp.route("/segments", methods=["POST"])
@bp.doc(
    requestBody={"content": {"application/json": {"schema": MarketingSegmentInput}}},
    **CONDITION_RULES,
)
@bp.response(201, MarketingSegmentOut)
def create_segment():
    require("marketing.segment.write")
    return segments.create_segment(json_body(), current_user)


@bp.route("/segments/preview", methods=["POST"])
@bp.doc(
    requestBody={"content": {"application/json": {"schema": MarketingPreviewInput}}},
    **CONDITION_RULES,
)
@bp.response(200, MarketingCountOut)
def preview_segment():
    """How many customers the caller sees that match conditions not saved yet."""
    require("marketing.segment.read")
    return {"count": segments.preview(json_body(), current_user)}


@bp.route("/segments/<int:segment_id>", methods=["GET"])
@bp.response(200, MarketingSegmentOut)
def get_segment(segment_id: int):
    require("marketing.segment.read")
    return segments.visible_segment(segment_id, current_user)


@bp.route("/segments/<int:segment_id>", methods=["PATCH"])
@bp.doc(
    requestBody={"content": {"application/json": {"schema": MarketingSegmentChange}}},
    responses=STALE,
    **CONDITION_RULES,
)
@bp.response(200, MarketingSegmentOut)
def update_segment(segment_id: int):
    """Change what the body names; send the ``version`` you read (409 when stale)."""
    require("marketing.segment.write")
    segment = segments.visible_segment(segment_id, current_user)
    payload = dict(json_body())
    version = expected_version(payload)
    return segments.update_segment(segment, payload, current_user, version)


@bp.route("/segments/<int:segment_id>", methods=["DELETE"])
@bp.doc(responses=STALE)
@bp.response(204)
def delete_segment(segment_id: int):
    """Into the recycle bin (``If-Match``: the version you read)."""
    require("marketing.segment.write")
    segment = segments.visible_segment(segment_id, current_user)
    segments.delete_segment(segment, current_user, expected_version({}))


@bp.route("/segments/<int:segment_id>/members", methods=["GET"])
@bp.arguments(sorted_by(ListArgs, MEMBER_SORTABLE), location="query", as_kwargs=False)
@bp.response(200, page_schema(MarketingMemberOut, "MarketingMemberPage"))
def list_members(args, segment_id: int):
    """The customers the caller may see that match the segment now."""
    require("marketing.segment.read")
    require("customer.read")
    segment = segments.visible_segment(segment_id, current_user)
    query = segments.members_query(segment, current_user)
    if args.get("q"):
        query = query.where(search_match(Customer, args["q"], current_user))
    return paginate(query, args, MEMBER_SORTABLE, "name")


@bp.route("/segments/<int:segment_id>/count", methods=["GET"])
@bp.response(200, MarketingCountOut)
def count_members(segment_id: int):
    require("marketing.segment.read")
    segment = segments.visible_segment(segment_id, current_user)
    return {"count": segments.count_members(segment, current_user)}


from . import campaigns, journey, lists, rfm, surveys  # noqa: E402, F401  # their routes join this blueprint
