"""The patients' voice: satisfaction surveys after a visit and complaints.

- :mod:`.surveys`: a survey when a visit closes (consent and life checked),
  answered once on the public page
- :mod:`.complaints`: record a complaint, handle it through its states
- :mod:`.figures`: responses, CSAT and NPS; complaints by category
- :mod:`.inputs`: what the pages and the API send
"""

from .complaints import (
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    COMPLAINT,
    COMPLAINT_STATE_LABELS,
    create_complaint,
    move_complaint,
    visible_complaint,
    visible_complaints,
)
from .figures import complaint_figures, survey_figures
from .periods import Period, period_of
from .surveys import answer_survey, survey_after_visit, survey_by_token, visible_surveys

__all__ = [
    "CATEGORY_LABELS",
    "CHANNEL_LABELS",
    "COMPLAINT",
    "COMPLAINT_STATE_LABELS",
    "Period",
    "answer_survey",
    "complaint_figures",
    "create_complaint",
    "move_complaint",
    "period_of",
    "survey_after_visit",
    "survey_by_token",
    "survey_figures",
    "visible_complaint",
    "visible_complaints",
    "visible_surveys",
]
