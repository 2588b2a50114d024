"""Inpatient care (住院), first slice: wards and beds, admission with its
deposit, transfer, discharge with the post-discharge follow-up plan.

- :mod:`.inputs`: what the API's bodies and the forms read
- :mod:`.wards`: wards, beds, the bed board, a bed taken with a conditional UPDATE
- :mod:`.admissions`: admit, transfer, discharge; who sees which admission
- :mod:`.followup`: the department's discharge template and the plan it starts
"""

from .admissions import (
    admit,
    days_in,
    deposits_of,
    discharge,
    open_admission,
    transfer,
    visible_admission,
    visible_admissions,
)
from .followup import OFFSETS, discharge_plan, discharge_template
from .inputs import (
    HisAdmitInput,
    HisBedInput,
    HisBedStateInput,
    HisDischargeInput,
    HisTransferInput,
    HisWardInput,
)
from .wards import (
    BoardBed,
    bed_counts,
    board,
    create_bed,
    create_ward,
    free_beds,
    get_bed,
    get_ward,
    set_bed_state,
    take_bed,
    wards_query,
)

__all__ = [
    "OFFSETS",
    "HisAdmitInput",
    "HisBedInput",
    "HisBedStateInput",
    "BoardBed",
    "HisDischargeInput",
    "HisTransferInput",
    "HisWardInput",
    "admit",
    "bed_counts",
    "board",
    "create_bed",
    "create_ward",
    "days_in",
    "deposits_of",
    "discharge",
    "discharge_plan",
    "discharge_template",
    "free_beds",
    "get_bed",
    "get_ward",
    "open_admission",
    "set_bed_state",
    "take_bed",
    "transfer",
    "visible_admission",
    "visible_admissions",
    "wards_query",
]
