"""The plugin's JSON API under ``/api/v1/his``: one blueprint
(:data:`.blueprint.bp`), a module per resource adding its routes to it.

- :mod:`.patients`: patients — register, find, read, edit, record a death
- :mod:`.bookings`: registrations (挂号), check-ins, the queue board, the waitlist
- :mod:`.clinic`: departments, clinic sessions, their slots; stopping a session
- :mod:`.visits`: visits (就诊), their record, diagnoses, amendments; ICD-10 search
- :mod:`.privacy`: break the glass, a patient's export, the grants' review
- :mod:`.drugs`: the formulary (药品目录)
- :mod:`.prescriptions`: prescriptions (处方): draft, sign with overrides, cancel
- :mod:`.exam_orders`: examination orders (检查/检验), results, their CSV import
- :mod:`.feedback`: satisfaction surveys and their figures; complaints and their handling
- :mod:`.followup`: follow-up (随访) templates, plans, contact attempts and answers
- :mod:`.billing`: price items, charges, payments, refunds, settlements (收费)
- :mod:`.reports`: the hospital reports (visits, bookings, waits, revenue, follow-up, voice)
- :mod:`.inpatient`: wards, beds, admissions (入院), transfers and discharge (出院)
"""

# their routes join the blueprint in this order, which the OpenAPI document follows
from . import patients  # noqa: F401  # isort: skip
from . import bookings  # noqa: F401  # isort: skip
from . import clinic  # noqa: F401  # isort: skip
from . import visits  # noqa: F401  # isort: skip
from . import privacy  # noqa: F401  # isort: skip
from . import drugs  # noqa: F401  # isort: skip
from . import prescriptions  # noqa: F401  # isort: skip
from . import exam_orders  # noqa: F401  # isort: skip
from . import feedback  # noqa: F401  # isort: skip
from . import followup  # noqa: F401  # isort: skip
from . import billing  # noqa: F401  # isort: skip
from . import reports  # noqa: F401  # isort: skip
from . import inpatient  # noqa: F401  # isort: skip
from .blueprint import bp

__all__ = ["bp"]
