"""Core's models. Importing this package registers every core table."""

from core.extensions import db
from core.models.activities import CORE_ACTIVITY_KINDS, Activity
from core.models.approvals import ApprovalFlow, ApprovalRequest, ApprovalStep, ApprovalTask
from core.models.attachments import Attachment
from core.models.automation import AutomationRule, AutomationRun
from core.models.base import SoftDeleteMixin, TimestampMixin, UTCDateTime, VersionedMixin, utcnow
from core.models.consents import ConsentConfirmation, CustomerConsent
from core.models.customers import (
    Contact,
    ContactPoint,
    Customer,
    CustomerKind,
    Grade,
    Stage,
    Tag,
    customer_tag,
)
from core.models.imports import ImportJob, ImportJobError, ImportJobItem, ImportMapping
from core.models.messages import Message, OneTimeCode
from core.models.numbering import NumberSequence
from core.models.outbox import JobOutbox
from core.models.pool import PoolRelease, PoolRule
from core.models.search import SearchDocument
from core.models.settings import (
    AuditEntry,
    CustomFieldDefinition,
    FollowUpPlan,
    PluginState,
    SiteSetting,
)
from core.models.tokens import ApiToken
from core.models.users import DataScope, Role, Team, User
from core.models.webhooks import WebhookDelivery, WebhookSubscription

#: core's own tables (taken before any plugin's models are imported)
CORE_TABLES = frozenset(db.metadata.tables)

__all__ = [
    "ApiToken",
    "CORE_ACTIVITY_KINDS",
    "CORE_TABLES",
    "Activity",
    "ApprovalFlow",
    "ApprovalRequest",
    "ApprovalStep",
    "ApprovalTask",
    "AutomationRule",
    "AutomationRun",
    "Attachment",
    "AuditEntry",
    "ConsentConfirmation",
    "Contact",
    "ContactPoint",
    "CustomFieldDefinition",
    "Customer",
    "CustomerConsent",
    "CustomerKind",
    "DataScope",
    "FollowUpPlan",
    "Grade",
    "ImportJob",
    "ImportJobError",
    "ImportJobItem",
    "ImportMapping",
    "Message",
    "NumberSequence",
    "OneTimeCode",
    "JobOutbox",
    "PluginState",
    "PoolRelease",
    "PoolRule",
    "Role",
    "SearchDocument",
    "SiteSetting",
    "SoftDeleteMixin",
    "Stage",
    "Tag",
    "Team",
    "TimestampMixin",
    "UTCDateTime",
    "User",
    "VersionedMixin",
    "WebhookDelivery",
    "WebhookSubscription",
    "customer_tag",
    "utcnow",
]
