"""``/marketing/segments``: the segments a user may see, a segment's page
(its conditions in words, the live count and the members the user may
see), and the form with the condition builder."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from core.api import (
    Customer,
    ForbiddenError,
    StaleVersionError,
    ValidationError,
    db,
    form_version,
    hidden_fields,
    list_page,
    require,
    translator,
)

from ..models import Segment
from ..services import segments
from ..services.conditions import OP_LABELS, field_for
from . import builder
from .blueprint import bp

_, _l = translator("marketing")

PER_PAGE = 50


def match_labels() -> dict[str, str]:
    return {"all": _("all of the conditions"), "any": _("any of the conditions")}


@bp.route("/segments")
@login_required
def segments_list():
    require("marketing.segment.read")
    args = {"q": request.args.get("q", "").strip()}
    found = db.session.scalars(
        segments.search_segments(current_user, args).order_by(Segment.name)
    ).all()
    return render_template(
        "marketing/segments.html", segments=found, q=args["q"], match_labels=match_labels()
    )


@bp.route("/segments/<int:segment_id>")
@login_required
def segment(segment_id: int):
    require("marketing.segment.read")
    found = segments.visible_segment(segment_id, current_user)
    page = list_page()
    members, count, refusal = [], None, None
    may_list = current_user.can("customer.read")  # as the API's members: the count alone without
    try:
        query = segments.members_query(found, current_user)
        count = segments.count_members(found, current_user)
        if may_list:
            members = db.session.scalars(
                query.order_by(Customer.name, Customer.id)
                .offset((page - 1) * PER_PAGE)
                .limit(PER_PAGE + 1)
            ).all()
    except ValidationError as exc:
        refusal = " ".join(m for messages in exc.errors.values() for m in messages)
    return render_template(
        "marketing/segment.html",
        segment=found,
        described=describe(found.conditions),
        match_labels=match_labels(),
        members=members[:PER_PAGE],
        may_list=may_list,
        count=count,
        page=page,
        more=len(members) > PER_PAGE,
        refusal=refusal,
        hidden=hidden_fields(current_user, "customer"),
        may_change=segments.may_change(found, current_user)
        and current_user.can("marketing.segment.write"),
    )


@bp.route("/segments/new")
@login_required
def new_segment():
    require("marketing.segment.write")
    return render_form(None, {"match": "all", "shared": True}, [])


@bp.route("/segments/<int:segment_id>/edit")
@login_required
def edit_segment(segment_id: int):
    require("marketing.segment.write")
    found = segments.visible_segment(segment_id, current_user)
    values = {
        "name": found.name,
        "description": found.description or "",
        "match": found.match,
        "shared": found.shared,
        "version": found.version,
    }
    return render_form(found, values, found.conditions)


@bp.route("/segments", methods=["POST"])
@login_required
def create_segment():
    require("marketing.segment.write")
    payload = _posted()
    if "more" in request.form or "count" in request.form:
        return _redrawn(None, payload)
    try:
        created = segments.create_segment(payload, current_user)
    except ValidationError as exc:
        db.session.rollback()
        return render_form(None, payload, payload["conditions"], exc.errors, 422)
    flash(_("Segment %(name)s saved.", name=created.name), "success")
    return redirect(url_for(".segment", segment_id=created.id))


@bp.route("/segments/<int:segment_id>", methods=["POST"])
@login_required
def save_segment(segment_id: int):
    require("marketing.segment.write")
    found = segments.visible_segment(segment_id, current_user)
    payload = _posted()
    if "more" in request.form or "count" in request.form:
        return _redrawn(found, payload)
    try:
        segments.update_segment(found, payload, current_user, form_version())
    except (ValidationError, ForbiddenError) as exc:
        db.session.rollback()
        errors = exc.errors if isinstance(exc, ValidationError) else {"_schema": [str(exc)]}
        return render_form(found, payload, payload["conditions"], errors, 422)
    except StaleVersionError:
        db.session.rollback()
        flash(_("Someone else changed this segment meanwhile; look again and retry."), "error")
        return redirect(url_for(".edit_segment", segment_id=segment_id))
    flash(_("Saved."), "success")
    return redirect(url_for(".segment", segment_id=segment_id))


@bp.route("/segments/<int:segment_id>/delete", methods=["POST"])
@login_required
def delete_segment(segment_id: int):
    require("marketing.segment.write")
    found = segments.visible_segment(segment_id, current_user)
    try:
        segments.delete_segment(found, current_user, form_version())
    except (ForbiddenError, StaleVersionError) as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".segment", segment_id=segment_id))
    flash(_("Segment %(name)s moved to the recycle bin.", name=found.name), "success")
    return redirect(url_for(".segments_list"))


@bp.route("/segments/condition-row")
@login_required
def condition_row():
    """One row of the builder redrawn for the field picked in it (htmx)."""
    require("marketing.segment.read")
    n = min(max(request.args.get("n", 0, type=int) or 0, 0), builder.MAX_ROWS - 1)
    key = request.args.get(f"field-{n}", "").strip()
    return render_template(
        "marketing/_condition_row.html",
        row=builder.row(n, {"field": key} if field_for(key) else None),
        fields=builder.fields_offered(current_user),
        errors={},
    )


def _posted() -> dict:
    return {
        "name": request.form.get("name", "").strip(),
        "description": request.form.get("description", "").strip() or None,
        "match": request.form.get("match", "all"),
        "shared": request.form.get("shared") == "1",
        "conditions": builder.posted_conditions(),
    }


def _redrawn(found, payload: dict):
    """The form again with more rows, or with the count of what it would
    hold (the buttons of a form without script)."""
    extra = builder.BLANK_ROWS if "more" in request.form else 1
    count, errors = None, {}
    if "count" in request.form:
        try:
            asked = {"match": payload["match"], "conditions": payload["conditions"]}
            count = segments.preview(asked, current_user)
        except ValidationError as exc:
            errors = exc.errors
    return render_form(
        found, payload, payload["conditions"], errors, 422 if errors else 200, extra, count
    )


def render_form(
    found, values, conditions, errors=None, status=200, extra=builder.BLANK_ROWS, count=None
):
    return render_template(
        "marketing/segment_form.html",
        segment=found,
        values=values,
        rows=builder.rows(conditions, extra),
        fields=builder.fields_offered(current_user),
        match_labels=match_labels(),
        errors=errors or {},
        count=count,
    ), status


def describe(conditions: list[dict]) -> list[dict]:
    """Each condition in words: the field's label, the operator's, the value."""
    described = []
    for condition in conditions:
        field = field_for(condition.get("field", ""))
        value = condition.get("value")
        choices = dict(builder.value_choices(condition.get("field", ""))) if field else {}
        shown = [
            choices.get(str(v), str(v)) for v in (value if isinstance(value, list) else [value])
        ]
        described.append(
            {
                "field": str(field.label) if field else condition.get("field"),
                "op": str(OP_LABELS.get(condition.get("op"), condition.get("op"))),
                "value": ", ".join(s for s in shown if s not in ("", "None")),
                "days": condition.get("days"),
                "negate": bool(condition.get("negate")),
                "key": condition.get("field"),
            }
        )
    return described
