"""Patients (患者): "a person first, then a patient" — the medical record
beside a core customer of kind person.

- :mod:`.inputs`: what registering, editing and recording a death read
- :mod:`.identity`: the national ID (checked, agreeing with sex and birth
  date, one per patient, masked unless permitted), a minor's guardian
- :mod:`.register`: register, edit, mark deceased
- :mod:`.find`: the scoped queries and the one search box
- :mod:`.records`: merge and purge of a customer's hospital records
"""

from .find import find_patients, patient_of, visible_patient, visible_patients
from .identity import PII, age_on, masked_id, shown_id, today
from .inputs import DeceasedInput, PatientChange, PatientInput
from .register import KIND, MRN_PATTERN, mark_deceased, open_followups, register, update

__all__ = [
    "KIND",
    "MRN_PATTERN",
    "PII",
    "DeceasedInput",
    "PatientChange",
    "PatientInput",
    "age_on",
    "find_patients",
    "mark_deceased",
    "masked_id",
    "open_followups",
    "patient_of",
    "register",
    "shown_id",
    "today",
    "update",
    "visible_patient",
    "visible_patients",
]
