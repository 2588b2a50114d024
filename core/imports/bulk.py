"""A batch of an import written at once: what makes a million customers fast.

Row by row (:mod:`core.imports.rows`), a new customer costs a look-up per
dedupe key, a flush, and an INSERT per table. A batch of the ``customers``
importer goes another way, with the same outcome:

1. every row is checked as row by row — the importer's owner e-mail, then
   the customer service's schema, phones, e-mails and references, once
   (:func:`~core.services.customers.new_customer`); a row that fails goes to
   the error file and never reaches an INSERT;
2. the records the rows duplicate are found by three set queries — the
   batch's phones, e-mails and name keys against the live customers (and
   their contacts' phones and e-mails) — and, within the batch, by the keys
   of the rows created before; as row by row, a row's match is the oldest
   record sharing a key, and the action is the one chosen for its line or
   for the import;
3. the new customers are written together: one flush for the customers (the
   ORM's multi-row INSERT; the search index and the tag links follow it in
   one statement each) and one INSERT each for their contact points, audit
   entries and import items (undo's record of them); a ``customer_created``
   event is emitted for each, so webhooks and automation see every record.

A row that updates a record goes row by row, after the new customers before
it are written (it may update one of them), and the matches of the rows
after it are looked up again. The whole batch is one savepoint: if the
database refuses any of it (a constraint, a trigger), the savepoint is
rolled back — with the events it emitted — and the batch is imported row by
row, so the refused row is found, goes to the error file, and the others
are kept. Other importers always go row by row.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import ColumnElement, insert, select
from sqlalchemy.exc import DBAPIError

from core import events
from core.access import visible_customer_ids
from core.errors import TrellisError
from core.events import savepoint
from core.extensions import db
from core.imports.dedupe import CheckedRow, action_of, load_row, visible_match
from core.imports.importers import CUSTOMERS, Importer, owner_of
from core.imports.mapping import row_values
from core.imports.rows import failed_row, import_row
from core.models import AuditEntry, ContactPoint, Customer, ImportJob, ImportJobItem, Tag, User
from core.services.base import snapshot
from core.services.customers import new_customer, tags_named

log = logging.getLogger(__name__)

Rows = list[tuple[int, list[str | None]]]


def import_batch(job: ImportJob, importer: Importer, rows: Rows, actor: User | None) -> None:
    """Import ``rows`` (line, cells) of ``job`` in the current transaction:
    new customers together (:class:`CustomerBatch`), anything else row by
    row; a batch the database refuses row by row (the module's docstring)."""
    if importer.name == CUSTOMERS.name:
        try:
            with savepoint():
                CustomerBatch(job, importer, actor).run(rows)
        except DBAPIError as exc:
            log.warning("import %s: batch refused (%s); row by row", job.id, exc.orig)
        else:
            job.processed += len(rows)
            return
    for line, cells in rows:
        import_row(job, importer, line, cells, actor)
    job.processed += len(rows)


@dataclass
class _Row:
    """A row checked as :func:`~core.services.customers.new_customer` checks
    it: its unsaved customer and tags' names, or the error file's message."""

    line: int
    cells: list[str | None]
    customer: Customer | None = None
    tag_names: list[str] = field(default_factory=list)
    message: str = ""


@dataclass
class CustomerBatch:
    """One batch of the ``customers`` importer (see the module's docstring)."""

    job: ImportJob
    importer: Importer
    actor: User | None
    #: dedupe key → the oldest live customer holding it
    existing: dict[str, int] = field(default_factory=dict)
    #: dedupe key → the first new customer of this batch (not written yet) holding it
    fresh: dict[str, _Row] = field(default_factory=dict)
    new: list[_Row] = field(default_factory=list)

    def run(self, rows: Rows) -> None:
        checked = [self.check(line, cells) for line, cells in rows]
        self.existing = holders(checked, self.actor)
        for number, row in enumerate(checked):
            if row.customer is None:
                failed_row(self.job, row.line, row.cells, row.message)
                continue
            keys = keys_of(self.importer, row.customer)
            match = self.match(keys)
            action = action_of(self.job, CheckedRow(row.line, row.cells, {}, match=match))
            if action == "skip":
                self.job.skipped += 1
            elif action == "create":
                self.new.append(row)
                for key in keys:
                    self.fresh.setdefault(key, row)
            else:  # an update, row by row, on what is written so far
                self.write()
                import_row(self.job, self.importer, row.line, row.cells, self.actor)
                self.existing = holders(checked[number + 1 :], self.actor)
        self.write()

    def check(self, line: int, cells: list[str | None]) -> _Row:
        """The row through the importer's checks (the owner's e-mail) and the
        service's (schema, phones, e-mails, references): every row validated
        once, as row by row; nothing is written yet."""
        row = _Row(line, cells)
        values = row_values(cells, self.job.columns, self.job.mapping, self.importer)

        def later(names: list[str]) -> list[Tag]:  # the batch's tags are read at once
            row.tag_names = names
            return []

        try:
            owner_of(values, self.actor)
            if self.actor is not None:
                values = {"owner_id": self.actor.id, **values}
            row.customer = new_customer(values, tags=later)
        except TrellisError as exc:
            errors = getattr(exc, "errors", None)
            checked = CheckedRow(line, cells, None, errors if isinstance(errors, dict) else {})
            row.message = checked.message or str(exc)
        return row

    def match(self, keys: list[str]) -> int | _Row | None:
        found = [self.existing[k] for k in keys if k in self.existing]
        if found:
            return min(found)
        fresh = [self.fresh[k] for k in keys if k in self.fresh]
        return min(fresh, key=self.new.index) if fresh else None

    def write(self) -> None:
        """Write the new customers kept so far, with all that goes with them."""
        if not self.new:
            return
        tags = {t.name: t for t in tags_named([n for new in self.new for n in new.tag_names])}
        customers = [cast(Customer, new.customer) for new in self.new]
        for new, customer in zip(self.new, customers, strict=True):
            customer.tags = _tags_of(new.tag_names, tags)
        db.session.add_all(customers)
        db.session.flush()
        points = [
            {"kind": kind, "value": value, "customer_id": c.id, "contact_id": None}
            for c in customers
            for kind, values in (("phone", c.phones), ("email", c.emails))
            for value in dict.fromkeys(values)
        ]
        if points:
            db.session.execute(insert(ContactPoint), points)
        user_id = self.actor.id if self.actor is not None else None
        db.session.execute(
            insert(AuditEntry),
            [
                {"user_id": user_id, "entity": "customer", "entity_id": c.id, "action": "create"}
                | {"before": None, "after": snapshot(c)}
                for c in customers
            ],
        )
        db.session.execute(
            insert(ImportJobItem),
            [
                {"job_id": self.job.id, "line": new.line, "record_type": self.importer.name}
                | {"record_id": c.id, "action": "create", "before": None, "version": c.version}
                for new, c in zip(self.new, customers, strict=True)
            ],
        )
        for customer in customers:
            events.emit("customer_created", customer=customer)
        self.job.created += len(customers)
        for key, new in self.fresh.items():
            self.existing.setdefault(key, cast(Customer, new.customer).id)
        self.new, self.fresh = [], {}


def keys_of(importer: Importer, customer: Customer) -> list[str]:
    """The dedupe keys of a new customer, as the importer makes them for a row."""
    values = {"name": customer.name, "phones": customer.phones, "emails": customer.emails}
    return [k for k in importer.keys(values) if not k.endswith(":")]


def holders(rows: list[_Row], actor: User | None) -> dict[str, int]:
    """Dedupe key → the oldest live customer ``actor`` may see holding it,
    for the keys of ``rows``."""
    customers = [r.customer for r in rows if r.customer is not None]
    return holders_of(
        {p for c in customers for p in c.phones},
        {e for c in customers for e in c.emails},
        {c.name_key for c in customers},
        actor,
    )


def holders_of(
    phones: set[str], emails: set[str], names: set[str], actor: User | None
) -> dict[str, int]:
    """Dedupe key → the oldest live customer holding it that ``actor`` may
    see (:func:`~core.imports.dedupe.visible_match`): a customer's or a
    contact's phone or e-mail, or a name key; three queries."""
    found: dict[str, int] = {}
    live: ColumnElement[bool] = Customer.deleted_at.is_(None)
    if actor is not None:
        live = live & Customer.id.in_(visible_customer_ids(actor, per_row=True))
    for kind, values in (("phone", phones), ("email", emails)):
        if values:
            query = (
                select(ContactPoint.value, ContactPoint.customer_id)
                .join(Customer, Customer.id == ContactPoint.customer_id)
                .where(ContactPoint.kind == kind, ContactPoint.value.in_(values), live)
            )
            _keep_oldest(found, ((f"{kind}:{v}", i) for v, i in db.session.execute(query)))
    if names - {""}:
        query = select(Customer.name_key, Customer.id).where(
            Customer.name_key.in_(names - {""}), live
        )
        _keep_oldest(found, ((f"name:{k}", i) for k, i in db.session.execute(query)))
    return found


def check_rows(
    job: ImportJob, importer: Importer, rows: Rows, actor: User | None
) -> list[CheckedRow]:
    """What :func:`~core.imports.dedupe.check_row` says of each row, for the
    preview: for customers with a few queries for all ``rows`` (their
    matches, the matched records, which of them ``actor`` may see)."""
    checked = [load_row(job, importer, line, cells, actor) for line, cells in rows]
    valid = [r for r in checked if r.values is not None]
    if importer.name != CUSTOMERS.name:
        for row in valid:
            row.match = visible_match(importer, importer.find(cast(dict, row.values), actor), actor)
            row.action = action_of(job, row)
        return checked
    keys = [[k for k in importer.keys(cast(dict, r.values)) if not k.endswith(":")] for r in valid]
    every = {k for row_keys in keys for k in row_keys}
    found = holders_of(
        {k.removeprefix("phone:") for k in every if k.startswith("phone:")},
        {k.removeprefix("email:") for k in every if k.startswith("email:")},
        {k.removeprefix("name:") for k in every if k.startswith("name:")},
        actor,
    )
    ids = [min((found[k] for k in row_keys if k in found), default=None) for row_keys in keys]
    wanted = {i for i in ids if i is not None}
    records = {c.id: c for c in db.session.scalars(select(Customer).where(Customer.id.in_(wanted)))}
    for row, match_id in zip(valid, ids, strict=True):
        row.match = records.get(match_id) if match_id is not None else None
        row.action = action_of(job, row)
    return checked


def _keep_oldest(found: dict[str, int], pairs: Iterable[tuple[str, int]]) -> None:
    for key, customer_id in pairs:
        if key not in found or customer_id < found[key]:
            found[key] = customer_id


def _tags_of(names: list[str], tags: dict[str, Tag]) -> list[Tag]:
    return [tags[n] for n in dict.fromkeys(n.strip() for n in names) if n]
