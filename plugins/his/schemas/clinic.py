"""What the departments' and clinic sessions' endpoints answer, and their
lists' query arguments. The inputs (``services.clinic.DepartmentInput``,
``SessionInput``, ``TemplateInput``, ``StopInput`` …) live with their rules."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.api import ListArgs

from ..models import PERIODS, REGISTRATION_TYPES, SESSION_STATES

_ID = validate.Range(1, 2**31 - 1)


class HisDepartmentArgs(ListArgs):
    active = fields.Boolean(load_default=None, allow_none=True)


class HisStaffOut(Schema):
    id = fields.Integer()
    name = fields.String()
    role = fields.Function(lambda u: u.role.name if u.role else None, metadata={"type": "string"})


class HisDepartmentOut(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    team_id = fields.Integer(allow_none=True)
    active = fields.Boolean()
    sort_order = fields.Integer()
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class HisDepartmentDetailOut(HisDepartmentOut):
    staff = fields.Method(
        "_staff",
        metadata={
            "type": "array",
            "items": {"type": "object"},
            "description": "the team's active doctors and nurses (id, name, role)",
        },
    )

    def _staff(self, department) -> list[dict]:
        from ..services.clinic import staff

        return HisStaffOut(many=True).dump(staff(department))


class HisSessionArgs(ListArgs):
    department_id = fields.Integer(validate=_ID)
    doctor_id = fields.Integer(validate=_ID)
    day_from = fields.Date()
    day_to = fields.Date()
    status = fields.String(validate=validate.OneOf(SESSION_STATES))


class HisSessionOut(Schema):
    id = fields.Integer()
    department_id = fields.Integer()
    doctor_id = fields.Integer()
    doctor_name = fields.Function(lambda s: s.doctor.name, metadata={"type": "string"})
    day = fields.Date()
    period = fields.String(metadata={"enum": list(PERIODS)})
    registration_type = fields.String(metadata={"enum": list(REGISTRATION_TYPES)})
    fee = fields.Decimal(as_string=True)
    currency = fields.String()
    desk_quota = fields.Integer()
    online_quota = fields.Integer()
    free_desk = fields.Integer(
        dump_default=None, metadata={"description": "desk slots not held by a booking"}
    )
    free_online = fields.Integer(dump_default=None)
    status = fields.String(metadata={"enum": list(SESSION_STATES)})
    stop_reason = fields.String(allow_none=True)
    stopped_at = fields.DateTime(allow_none=True)
    version = fields.Integer()


class HisPlannedOut(Schema):
    created = fields.Integer(metadata={"description": "how many sessions were planned"})
    skipped = fields.Integer(
        metadata={"description": "days and periods the doctor already had a session"}
    )
    items = fields.List(fields.Nested(HisSessionOut))


class HisStoppedOut(Schema):
    session = fields.Nested(HisSessionOut)
    cancelled = fields.Integer(metadata={"description": "the live bookings cancelled"})


class HisSlotOut(Schema):
    number = fields.Integer()
    channel = fields.String(metadata={"enum": ["desk", "online"]})
    free = fields.Boolean()
    booking = fields.Dict(
        allow_none=True,
        metadata={
            "description": "the holding booking (number, status, patient) — "
            "only for a caller holding his.booking.read"
        },
    )
