"""The hospital plugin's tables, one module per concern: patients (the
medical record beside a core customer of kind person), the clinic (departments
and the doctors' clinic sessions with their numbered slots), bookings (挂号)
with the waitlist, and visits (就诊)."""

from .billing import (
    CHARGE_STATES,
    PRICE_CATEGORIES,
    REFUND_STATES,
    TENDER_METHODS,
    Charge,
    PatientPayment,
    PaymentTender,
    PriceItem,
    Refund,
    Settlement,
)
from .booking import BOOKING_CHANNELS, BOOKING_STATES, Booking, WaitlistEntry
from .clinic import PERIODS, REGISTRATION_TYPES, SESSION_STATES, ClinicSession, Department
from .diagnosis import Diagnosis, VisitAmendment
from .feedback import COMPLAINT_CATEGORIES, COMPLAINT_CHANNELS, Complaint, Survey
from .followup import FollowupAnswer, FollowupPlan, FollowupStep, FollowupTemplate
from .inpatient import ADMISSION_STATES, BED_STATES, DEPOSIT_METHODS, Admission, Bed, Deposit, Ward
from .orders import (
    DRUG_CATEGORIES,
    EXAM_KINDS,
    EXAM_STATES,
    PRESCRIPTION_STATES,
    RESULT_FLAGS,
    WARNING_KINDS,
    Drug,
    ExamOrder,
    Prescription,
    PrescriptionLine,
    RxOverride,
)
from .patient import ID_TYPES, SEXES, Patient
from .revenue import RevenueCell, RevenueMethodCell
from .visit import Visit
from .visit_cell import VisitCell

#: every table, in the order they may be created
MODELS = [Patient, Department, ClinicSession, Booking, WaitlistEntry, Visit]
MODELS += [Diagnosis, VisitAmendment]  # visit record
MODELS += [PriceItem, Settlement, PatientPayment, PaymentTender, Refund, Charge]  # billing
MODELS += [RevenueCell, RevenueMethodCell]  # revenue report cells
MODELS += [Drug, Prescription, PrescriptionLine, RxOverride, ExamOrder]  # orders
MODELS += [Survey, Complaint]  # feedback
MODELS += [FollowupTemplate, FollowupPlan, FollowupStep, FollowupAnswer]  # follow-up
MODELS += [VisitCell]  # the visits added up for the department report
MODELS += [Ward, Bed, Admission, Deposit]  # inpatient care

__all__ = [
    "ADMISSION_STATES",
    "BED_STATES",
    "DEPOSIT_METHODS",
    "Admission",
    "Bed",
    "Deposit",
    "Ward",
    "FollowupAnswer",
    "FollowupPlan",
    "FollowupStep",
    "FollowupTemplate",
    "CHARGE_STATES",
    "PRICE_CATEGORIES",
    "REFUND_STATES",
    "TENDER_METHODS",
    "Charge",
    "PatientPayment",
    "PaymentTender",
    "PriceItem",
    "Refund",
    "RevenueCell",
    "RevenueMethodCell",
    "Settlement",
    "DRUG_CATEGORIES",
    "EXAM_KINDS",
    "EXAM_STATES",
    "PRESCRIPTION_STATES",
    "RESULT_FLAGS",
    "WARNING_KINDS",
    "Drug",
    "ExamOrder",
    "Prescription",
    "PrescriptionLine",
    "RxOverride",
    "COMPLAINT_CATEGORIES",
    "COMPLAINT_CHANNELS",
    "Complaint",
    "Survey",
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
    "Diagnosis",
    "Patient",
    "Visit",
    "VisitAmendment",
    "VisitCell",
    "WaitlistEntry",
]
