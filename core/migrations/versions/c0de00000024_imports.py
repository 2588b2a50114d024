"""core: imports

``import_job`` is one uploaded file (CSV, XLSX, vCard) brought in as
customers, contacts or a plugin's records, with its mapping and progress;
``import_job_item`` each record it created or updated (the prior values of
an update, for undo); ``import_job_error`` each row it could not write (the
error file); ``import_mapping`` the mappings saved by name per target.

Revision ID: c0de00000024
Revises: c0de00000023
Create Date: 2026-12-06 17:30:00
"""

import sqlalchemy as sa
from alembic import op

import core.models.base

revision = "c0de00000024"
down_revision = "c0de00000023"
branch_labels = None
depends_on = None


def _stamps():
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            core.models.base.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            core.models.base.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
    ]


def _when(name):
    return sa.Column(name, core.models.base.UTCDateTime(timezone=True), nullable=True)


def upgrade():
    op.create_table(
        "import_job",
        sa.Column("target", sa.String(length=60), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("stored_name", sa.String(length=60), nullable=False),
        sa.Column("file_kind", sa.String(length=8), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("encoding", sa.String(length=30), nullable=True),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("on_duplicate", sa.String(length=8), nullable=False),
        sa.Column("line_actions", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("processed", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        _when("started_at"),
        _when("finished_at"),
        _when("undone_at"),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_import_job_created_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_job")),
    )
    with op.batch_alter_table("import_job", schema=None) as batch_op:
        batch_op.create_index("ix_import_job_created_by", ["created_by_id", "id"], unique=False)
    op.create_table(
        "import_job_item",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("record_type", sa.String(length=60), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["import_job.id"],
            name=op.f("fk_import_job_item_job_id_import_job"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_job_item")),
    )
    with op.batch_alter_table("import_job_item", schema=None) as batch_op:
        batch_op.create_index("ix_import_job_item_job", ["job_id", "id"], unique=False)
    op.create_table(
        "import_job_error",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("cells", sa.JSON(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["import_job.id"],
            name=op.f("fk_import_job_error_job_id_import_job"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_job_error")),
    )
    with op.batch_alter_table("import_job_error", schema=None) as batch_op:
        batch_op.create_index("ix_import_job_error_job", ["job_id", "line"], unique=False)
    op.create_table(
        "import_mapping",
        sa.Column("target", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_import_mapping_created_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_mapping")),
        sa.UniqueConstraint("target", "name", name=op.f("uq_import_mapping_target_name")),
    )


def downgrade():
    op.drop_table("import_mapping")
    with op.batch_alter_table("import_job_error", schema=None) as batch_op:
        batch_op.drop_index("ix_import_job_error_job")
    op.drop_table("import_job_error")
    with op.batch_alter_table("import_job_item", schema=None) as batch_op:
        batch_op.drop_index("ix_import_job_item_job")
    op.drop_table("import_job_item")
    with op.batch_alter_table("import_job", schema=None) as batch_op:
        batch_op.drop_index("ix_import_job_created_by")
    op.drop_table("import_job")
