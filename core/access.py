"""The one scoped query helper: every list, detail, export and report —
core's and plugins' — filters through :func:`scoped`.

A role's data scope decides which owned records a user sees: ``own`` (theirs),
``team`` (theirs and their team's, sub-teams included) or ``all``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app, has_app_context, has_request_context, request
from sqlalchemy import Select, exists, false, or_, select, union
from sqlalchemy.orm import aliased

from core.errors import ForbiddenError, NotFoundError
from core.extensions import db
from core.i18n import _
from core.models import AuditEntry, Contact, Customer, DataScope, Team, User
from core.schemas import is_id


def team_subtree(team_id: int) -> list[int]:
    """``team_id`` and every team below it: asked once per request (a page
    runs several scoped queries), every time outside one."""
    if not has_request_context():
        return list(db.session.scalars(subtree_ids(team_id)))
    known: dict[int, list[int]] = request.environ.setdefault("trellis.team_subtrees", {})
    if team_id not in known:
        known[team_id] = list(db.session.scalars(subtree_ids(team_id)))
    return list(known[team_id])


def subtree_ids(team_id: int) -> Select:
    """A select of ``team_id`` and every team below it (a recursive CTE), to
    nest inside another query instead of a round trip of its own."""
    tree = select(Team.id).where(Team.id == team_id).cte(recursive=True)
    child = aliased(Team)
    tree = tree.union_all(select(child.id).where(child.parent_id == tree.c.id))
    return select(tree.c.id)


def scoped(
    query: Select,
    model: type[Any],
    user: User | None,
    *,
    owner_attr: str = "owner_id",
    team_attr: str | None = "team_id",
    include_deleted: bool = False,
    customer_attr: str | None = None,
    per_row: bool = False,
) -> Select:
    """Restrict ``query`` over ``model`` to the rows ``user`` may see.

    ``owner_attr``/``team_attr`` name the model's owner and team columns, so
    plugins use the same helper for deals, work orders or visits (a work
    order passes ``owner_attr="engineer_id"``). Soft-deleted rows are left
    out unless ``include_deleted``; so are, for a record that belongs to a
    customer (``customer_attr`` names the column), the records of a customer
    in the recycle bin — they come back with it. Over customers, the
    customers a plugin puts in the user's care (``trellis_customers_in_care``)
    are seen besides their scope: ``… OR <in care>`` (see :func:`_in_care`),
    only for a user a plugin answered for; for everyone else the query is
    the scope alone, as before the hook existed. ``per_row``: the query
    reads a few customers (one by its id, those a search found), so their
    care is checked customer by customer rather than as a list built whole.

    That ``OR`` shape was measured against ``id IN (<scope> UNION <care>)``
    and ``= ANY(ARRAY(<care>))`` at 100,000 customers (bench/results.md,
    "customers in care"): the union is slower on both databases (SQLite
    builds the whole union even to show one customer), the array helps
    PostgreSQL's count but slows its page. The widening costs what the
    plugin's selects cost, so a plugin answers only for the users who have
    customers in its care.
    """
    if not include_deleted and hasattr(model, "deleted_at"):
        query = query.where(model.deleted_at.is_(None))
    if customer_attr is not None and not include_deleted:
        query = query.where(customer_live(getattr(model, customer_attr)))
    if user is None or not user.is_active or user.role is None:
        return query.where(false())
    if sees_all(user):
        return query
    scope = user.role.scope
    owner = getattr(model, owner_attr)
    if scope == DataScope.team and user.team_id is not None and team_attr is not None:
        seen = (owner == user.id) | getattr(model, team_attr).in_(_team_ids(user.team_id))
    else:
        seen = owner == user.id
    if model is Customer:
        for care in _customers_in_care(user):
            seen = seen | _in_care(care, per_row)
    return query.where(seen)


def _customers_in_care(user: User) -> list[list[Select]]:
    """The selects of customer ids plugins put in ``user``'s care
    (``trellis_customers_in_care``: a doctor's patients of another department),
    a list for each plugin that answered; empty when none did (pluggy leaves
    out the ``None`` answers)."""
    registry = current_app.extensions.get("trellis") if has_app_context() else None
    if registry is None:  # the app is still being built
        return []
    answers = registry.call("trellis_customers_in_care", user=user)
    return [list(a) if isinstance(a, list | tuple) else [a] for a in answers]


def _in_care(selects: list[Select], per_row: bool) -> Any:
    """A condition: the customer is among a plugin's ``selects`` of ids.

    In a list ``customer.id IN (<their UNION>)``, built once a statement —
    as each select apart it was a third slower on SQLite (five lists to
    probe for each customer). For a query of a few customers (``per_row``)
    a correlated ``EXISTS (SELECT … FROM (<select>) WHERE id =
    customer.id)`` for each select, which reads the customer's rows through
    the plugin's index on its customer column: given ``IN``, both databases
    built the whole union (a doctor's ~65,000 patients at 200,000) to show
    one patient — 0.5 s on SQLite, 0.9 s on PostgreSQL (bench/results.md,
    issue 18). Not ``EXISTS`` in lists: SQLite runs it once for every
    customer a count reads (4 to 10 times slower), and PostgreSQL, though
    it hashes it then, costs it as if run row by row — its JIT compiled a
    doctor's customer count for 3 s."""
    if per_row:
        found = [s.subquery() for s in selects]  # tables of their own: never correlated inside
        return or_(*(exists().where(ids.c[0] == Customer.id) for ids in found))
    if len(selects) == 1:
        return Customer.id.in_(selects[0])
    return Customer.id.in_(select(union(*selects).subquery().c[0]))


def _team_ids(team_id: int):
    """A team and its sub-teams, for ``scoped``'s ``IN``. On PostgreSQL as
    values (one small query first): its planner can then use the team
    column's index, which it cannot through a nested recursive select
    (measured at the benchmarks' sizes, for a manager: dashboard 45 → 30 ms,
    customer list 32 → 14 ms, sales forecast 220 → 104 ms). On SQLite as the
    nested select, with which its plans were measured: given the values, it
    gathered the dashboard's activity feed through every team customer's
    activities (20 → 350 ms)."""
    if db.engine.dialect.name == "postgresql":
        return team_subtree(team_id)
    return subtree_ids(team_id)


def customer_live(column: Any) -> Any:
    """A condition: the customer ``column`` (a record's customer id) names is
    not in the recycle bin. An aliased customer, so that a query that joins
    the customer itself is not correlated to it."""
    live = aliased(Customer)
    return exists().where(live.id == column, live.deleted_at.is_(None))


def sees_all(user: User | None) -> bool:
    """Whether :func:`scoped` lets ``user`` see every live row: an active
    user whose role's scope is "all". A plugin may then answer from figures
    it added up in advance over all its live records (the sales reports do),
    instead of filtering row by row; everyone else goes through ``scoped``."""
    return (
        user is not None
        and user.is_active
        and user.role is not None
        and user.role.scope == DataScope.all
    )


def customer_for(customer_id: int, actor: User | None) -> Customer | None:
    """The live customer a new record (a deal, a work order) may be attached
    to: one ``actor`` may see, or any live one for the system (``actor`` None)."""
    if actor is None:
        customer = db.session.get(Customer, customer_id)
        return customer if customer is not None and customer.deleted_at is None else None
    return db.session.scalar(
        scoped(select(Customer), Customer, actor, per_row=True).where(Customer.id == customer_id)
    )


def visible_customer(
    customer_id: int, user: User | None, *, include_deleted: bool = False
) -> Customer:
    """The customer if ``user`` may see it; ``NotFoundError`` otherwise, the
    same whether it does not exist or is out of scope (existence does not leak)."""
    customer = (
        db.session.scalar(
            scoped(
                select(Customer), Customer, user, include_deleted=include_deleted, per_row=True
            ).where(Customer.id == customer_id)
        )
        if is_id(customer_id)  # a number past any id is not looked up
        else None
    )
    if customer is None:
        raise NotFoundError(_("customer %(id)s not found", id=customer_id))
    return customer


def visible_customer_ids(user: User | None, *, per_row: bool = False) -> Select:
    """A select of the ids of the live customers ``user`` may see
    (``per_row``: asked of a few customers, as :func:`scoped`)."""
    return scoped(select(Customer.id), Customer, user, per_row=per_row)


def binned_customer_ids() -> Select:
    """A select of the ids of the customers in the recycle bin: no one sees
    them, nor the records that belong to them."""
    return select(Customer.id).where(Customer.deleted_at.is_not(None))


def visible_records(
    model: type[Any],
    user: User | None,
    query: Select | None = None,
    *,
    owner_attr: str = "owner_id",
    team_attr: str | None = "team_id",
    customer_attr: str = "customer_id",
) -> Select:
    """``query`` (default: the rows of ``model``) restricted to the rows
    ``user`` may see, for records that belong to a customer and an owner — a
    deal's quotes and contracts, a policy, a claim: :func:`scoped` by the
    role (``owner_attr``/``team_attr`` as there), and only while the record's
    customer (``customer_attr``) is visible to ``user`` and not in the
    recycle bin. A customer moved to another rep's private list takes its
    records out of sight, so a record never shows a customer's name its
    owner may no longer see.

    Someone who sees every customer is checked against the (small) recycle
    bin instead of a list of every customer, so the planner may drive a
    report from the records' own indexes."""
    query = select(model) if query is None else query
    query = scoped(query, model, user, owner_attr=owner_attr, team_attr=team_attr)
    customer = getattr(model, customer_attr)
    if sees_all(user):
        return query.where(customer.not_in(binned_customer_ids()))
    return query.where(customer.in_(visible_customer_ids(user)))


def visible_record(model: type[Any], record_id: int, user: User | None, **columns: Any) -> Any:
    """The row ``record_id`` of ``model`` if :func:`visible_records` lets
    ``user`` see it (``columns``: its ``owner_attr``, ``team_attr``,
    ``customer_attr``); else :class:`NotFoundError` naming the record by the
    model's ``__label__`` — the same whether it does not exist or is out of
    scope."""
    record = db.session.scalar(visible_records(model, user, **columns).where(model.id == record_id))
    if record is None:
        label = getattr(model, "__label__", None) or _("record")
        raise NotFoundError(_("%(what)s %(id)s not found", what=label, id=record_id))
    return record


#: the permission to hand a record to another owner or team (转移)
TRANSFER = "customer.transfer"


def check_transfer(
    actor: User | None,
    record: Any,
    changes: Mapping[str, Any],
    *,
    owner_attr: str = "owner_id",
    team_attr: str | None = "team_id",
) -> None:
    """Refuse (:class:`ForbiddenError`, HTTP 403) to change ``record``'s
    owner or team unless ``actor`` holds ``customer.transfer``.

    A user may edit the records in their scope, but handing one to another
    owner or another team takes it out of their own — and perhaps out of
    their manager's — sight: that is a transfer. ``changes`` are the values
    about to be written (a service's validated input); a value equal to the
    current one is no change. ``record`` is the model instance, or its values
    before the change as a dict. ``actor`` None is the system's own work.

    Core's customer service calls it, and so do the plugins' update services
    (deals, leads …) before they open their transaction, naming their own
    columns (``owner_attr="engineer_id"``); the audit entry of the update
    keeps the owner and team before and after.
    """
    if actor is None:
        return
    for attr in (owner_attr, team_attr):
        if attr is None or attr not in changes:
            continue
        current = record.get(attr) if isinstance(record, Mapping) else getattr(record, attr)
        if changes[attr] != current and not actor.can(TRANSFER):
            raise ForbiddenError(
                _(
                    "Changing %(field)s hands the record to someone else: that needs the "
                    "permission %(permission)s.",
                    field=attr,
                    permission=TRANSFER,
                )
            )


def hidden_fields(user: User | None, entity: str) -> set[str]:
    """Fields of ``entity`` the user's role may not see, copy or export."""
    role = getattr(user, "role", None)
    if role is None:
        return set()
    prefix = f"{entity}."
    return {f[len(prefix) :] for f in role.hidden_fields or () if f.startswith(prefix)}


CUSTOM = "custom_fields"


def conceal(entity: str, values: dict, user: User | None) -> dict:
    """``values`` (a record as data) without the fields of ``entity`` the
    user's role hides, a hidden custom field (``custom_fields.<key>``) taken
    out of ``custom_fields``. What the API answers, the exports, the audit
    log and a copy into another record (a work order's address) are made of."""
    return without(values, hidden_fields(user, entity))


def without(values: dict, hidden: set[str]) -> dict:
    """``values`` without the ``hidden`` fields (as :func:`hidden_fields` names them)."""
    if not hidden:
        return values
    kept = {k: v for k, v in values.items() if k not in hidden}
    if isinstance(kept.get(CUSTOM), dict):
        kept[CUSTOM] = {k: v for k, v in kept[CUSTOM].items() if f"{CUSTOM}.{k}" not in hidden}
    return kept


def hidden_filters(user: User | None, entity: str, args: dict) -> list[str]:
    """The filters and sort keys in ``args`` that name a field ``user`` may
    not see: answering them would tell the hidden value (an oracle), so a
    list refuses them (the API) or leaves them out (the pages)."""
    hidden = hidden_fields(user, entity)
    named = [key for key, value in args.items() if key in hidden and value not in (None, "")]
    keys = {key.strip().lstrip("-") for key in str(args.get("sort") or "").split(",")}
    if keys & hidden:  # ``sort=name,grade`` too
        named.append("sort")
    return named


def audit_entries(user: User | None) -> Select:
    """The audit entries ``user`` may read. Every entry for a user who sees
    every record; for anyone else only those of the customers in their scope
    and of those customers' contacts — a plugin's records have their own
    histories (a deal's, a work order's), behind their own scoped queries."""
    query = select(AuditEntry)
    if sees_all(user):
        return query
    customers = scoped(select(Customer.id), Customer, user, include_deleted=True)
    contacts = select(Contact.id).where(Contact.customer_id.in_(customers))
    return query.where(
        ((AuditEntry.entity == "customer") & AuditEntry.entity_id.in_(customers))
        | ((AuditEntry.entity == "contact") & AuditEntry.entity_id.in_(contacts))
    )


# In a merge's audit entry the snapshots sit one level down, and ``choices``
# is keyed by field name too (see core.services.customers.merge_customers).
_NESTED_SNAPSHOTS = ("survivor", "merged", "choices")


def redact(entity: str, values: dict | None, user: User | None) -> dict | None:
    """``values`` (an audit entry's before or after) without the fields of
    ``entity`` the user's role hides — dropped, as the API's record answers
    drop them. Merge entries' nested snapshots are redacted the same way."""
    if not values:
        return values
    if not hidden_fields(user, entity):
        return values
    return {
        key: redact(entity, value, user)
        if key in _NESTED_SNAPSHOTS and isinstance(value, dict)
        else value
        for key, value in conceal(entity, values, user).items()
    }


def redacted_entry(entry: AuditEntry, user: User | None) -> dict[str, Any]:
    """An audit entry as data, its before and after redacted for ``user``: what
    the API's and the page's audit logs show."""
    return {
        "id": entry.id,
        "user_id": entry.user_id,
        "entity": entry.entity,
        "entity_id": entry.entity_id,
        "action": entry.action,
        "before": redact(entry.entity, entry.before, user),
        "after": redact(entry.entity, entry.after, user),
        "created_at": entry.created_at,
    }
