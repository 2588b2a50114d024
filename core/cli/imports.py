"""``trellis import FILE --target customers [--mapping NAME] [--dry-run]``:
an import from the command line — the same checks, mapping, dedupe,
batches and undo as the pages (the batches run here, with a progress bar).
A bad file, an unknown target or mapping is one line and exit 1."""

from __future__ import annotations

from pathlib import Path

import click

from core.cli.base import _fail, with_database
from core.i18n import _


@click.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--target", default="customers", show_default=True, help="customers, contacts, …")
@click.option("--mapping", "mapping_name", help="A mapping saved for the target, by name.")
@click.option(
    "--on-duplicate",
    type=click.Choice(["skip", "update", "create"]),
    default="skip",
    show_default=True,
    help="What a row matching an existing record (phone, e-mail, name) does.",
)
@click.option("--user", "email", help="Who imports (owns the new records); default: an admin.")
@click.option("--dry-run", is_flag=True, help="Check every row and write nothing.")
@with_database
def import_file(
    path: Path,
    target: str,
    mapping_name: str | None,
    on_duplicate: str,
    email: str | None,
    dry_run: bool,
) -> None:
    """Import customers, contacts or a plugin's records from a CSV, XLSX or vCard file."""
    from core.imports import batches, importer_of
    from core.imports.files import read_table
    from core.imports.mapping import check_mapping, mapping_named, suggest
    from core.models import ImportJob

    actor = _actor(email)
    importer = importer_of(target)
    try:
        data = path.read_bytes()
    except OSError as exc:
        _fail(_("cannot read %(path)s: %(error)s", path=str(path), error=exc.strerror))
    if mapping_name and mapping_named(importer.name, mapping_name) is None:
        _fail(_("no mapping is saved under this name") + f": {mapping_name}")
    if dry_run:
        table = read_table(data, path.name)
        saved = mapping_named(importer.name, mapping_name) if mapping_name else None
        mapping = saved.mapping if saved else suggest(table.columns, importer)
        job = ImportJob(
            target=importer.name,
            columns=table.columns,
            mapping=check_mapping(mapping, table.columns, importer),
            on_duplicate=on_duplicate,
            line_actions={},
        )
        found = batches.preview(job, actor, table)
        for row in found.rows:
            if row.values is None:
                click.echo(_("line %(line)s: %(message)s", line=row.line, message=row.message))
        click.echo(
            _(
                "%(total)d rows: %(create)d to create, %(update)d to update, %(skip)d to skip, "
                "%(errors)d with errors (dry run: nothing written)",
                total=found.total,
                create=found.actions.get("create", 0),
                update=found.actions.get("update", 0),
                skip=found.actions.get("skip", 0),
                errors=found.errors,
            )
        )
        return
    job = batches.upload(data, path.name, importer.name, actor)
    settings = {"on_duplicate": on_duplicate}
    batches.configure(
        job, {**settings, **({"mapping_name": mapping_name} if mapping_name else {})}, actor
    )
    batches.start(job, actor, queue=False)
    with click.progressbar(length=job.total_rows, label=_("Importing"), show_pos=True) as bar:
        for start in range(0, job.total_rows, batches.BATCH):
            batches.run_batch(job.id, start, chain=False)
            bar.update(min(batches.BATCH, job.total_rows - start))
    click.echo(
        _(
            "import %(id)d: %(created)d created, %(updated)d updated, %(skipped)d skipped, "
            "%(failed)d failed",
            id=job.id,
            created=job.created,
            updated=job.updated,
            skipped=job.skipped,
            failed=job.failed,
        )
    )
    if job.status == "failed":
        _fail(job.error or _("the import failed"))


def _actor(email: str | None):
    from sqlalchemy import func, select

    from core.extensions import db
    from core.models import DataScope, Role, User

    query = select(User).where(User.active.is_(True), User.deleted_at.is_(None))
    if email:
        user = db.session.scalar(query.where(func.lower(User.email) == email.strip().lower()))
        if user is None:
            _fail(_("no active user with this e-mail") + f": {email}")
        elif not user.can("customer.import"):
            _fail(_("this user may not import customers") + f": {email}")
        return user
    user = db.session.scalar(
        query.join(Role, Role.id == User.role_id)
        .where(Role.scope == DataScope.all)
        .order_by(User.id)
        .limit(1)
    )
    if user is None or not user.can("customer.import"):
        _fail(_("name the importing user with --user EMAIL"))
    return user
