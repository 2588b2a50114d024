"""The outpatient visit (门诊): started from a called registration, the
doctor's record and ICD-10 diagnoses, closing it, and amending a closed one.

- :mod:`.states`: open → closed
- :mod:`.access`: who sees which visits (``scoped``; 404 otherwise)
- :mod:`.record`: start, write the record, close, amend; :func:`ensure_open`
- :mod:`.diagnoses`: add, change, remove a diagnosis (one primary); amend a closed visit's
- :mod:`.icd10`: validate a code, search codes by code or words
- :mod:`.history`: a patient's history at a glance (the workbench)
- :mod:`.cells`: the visits counted by day, department and doctor for the
  department report, kept as visits are started and purged
"""

from .access import get_visit, visible_visit, visible_visits
from .diagnoses import (
    add_diagnosis,
    amend_diagnoses,
    diagnoses_of,
    get_diagnosis,
    remove_diagnosis,
    update_diagnosis,
)
from .history import PatientHistory, diagnoses_by_visit, patient_history
from .icd10 import describe, search_icd10
from .record import (
    AMENDABLE,
    amend_visit,
    amendments_of,
    close_visit,
    ensure_open,
    start_visit,
    update_visit,
    visit_for_booking,
)
from .states import VISIT, VISIT_STATE_LABELS

__all__ = [
    "AMENDABLE",
    "VISIT",
    "VISIT_STATE_LABELS",
    "PatientHistory",
    "add_diagnosis",
    "amend_diagnoses",
    "amend_visit",
    "amendments_of",
    "close_visit",
    "describe",
    "diagnoses_by_visit",
    "diagnoses_of",
    "ensure_open",
    "get_diagnosis",
    "get_visit",
    "patient_history",
    "remove_diagnosis",
    "search_icd10",
    "start_visit",
    "update_diagnosis",
    "update_visit",
    "visible_visit",
    "visible_visits",
    "visit_for_booking",
]
