"""The customers whose policy terms, transactions or claims another agent
or team holds than the customer's owner and team (see
``services.report_cells.moved``): where the reports look for the rows a
user's scope holds but whose customer the user does not see."""

from __future__ import annotations

from sqlalchemy import Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from core.api import db


class MovedCustomer(db.Model):
    """One customer and one (agent, team) of its records — a policy term, a
    transaction, a claim — that is not the customer's (owner, team): a
    customer moved to another rep or team, or a policy transferred to
    another agent. Only such a record's customer can be out of sight of a
    user whose scope holds the record (the scope and the customer's sight
    narrow by the same owner and team), so the reports find those customers
    here, among a few rows, instead of checking the customer of every row
    in the user's scope.

    A customer has no row while all its records are its owner's and team's
    (nearly always). No foreign keys: a row left by a purged customer only
    names a customer no row belongs to."""

    __tablename__ = "insurance_moved_customer"
    __table_args__ = (
        Index("ix_insurance_moved_customer_customer", "customer_id"),
        # core's own and team scopes, on the records' agent and team
        Index("ix_insurance_moved_customer_agent", "agent_id", "customer_id"),
        Index("ix_insurance_moved_customer_team", "team_id", "customer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(Integer)
    #: the records' agent and team (what core's ``scoped`` narrows them by)
    agent_id: Mapped[int | None] = mapped_column(Integer)
    team_id: Mapped[int | None] = mapped_column(Integer)
