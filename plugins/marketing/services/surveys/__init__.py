"""Surveys — the voice of the customer (客户之声): NPS, CSAT and custom
questionnaires, sent to customers and answered once on a public page.

- :mod:`.definitions`: a survey's questions checked, saved, changed
- :mod:`.invitations`: whom to invite, with consent, in which language, by
  which channel; a send to a segment or after another plugin's event
- :mod:`.answers`: the public answer, once, and the detractor's follow-up task
- :mod:`.results`: NPS, CSAT, distributions; the ``marketing.nps_last`` fact

The hospital plugin surveys its visits itself (``his``): marketing offers no
trigger on a visit, so a patient is never asked twice about one visit.
"""

from .answers import answer, invitation_by_token, is_closed, visible_responses
from .definitions import create_survey, delete_survey, get_survey, update_survey, visible_surveys
from .invitations import (
    PURPOSE,
    Sent,
    follow_owner,
    invite,
    invite_after,
    merge_customer,
    purge_customer,
    send,
    visible_invitations,
)
from .results import customer_surveys, latest_nps_values, survey_results, tone

__all__ = [
    "PURPOSE",
    "Sent",
    "answer",
    "create_survey",
    "customer_surveys",
    "delete_survey",
    "follow_owner",
    "get_survey",
    "invitation_by_token",
    "invite",
    "invite_after",
    "is_closed",
    "latest_nps_values",
    "merge_customer",
    "purge_customer",
    "send",
    "survey_results",
    "tone",
    "update_survey",
    "visible_invitations",
    "visible_responses",
    "visible_surveys",
]
