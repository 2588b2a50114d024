"""his: visit cells — the visits counted by local day, department, doctor
and team for the department report (issue 18), filled from the visits.

The cells are counted with one ``INSERT … SELECT`` (``fill_cells``, the
one the plugin's ``rebuild`` runs), the day taken in the instance's time
zone as the visit service takes it. Downgrade drops the table: the report
of that revision reads the visits.

Revision ID: 415000000014
Revises: 415000000013
Create Date: 2026-12-06 06:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "415000000014"
down_revision = "415000000013"
branch_labels = None
depends_on = None

KEY = ("day", "department_id", "doctor_id", "team_id")


def upgrade():
    from core.api import UTCDateTime, instance_timezone
    from plugins.his.services.visits.cells import fill_cells

    op.create_table(
        "his_visit_cell",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("doctor_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("visits", sa.Integer(), nullable=False),
    )
    op.create_index("ux_his_visit_cell_key", "his_visit_cell", list(KEY), unique=True)
    op.create_index("ix_his_visit_cell_team", "his_visit_cell", ["team_id", "day"])
    op.create_index("ix_his_visit_cell_doctor", "his_visit_cell", ["doctor_id", "day"])
    visits = sa.table(
        "his_visit",
        sa.column("visited_at", UTCDateTime()),
        sa.column("department_id", sa.Integer()),
        sa.column("doctor_id", sa.Integer()),
        sa.column("team_id", sa.Integer()),
        sa.column("deleted_at", UTCDateTime()),
    )
    cells = sa.table(
        "his_visit_cell",
        sa.column("day", sa.Date()),
        *(sa.column(name, sa.Integer()) for name in (*KEY[1:], "visits")),
    )
    fill_cells(op.get_bind(), visits, cells, instance_timezone())


def downgrade():
    op.drop_index("ix_his_visit_cell_doctor", table_name="his_visit_cell")
    op.drop_index("ix_his_visit_cell_team", table_name="his_visit_cell")
    op.drop_index("ux_his_visit_cell_key", table_name="his_visit_cell")
    op.drop_table("his_visit_cell")
