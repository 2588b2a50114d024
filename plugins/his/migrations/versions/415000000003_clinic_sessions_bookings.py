"""clinic sessions and bookings: a doctor's half-day with its numbered
slots (号源) for the desk and online, bookings (挂号) holding a slot with
the queue number given at check-in, and the waitlist of a full session.

Revision ID: 415000000003
Revises: 415000000002
Create Date: 2026-12-05 19:55:00
"""

import sqlalchemy as sa
from alembic import op

import core.models.base

revision = "415000000003"
down_revision = "415000000002"
branch_labels = None
depends_on = None

HELD = "status <> 'cancelled'"
QUEUED = "queue_no IS NOT NULL"
WAITING = "status = 'waiting'"


def _when(name: str) -> sa.Column:
    return sa.Column(name, core.models.base.UTCDateTime(timezone=True), nullable=True)


def _stamps(versioned: bool = True) -> list[sa.Column]:
    now = sa.text("(CURRENT_TIMESTAMP)")
    columns = [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            core.models.base.UTCDateTime(timezone=True),
            server_default=now,
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            core.models.base.UTCDateTime(timezone=True),
            server_default=now,
            nullable=False,
        ),
    ]
    if versioned:
        columns.append(sa.Column("version", sa.Integer(), nullable=False))
    return columns


def _partial(condition: str) -> dict:
    return {"sqlite_where": sa.text(condition), "postgresql_where": sa.text(condition)}


def upgrade():
    op.create_table(
        "his_clinic_session",
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("doctor_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("registration_type", sa.String(length=10), nullable=False),
        sa.Column("fee", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("desk_quota", sa.Integer(), nullable=False),
        sa.Column("online_quota", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("stop_reason", sa.String(length=200), nullable=True),
        _when("stopped_at"),
        sa.Column("stopped_by_id", sa.Integer(), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["his_department.id"],
            name=op.f("fk_his_clinic_session_department_id_his_department"),
        ),
        sa.ForeignKeyConstraint(
            ["doctor_id"],
            ["user_account.id"],
            name=op.f("fk_his_clinic_session_doctor_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["stopped_by_id"],
            ["user_account.id"],
            name=op.f("fk_his_clinic_session_stopped_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_his_clinic_session")),
    )
    with op.batch_alter_table("his_clinic_session", schema=None) as batch_op:
        batch_op.create_index(
            "uq_his_clinic_session_doctor",
            ["doctor_id", "day", "period"],
            unique=True,
            **_partial("status = 'open'"),
        )
        batch_op.create_index(
            "ix_his_clinic_session_department", ["department_id", "day", "period"], unique=False
        )
    op.create_table(
        "his_booking",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("slot_no", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=6), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("fee", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("queue_no", sa.Integer(), nullable=True),
        _when("checked_in_at"),
        _when("called_at"),
        _when("seen_at"),
        _when("cancelled_at"),
        sa.Column("cancel_reason", sa.String(length=200), nullable=True),
        sa.Column("booked_by_id", sa.Integer(), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["his_clinic_session.id"],
            name=op.f("fk_his_booking_session_id_his_clinic_session"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_his_booking_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["his_department.id"],
            name=op.f("fk_his_booking_department_id_his_department"),
        ),
        sa.ForeignKeyConstraint(
            ["booked_by_id"],
            ["user_account.id"],
            name=op.f("fk_his_booking_booked_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_his_booking")),
        sa.UniqueConstraint("number", name=op.f("uq_his_booking_number")),
    )
    with op.batch_alter_table("his_booking", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_his_booking_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(
            "ix_his_booking_day", ["department_id", "day", "status"], unique=False
        )
        batch_op.create_index(
            "uq_his_booking_slot", ["session_id", "slot_no"], unique=True, **_partial(HELD)
        )
        batch_op.create_index(
            "uq_his_booking_patient_day",
            ["customer_id", "department_id", "day"],
            unique=True,
            **_partial(HELD),
        )
        batch_op.create_index(
            "uq_his_booking_queue",
            ["department_id", "day", "queue_no"],
            unique=True,
            **_partial(QUEUED),
        )
    op.create_table(
        "his_waitlist_entry",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=6), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        *_stamps(versioned=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["his_clinic_session.id"],
            name=op.f("fk_his_waitlist_entry_session_id_his_clinic_session"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_his_waitlist_entry_customer_id_customer"),
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["his_booking.id"],
            name=op.f("fk_his_waitlist_entry_booking_id_his_booking"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_his_waitlist_entry")),
    )
    with op.batch_alter_table("his_waitlist_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_his_waitlist_entry_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(
            "ix_his_waitlist_session", ["session_id", "status", "id"], unique=False
        )
        batch_op.create_index(
            "uq_his_waitlist_patient",
            ["session_id", "customer_id"],
            unique=True,
            **_partial(WAITING),
        )


def downgrade():
    op.drop_table("his_waitlist_entry")
    op.drop_table("his_booking")
    op.drop_table("his_clinic_session")
