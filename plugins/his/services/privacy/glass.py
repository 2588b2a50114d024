"""Break-the-glass (紧急授权): a holder of ``his.break_glass`` opens a
patient outside their care by giving a reason. The access is granted for
that patient for :func:`glass_hours` hours (setting ``break_glass_hours``
of ``[plugins_settings.his]``, default 4), counted from the grant.

No table of its own: a grant is an audit entry of the customer (action
``break_glass``, the reason and the end in ``after``), so it stands in the
customer's audit history; an admin's review is an audit entry of that
entry (``audit_entry``, action ``break_glass_review``). The review page
lists the grants, unreviewed first."""

from __future__ import annotations

from datetime import datetime, timedelta

from marshmallow import Schema, fields
from sqlalchemy import Select, select
from sqlalchemy.orm import aliased

from core.api import (
    AuditEntry,
    Customer,
    NotFoundError,
    StateError,
    User,
    ValidationError,
    audit,
    db,
    is_id,
    load,
    plugin_settings,
    transaction,
    translator,
    utcnow,
)

_, _l = translator("his")

#: the permission to break the glass
BREAK_GLASS = "his.break_glass"
#: the audit actions of a grant and of its review
GRANT, REVIEW = "break_glass", "break_glass_review"
DEFAULT_HOURS = 4
#: a reason is this long at least (a word or two is no reason)
REASON_MIN = 10


class GlassInput(Schema):
    """Why the user opens a record outside their care."""

    reason = fields.String(
        required=True, metadata={"description": f"{REASON_MIN} to 500 characters"}
    )


def glass_hours() -> float:
    """How long a grant lasts, in hours."""
    hours = plugin_settings("his").get("break_glass_hours", DEFAULT_HOURS)
    return float(hours) if isinstance(hours, int | float) and hours > 0 else DEFAULT_HOURS


def _since() -> datetime:
    return utcnow() - timedelta(hours=glass_hours())


def _grants(user: User) -> Select:
    return select(AuditEntry).where(
        AuditEntry.entity == "customer",
        AuditEntry.action == GRANT,
        AuditEntry.user_id == user.id,
        AuditEntry.created_at >= _since(),
    )


def granted_customers(user: User) -> Select:
    """A select of the customers ``user`` broke the glass for, still in force."""
    return _grants(user).with_only_columns(AuditEntry.entity_id)


def active_grant(customer_id: int, user: User | None) -> AuditEntry | None:
    """``user``'s grant in force for the customer, the newest (None: none)."""
    if user is None or not user.can(BREAK_GLASS):
        return None
    return db.session.scalar(
        _grants(user).where(AuditEntry.entity_id == customer_id).order_by(AuditEntry.id.desc())
    )


def grant_until(grant: AuditEntry) -> datetime:
    """When ``grant`` ends."""
    return grant.created_at + timedelta(hours=glass_hours())


def may_break_glass(user: User | None) -> bool:
    return user is not None and user.can(BREAK_GLASS)


def break_glass(customer: Customer, payload: dict, actor: User) -> AuditEntry:
    """Grant ``actor`` access to ``customer``'s records for a while, with
    the reason given (422 naming ``reason`` when too short); audited."""
    reason = " ".join(str(load(GlassInput(), payload)["reason"]).split())
    if not REASON_MIN <= len(reason) <= 500:
        raise ValidationError(
            {"reason": [_("Give the reason in %(min)d to 500 characters.", min=REASON_MIN)]}
        )
    until = utcnow() + timedelta(hours=glass_hours())
    with transaction():
        audit(
            actor,
            customer,
            GRANT,
            None,
            {"reason": reason, "until": until.isoformat(timespec="minutes")},
            entity="customer",
        )
    found = active_grant(customer.id, actor)
    assert found is not None
    return found


def grants_for_review(limit: int = 200) -> list:
    """The grants, unreviewed first, newest first: rows of the grant, its
    user's name, the customer's name and the review entry (or None)."""
    review = aliased(AuditEntry)
    grantee = aliased(User)
    query = (
        select(AuditEntry, grantee.name, Customer.name, review)
        .join(grantee, grantee.id == AuditEntry.user_id)
        .join(Customer, Customer.id == AuditEntry.entity_id)
        .outerjoin(
            review,
            (review.entity == "audit_entry")
            & (review.entity_id == AuditEntry.id)
            & (review.action == REVIEW),
        )
        .where(AuditEntry.entity == "customer", AuditEntry.action == GRANT)
        .order_by(review.id.is_not(None), AuditEntry.id.desc())
        .limit(limit)
    )
    return list(db.session.execute(query).all())


class _Entry:
    """An audit entry as the record another entry is about."""

    __tablename__ = "audit_entry"

    def __init__(self, entry_id: int):
        self.id = entry_id


def review_grant(grant_id: int, actor: User, note: str = "") -> AuditEntry:
    """Mark a grant reviewed (once: a second review is a 409 naming ``grant``)."""
    grant = (
        db.session.scalar(
            select(AuditEntry).where(
                AuditEntry.id == grant_id,
                AuditEntry.action == GRANT,
                AuditEntry.entity == "customer",
            )
        )
        if is_id(grant_id)
        else None
    )
    if grant is None:
        raise NotFoundError(_("break-the-glass grant %(id)s not found", id=grant_id))
    done = db.session.scalar(
        select(AuditEntry.id).where(
            AuditEntry.entity == "audit_entry",
            AuditEntry.entity_id == grant.id,
            AuditEntry.action == REVIEW,
        )
    )
    if done is not None:
        raise StateError({"grant": [_("This access has been reviewed already.")]})
    with transaction():
        audit(actor, _Entry(grant.id), REVIEW, None, {"note": " ".join(note.split())[:500]})
    return grant
