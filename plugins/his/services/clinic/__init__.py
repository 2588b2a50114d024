"""The clinic: departments (科室), their doctors and nurses, and the
doctors' clinic sessions (出诊) with their numbered slots (号源).

- :mod:`.inputs`: what planning reads (the API's bodies and the forms)
- :mod:`.departments`: create, edit, deactivate; the staff of its team
- :mod:`.sessions`: plan one, a week template, edit; free slots
- :mod:`.stopping`: stop a session (停诊), notify, where to rebook
"""

from .departments import (
    create_department,
    departments_query,
    doctors,
    get_department,
    staff,
    update_department,
)
from .inputs import (
    DepartmentChange,
    DepartmentInput,
    SessionChange,
    SessionInput,
    StopInput,
    TemplateInput,
)
from .sessions import (
    Free,
    Planned,
    Slot,
    channel_of,
    free_counts,
    get_session,
    patients_shown,
    plan_session,
    plan_template,
    sessions_query,
    slots,
    update_session,
)
from .stopping import (
    SESSION,
    STOPPED_REASON,
    describe,
    next_open_sessions,
    period_labels,
    rebook_options,
    stop_session,
)

__all__ = [
    "SESSION",
    "STOPPED_REASON",
    "DepartmentChange",
    "DepartmentInput",
    "Free",
    "Planned",
    "SessionChange",
    "SessionInput",
    "Slot",
    "StopInput",
    "TemplateInput",
    "channel_of",
    "create_department",
    "departments_query",
    "describe",
    "doctors",
    "free_counts",
    "get_department",
    "get_session",
    "patients_shown",
    "next_open_sessions",
    "period_labels",
    "plan_session",
    "plan_template",
    "rebook_options",
    "sessions_query",
    "slots",
    "staff",
    "stop_session",
    "update_department",
    "update_session",
]
