"""Visit cells: the visits added up in advance by the instance's day,
department, doctor and team, so that the department report of a year reads
some tens of thousands of cells instead of a million visits
(``services/visits/cells.py`` keeps them, ``services/reports/clinic.py``
reads them)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from core.api import db

#: what a cell's department, doctor or team is when the visit has none: a
#: unique index treats NULLs as distinct, and one upsert per cell needs a
#: key that conflicts
NONE = 0


class VisitCell(db.Model):
    """How many live visits (not deleted) took place on ``day`` (the
    instance's calendar day of ``visited_at``) in one department, with one
    doctor, in one team — ``team_id`` and ``doctor_id`` being the columns
    core's ``scoped`` narrows a visit by. :data:`NONE` stands for "none".
    A cell whose count falls to 0 is deleted."""

    __tablename__ = "his_visit_cell"
    __table_args__ = (
        # the upsert's key, and a period's cells for who sees every visit
        Index("ux_his_visit_cell_key", "day", "department_id", "doctor_id", "team_id", unique=True),
        # a department's doctors and nurses (team scope), a doctor (own)
        Index("ix_his_visit_cell_team", "team_id", "day"),
        Index("ix_his_visit_cell_doctor", "doctor_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    department_id: Mapped[int] = mapped_column(Integer)
    doctor_id: Mapped[int] = mapped_column(Integer)
    team_id: Mapped[int] = mapped_column(Integer)
    visits: Mapped[int] = mapped_column(Integer)
