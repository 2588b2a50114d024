"""What the premium and loss-ratio reports read instead of the transactions
and claim events: earned premium and claims incurred added up in advance by
month (see ``services.report_cells``)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Date, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from core.api import db

from .claims import Claim
from .policy import Policy, PolicyTransaction

#: the columns a report reads of a period's cells, after kind and month
READ = (
    "owner_id",
    "team_id",
    "currency",
    "carrier_id",
    "product_id",
    "line",
    "agent_id",
    "parts",
    "cents",
)


class ReportCell(db.Model):
    """One month of one kind of figure, added up over the rows of one
    currency, carrier, product, line, agent, owner and team:

    - ``kind == "earned"``: earned premium (已赚保费) — every policy
      transaction's premium change split over the months of its term
      (``report_cells.split_cents``), each part added to its month's cell;
    - ``kind == "incurred"``: claims incurred — the paid and reserve changes
      of the claim events of the month, of claims not deleted;
    - ``kind`` ``cohort`` and two marks (``cohort+-``): the persistency
      cohorts — the issued first terms of the month of their inception
      (``parts``) and their APE (``cents``), the terms' p13 and p25 marks
      in the kind (``+`` kept, ``-`` not kept, ``?`` not marked).

    ``agent_id`` is the row's own (what the reports group by); ``owner_id``
    and ``team_id`` are those core's ``scoped`` narrows by: the
    transaction's agent and team, the claim's (which follow a transfer).
    ``key`` holds the combination as one string, so that adding to a cell
    is one upsert.

    ``parts`` counts what was added — (transaction, month) parts, events —
    zero or not: a group with a part in the period is a row of the report
    even when its parts add up to nothing, as when read from the rows."""

    __tablename__ = "insurance_report_cell"
    __table_args__ = (
        # everything a report reads, so that a period's cells are read from
        # the index alone (SQLite's plans for a manager's OR of owner and
        # teams walk it too)
        Index("ix_insurance_report_cell_month", "kind", "month", *READ),
        # a manager's and an agent's cells (core's team and own scopes)
        Index("ix_insurance_report_cell_team", "team_id", "kind", "month"),
        Index("ix_insurance_report_cell_owner", "owner_id", "kind", "month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[str] = mapped_column(String(8))
    #: the first day of the month the figure belongs to
    month: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    carrier_id: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int] = mapped_column(Integer)
    line: Mapped[str] = mapped_column(String(10))
    agent_id: Mapped[int | None] = mapped_column(Integer)
    owner_id: Mapped[int | None] = mapped_column(Integer)
    team_id: Mapped[int | None] = mapped_column(Integer)
    parts: Mapped[int] = mapped_column(Integer)
    #: exact sums in minor units (cents), whatever the database
    cents: Mapped[int] = mapped_column(BigInteger)


#: the transactions of an agent and of a team (core's own and team scopes,
#: on the transactions' ``agent_id`` and ``team_id``): how a manager's and an
#: agent's reports find the transactions the cells count but they do not
#: see (``report_cells.unseen_transactions``) without reading the whole table
_T = PolicyTransaction.__table__
Index("ix_insurance_transaction_agent", _T.c.agent_id, _T.c.customer_id)
Index("ix_insurance_transaction_team", _T.c.team_id, _T.c.customer_id)
#: the claims of an agent: the customers of a manager's claims found on the
#: index alone (``report_cells.unseen_events``), not each claim looked up
_C = Claim.__table__
Index("ix_insurance_claim_agent", _C.c.agent_id, _C.c.customer_id)
#: the first terms of an agent (persistency's cohorts, ``models.policy``'s
#: ``_COHORT``): the customers of a manager's cohort cells found on the index
#: alone (``report_cells.unseen_terms``)
_P = Policy.__table__
_COHORT = text("term_no = 1 AND issued_on IS NOT NULL AND deleted_at IS NULL")
Index(
    "ix_insurance_policy_cohort_agent",
    _P.c.agent_id,
    _P.c.customer_id,
    sqlite_where=_COHORT,
    postgresql_where=_COHORT,
)
