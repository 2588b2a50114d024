"""The hospital plugin's tables, one module per concern: patients (the
medical record beside a core customer of kind person), the clinic (departments
and the doctors' clinic sessions with their numbered slots), bookings (挂号)
with the waitlist, and visits (就诊)."""

from .booking import BOOKING_CHANNELS, BOOKING_STATES, Booking, WaitlistEntry
from .clinic import PERIODS, REGISTRATION_TYPES, SESSION_STATES, ClinicSession, Department
from .patient import ID_TYPES, SEXES, Patient
from .visit import Visit

#: every table, in the order they may be created
MODELS = [Patient, Department, ClinicSession, Booking, WaitlistEntry, Visit]

__all__ = [
    "BOOKING_CHANNELS",
    "BOOKING_STATES",
    "ID_TYPES",
    "MODELS",
    "PERIODS",
    "REGISTRATION_TYPES",
    "SESSION_STATES",
    "SEXES",
    "Booking",
    "ClinicSession",
    "Department",
    "Patient",
    "Visit",
    "WaitlistEntry",
]
