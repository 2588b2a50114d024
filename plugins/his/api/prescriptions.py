"""``/api/v1/his/prescriptions``: prescriptions (处方) of visits — list,
write a draft in an open visit (``visit_id`` and its lines), change a
draft, sign it (each warning overridden with a reason), cancel it.

Reading needs ``his.visit.read``, writing ``his.visit.write``; a
prescription of a visit the caller does not see is a 404. A draft's
answer carries its ``warnings``: an allergy or a duplicate drug, each
needing ``{"line_id", "kind", "reason"}`` in ``overrides`` to sign."""

from __future__ import annotations

from flask_login import current_user

from core.api import (
    ValidationError,
    expected_version,
    field_rules,
    json_body,
    page_schema,
    paginate,
    require,
    sorted_by,
    translator,
)

from ..models import Prescription
from ..schemas.orders import (
    HisCancelBody,
    HisPrescriptionArgs,
    HisPrescriptionChangeBody,
    HisPrescriptionOut,
    HisSignBody,
)
from ..services import orders
from ..services.orders.inputs import PrescriptionInput
from .blueprint import bp

_, _l = translator("his")

SORTS = {"created_at": Prescription.created_at, "number": Prescription.number}
_OVERRIDES = (
    ("overrides",),
    "every warning of the draft needs one override (line_id, kind) with a reason; "
    "an override of no warning is refused",
)


def with_warnings(prescription: Prescription, warnings=None) -> Prescription:
    """The prescription with its warnings now (a draft's), for the answer."""
    prescription.warnings = (  # the answer's, not stored
        orders.warnings_of(prescription) if warnings is None else warnings
    )
    return prescription


def _version(payload: dict) -> int:
    version = expected_version(payload)
    if version is None:
        raise ValidationError({"version": [_("give the version you read")]})
    return version


@bp.route("/prescriptions", methods=["GET"])
@bp.arguments(sorted_by(HisPrescriptionArgs, SORTS), location="query", as_kwargs=False)
@bp.response(200, page_schema(HisPrescriptionOut, "HisPrescriptionPage"))
def list_prescriptions(args):
    """Prescriptions, newest first, by visit, patient (``customer_id``) or status."""
    require("his.visit.read")
    query = orders.visible_prescriptions(current_user)
    for key in ("visit_id", "customer_id", "status"):
        if args.get(key) is not None:
            query = query.where(getattr(Prescription, key) == args[key])
    return paginate(query, args, SORTS, "-created_at")


@bp.route("/prescriptions", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": PrescriptionInput}}})
@bp.response(201, HisPrescriptionOut)
def create_prescription():
    """A draft prescription in an open visit (409 naming ``visit_id`` once it
    is closed; 404 naming ``lines`` for a drug not in the formulary)."""
    require("his.visit.write")
    prescription, warnings = orders.create_prescription(json_body(), current_user)
    return with_warnings(prescription, warnings)


@bp.route("/prescriptions/<int:prescription_id>", methods=["GET"])
@bp.response(200, HisPrescriptionOut)
def get_prescription(prescription_id: int):
    require("his.visit.read")
    return with_warnings(orders.visible_prescription(prescription_id, current_user))


@bp.route("/prescriptions/<int:prescription_id>", methods=["PATCH"])
@bp.doc(requestBody={"content": {"application/json": {"schema": HisPrescriptionChangeBody}}})
@bp.response(200, HisPrescriptionOut)
def update_prescription(prescription_id: int):
    """Change a draft's note or replace its lines (``version``: 409 when stale)."""
    require("his.visit.write")
    prescription = orders.visible_prescription(prescription_id, current_user)
    payload = json_body()
    version = _version(payload)
    prescription, warnings = orders.update_prescription(
        prescription, payload, current_user, version
    )
    return with_warnings(prescription, warnings)


@bp.route("/prescriptions/<int:prescription_id>/sign", methods=["POST"])
@bp.doc(
    requestBody={"content": {"application/json": {"schema": HisSignBody}}},
    **field_rules(_OVERRIDES),
)
@bp.response(200, HisPrescriptionOut)
def sign_prescription(prescription_id: int):
    """Sign a draft: 422 naming ``overrides`` while a warning has no override;
    the overrides are recorded, the lines charged."""
    require("his.visit.write")
    prescription = orders.visible_prescription(prescription_id, current_user)
    payload = json_body()
    version = _version(payload)
    return with_warnings(orders.sign_prescription(prescription, payload, current_user, version))


@bp.route("/prescriptions/<int:prescription_id>/cancel", methods=["POST"])
@bp.doc(requestBody={"content": {"application/json": {"schema": HisCancelBody}}})
@bp.response(200, HisPrescriptionOut)
def cancel_prescription(prescription_id: int):
    """Cancel with a reason; a signed one's charges are voided (422 naming
    ``charges`` once paid)."""
    require("his.visit.write")
    prescription = orders.visible_prescription(prescription_id, current_user)
    payload = json_body()
    version = _version(payload)
    return with_warnings(orders.cancel_prescription(prescription, payload, current_user, version))
