"""What a doctor orders in a visit: the formulary (药品目录), prescriptions
(处方) with allergy and duplicate-drug warnings that need a recorded
override, and examination orders (检查/检验) with their results.

- :mod:`.inputs`: the schemas the API and the forms share
- :mod:`.formulary`: list, add, edit drugs (``his.admin``)
- :mod:`.access`: who sees which prescriptions and orders (their visit's scope)
- :mod:`.warnings`: the warnings of a prescription
- :mod:`.prescriptions`: write a draft, sign with overrides, cancel
- :mod:`.exams`: order an examination, enter its result, cancel it
- :mod:`.results`: import results from a CSV
"""

from .access import (
    visible_exam_order,
    visible_exam_orders,
    visible_prescription,
    visible_prescriptions,
)
from .exams import cancel_order, enter_result, exam_items, place_order
from .formulary import create_drug, drugs_query, get_drug, update_drug
from .prescriptions import (
    cancel_prescription,
    create_prescription,
    sign_prescription,
    update_prescription,
    warnings_of,
)
from .results import import_results
from .warnings import RxWarning, allergy_matches, compute_warnings, drug_label

__all__ = [
    "RxWarning",
    "allergy_matches",
    "cancel_order",
    "cancel_prescription",
    "compute_warnings",
    "create_drug",
    "create_prescription",
    "drug_label",
    "drugs_query",
    "enter_result",
    "exam_items",
    "get_drug",
    "import_results",
    "place_order",
    "sign_prescription",
    "update_drug",
    "update_prescription",
    "visible_exam_order",
    "visible_exam_orders",
    "visible_prescription",
    "visible_prescriptions",
    "warnings_of",
]
