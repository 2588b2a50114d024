"""The plugin's web pages under ``/his``: one blueprint
(:data:`.blueprint.bp`), a module per area adding its routes to it.

- :mod:`.visits`: the visits list, the customer page's Visits tab, a visit's
  page (record, close, amend), its printable summary, starting a visit
- :mod:`.patients`: the patients list, registration, the customer page's
  Medical record tab, the record's edit and the death form
- :mod:`.clinic`: departments, the week schedule, planning, a session's page
- :mod:`.bookings`: the desk's Registration page, the slip, a department's day
- :mod:`.queue`: the queue board, the doctor's My queue
- :mod:`.diagnoses`: a visit's diagnoses (add, make primary, remove)
- :mod:`.workbench`: the doctor's workbench
- :mod:`.privacy`: break the glass, a patient's export, the grants' review
- :mod:`.billing`: the cashier desk, receipts, refunds, my settlement, the price list
- :mod:`.feedback`: satisfaction surveys with their figures; complaints and their handling
- :mod:`.survey_public`: the patient's public survey page (no sign-in)
- :mod:`.online`: the public online registration pages (no sign-in)
- :mod:`.orders`: a visit's prescriptions and examinations; results' CSV import
- :mod:`.drugs`: the formulary (药品目录)
- :mod:`.followup`: follow-up templates, My follow-ups, the follow-up call page
- :mod:`.reports`: the Hospital reports page; the dashboard cards
- :mod:`.inpatient`: wards, the bed board, admissions, admit, transfer, discharge
"""

# their routes join the blueprint in this order
from . import visits  # noqa: F401  # isort: skip
from . import patients  # noqa: F401  # isort: skip
from . import clinic  # noqa: F401  # isort: skip
from . import bookings  # noqa: F401  # isort: skip
from . import queue  # noqa: F401  # isort: skip
from . import diagnoses  # noqa: F401  # isort: skip
from . import workbench  # noqa: F401  # isort: skip
from . import privacy  # noqa: F401  # isort: skip
from . import billing  # noqa: F401  # isort: skip
from . import feedback  # noqa: F401  # isort: skip
from . import survey_public  # noqa: F401  # isort: skip
from . import online  # noqa: F401  # isort: skip
from . import orders  # noqa: F401  # isort: skip
from . import drugs  # noqa: F401  # isort: skip
from . import followup  # noqa: F401  # isort: skip
from . import reports  # noqa: F401  # isort: skip
from . import inpatient  # noqa: F401  # isort: skip
from .blueprint import bp
from .visits import LIST_SIZE, patient_visits_query

__all__ = ["LIST_SIZE", "bp", "patient_visits_query"]
