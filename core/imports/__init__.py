"""Imports: customers, contacts and plugins' records from a spreadsheet or
a phone's contacts, with mapping, preview, dedupe, batches and undo.

- :mod:`.files`: a CSV (any encoding detected), XLSX or vCard file read into rows
- :mod:`.importers`: what can be imported (``trellis_importers``), core's
  customers and contacts
- :mod:`.mapping`: columns → fields, suggested and saved by name
- :mod:`.dedupe`: each row checked and matched to the record it duplicates
- :mod:`.batches`: upload, configure, preview, and the run in batches on the job queue
- :mod:`.rows`: one row imported on its own, in a savepoint
- :mod:`.bulk`: a batch of new customers checked, matched and written at once
- :mod:`.undo`: an import undone as a whole
"""

from core.declarations import Job
from core.i18n import _l

from .batches import BATCH, RUN, configure, preview, resume_stalled, run_batch, start, upload
from .importers import CORE_IMPORTERS, IMPORT, Importer, importer_of, importers, may_import
from .importers import checked as checked_import_values
from .undo import UNDO, changed_since, run_undo, undo

#: the jobs of imports (the app factory registers them with core's)
IMPORT_JOBS = [
    Job(RUN, _l("Import a batch of rows"), run_batch),
    Job(UNDO, _l("Undo an import"), run_undo),
    Job(
        "core.resume_imports",
        _l("Resume the imports whose worker stopped"),
        resume_stalled,
        every_minutes=5,
    ),
]

__all__ = [
    "BATCH",
    "CORE_IMPORTERS",
    "IMPORT",
    "IMPORT_JOBS",
    "RUN",
    "UNDO",
    "Importer",
    "changed_since",
    "checked_import_values",
    "configure",
    "importer_of",
    "importers",
    "may_import",
    "preview",
    "resume_stalled",
    "run_batch",
    "run_undo",
    "start",
    "undo",
    "upload",
]
