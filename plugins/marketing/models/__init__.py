"""The plugin's tables, a module per aggregate."""

from .campaign import Campaign, CampaignTemplate
from .recipient import Recipient, Suppression
from .rfm import RfmRun, RfmScore, RfmSnapshot
from .segment import Segment
from .static_list import StaticList, StaticListMember
from .survey import Survey, SurveyInvitation, SurveyResponse

__all__ = [
    "Campaign",
    "CampaignTemplate",
    "Recipient",
    "RfmRun",
    "RfmScore",
    "RfmSnapshot",
    "Suppression",
    "Segment",
    "StaticList",
    "StaticListMember",
    "Survey",
    "SurveyInvitation",
    "SurveyResponse",
]
