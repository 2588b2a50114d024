"""Public requests waiting for review (待审核报修).

A request filed through a public link whose phone is an existing
customer's does not touch that customer (:mod:`.public`): anyone can type a
phone number. It waits here until a dispatcher (``service.dispatch``)
decides: open its work order for the customer it names (the requester's
contact found there, or added), open it for a new customer in the pool, or
dismiss it (spam). The work order keeps the number and the time the request
was filed under, and its tracking link; the waiting request goes.

Who sees which requests is core's scoped query helper: waiting requests are
nobody's, like customers in the pool, so a dispatcher sees those of their
teams' links (scope ``team``) or all of them (scope ``all``).
"""

from __future__ import annotations

from sqlalchemy import Select, delete, false, select

from core.api import (
    ConflictError,
    Customer,
    NotFoundError,
    User,
    ValidationError,
    audit,
    customer_for,
    db,
    scoped,
    snapshot,
    transaction,
    translator,
)

from ..models import RequestLink, ServiceRequest, WorkOrder
from . import attachments, public

_, _l = translator("service_dispatch")


def visible_requests(user: User | None) -> Select:
    """The waiting requests ``user`` may review, oldest first."""
    if user is None or not user.can("service.dispatch"):
        return select(ServiceRequest).where(false())
    return scoped(select(ServiceRequest), ServiceRequest, user).order_by(ServiceRequest.id)


def visible_request(request_id: int, user: User | None) -> ServiceRequest:
    found = db.session.scalar(visible_requests(user).where(ServiceRequest.id == request_id))
    if found is None:
        raise NotFoundError(_("request %(id)s not found", id=request_id))
    return found


def candidates(held: ServiceRequest, user: User | None) -> list[Customer]:
    """The customers with the request's phone that ``user`` may see."""
    return public.visible_customers_with_phone(held.phone_normal, user)


def accept(held: ServiceRequest, customer_id: int | None, actor: User | None) -> WorkOrder:
    """Open the request's work order for the customer ``customer_id`` (one
    ``actor`` may see; 422 naming ``customer_id`` otherwise) or, with
    ``None``, for a new customer in the pool of the link's team."""
    data = {c.key: getattr(held, c.key) for c in ServiceRequest.__table__.columns}
    files = list(held.files or [])
    with transaction():
        _forget(held, actor)  # first: of two dispatchers at once, the second stops here
        if customer_id is None:
            customer = public.new_customer(data, held.team_id, actor)
        else:
            found = customer_for(customer_id, actor)
            if found is None:
                raise ValidationError({"customer_id": [_("no customer with this id")]})
            customer = found
        order = public.open_order(
            customer,
            data,
            actor,
            {
                "tracking_hash": held.tracking_hash,
                "number": held.number,
                "created_at": held.created_at,
            },
        )
        attachments.adopt(order, files, None)
    return order


def dismiss(held: ServiceRequest, actor: User | None) -> None:
    """Drop the request (spam, a mistake) and its photos."""
    names = [f["stored_name"] for f in held.files or []]
    with transaction():
        _forget(held, actor)
    attachments.remove_files(names)


def _forget(held: ServiceRequest, actor: User | None) -> None:
    """Take the request off the queue, or 409 if someone else just did: the
    row is deleted by id and the deleted count checked, so the second of two
    dispatchers deciding at once waits for the first one's row lock (or the
    database's write lock) and then finds nothing to take."""
    before = snapshot(held)
    taken = db.session.execute(
        delete(ServiceRequest).where(ServiceRequest.id == held.id),
        execution_options={"synchronize_session": False},
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        raise ConflictError(
            _("Another dispatcher has already handled request %(number)s.", number=held.number),
            kind="request-handled",
        )
    db.session.expunge(held)
    audit(actor, held, "delete", before, None)


def link_name(held: ServiceRequest) -> str:
    link = db.session.get(RequestLink, held.link_id)
    return link.name if link else ""
