"""Core's public surface: the one module a plugin imports.

Everything a plugin — built-in or third-party — may use is re-exported
here; the import-linter contracts in ``pyproject.toml`` forbid plugins from
reaching into core's other modules (tests may also use ``core.testing``).
If a plugin needs something that is not here, it belongs here, for every
plugin.

The reference, ``docs/api.md``, is generated from this module by
``python -m core.apidoc`` (``make docs``): each ``# -- Group: what it is``
comment below opens a section, and every name in ``__all__`` must be in one.
The imports are grouped by topic, not by module, so import sorting is off.
"""
# isort: skip_file

# -- Models: core's tables, which plugin models point at and plugin code queries.
from core.models import Activity, Contact, Customer, DataScope, FollowUpPlan, Role, Team, User
from core.models import ApprovalRequest, AuditEntry, CustomerKind, Grade, Stage, Tag
from core.custom_fields import definitions_for as custom_field_definitions

# -- Model building blocks: the mixins, column type and clock that plugin models share with core's.
from core.models import SoftDeleteMixin, TimestampMixin, UTCDateTime, VersionedMixin, utcnow

# -- Database, transactions & events: the session, one transaction per call, what fires after, sums.
from core.events import emit, transaction
from core.extensions import db
from core.cells import add_to_cells
from core.facts import customer_facts, journey_steps, money_events, money_rows
from core.jobs import enqueue, enqueue_after_commit

# -- Access control & scoped queries: who is asking, and the one helper every query goes through.
from flask_login import current_user

from core.access import (
    binned_customer_ids,
    check_transfer,
    conceal,
    customer_for,
    customer_live,
    hidden_fields,
    scoped,
    sees_all,
    team_subtree,
    visible_customer,
    visible_customer_ids,
    visible_record,
    visible_records,
)
from core.rest.auth import require
from core.search import best_matches, search_match, search_rank, text_contains

# -- Core services: the rules for core's records, the same for web forms, the JSON API and plugins.
from core.followups import create_plan as create_followup_plan
from core.services.activities import complete_task, customer_timeline, log_activity
from core.services.activities import record_attempt
from core.services.contacts import create_contact
from core.services.customers import create_customer, find_duplicates, get_customer, update_customer
from core.services.customers import delete_customer
from core.services.users import create_team, create_user
from core.consents import consents_of, may_contact, record_consent

# -- Approvals: submit an ``Approvable`` record; a record waiting for approval is locked.
from core.approvals import approve as approve_request, reject as reject_request
from core.approvals import choose_flow as choose_approval_flow, save_flow as save_approval_flow
from core.approvals import ensure_unlocked, is_locked
from core.approvals import submit as submit_for_approval
from core.automation import ActionParam, AutomationAction, RunContext

# -- Service building blocks: what a plugin's own services use to write like core's do.
from core.services.base import (
    audit,
    check_version,
    delete_record,
    delete_rows,
    move_to_bin,
    repoint,
    save,
    snapshot,
)
from core.numbering import check_pattern as check_number_pattern, next_number
from core.dates import add_months, first_of_next_month

# -- Attachments: files on a plugin's record — checked by content, stored, listed, downloaded.
from core.attachments import (
    AttachmentList,
    AttachmentOut,
    Upload,
    accepted_types as accepted_file_types,
    attach,
    attachment_of,
    attachments_of,
    check as check_files,
    check_kind as check_attachment_kind,
    chosen as chosen_files,
    missing_kinds as missing_attachment_kinds,
    named as file_named,
    remove_after_commit as remove_files_after_commit,
    remove_attachment,
    remove_files,
    sample_file,
    sample_pdf,
    send_stored as send_stored_file,
    sniff as sniff_file,
    upload_folder,
    write as write_files,
)
from core.models import Attachment

# -- Schemas & validation: input through a marshmallow schema, values checked and normalised.
from core.followups import open_tasks as open_followup_tasks
from core.followups import not_to_contact, whole_days
from core.normalize import normalize_national_id, normalize_phone, normalize_tax_number
from core.schemas import Amount, Flag, NotBlank, Phone, is_id
from core.services.base import load
from core.csv_import import csv_rows, load_rows as load_csv_rows, read_csv
from core.imports import Importer, checked_import_values
from core.imports.activities import row_customer

# -- Errors: exceptions whose message is meant for a person; views and the API map them to HTTP.
from core.errors import (
    ConflictError,
    ForbiddenError,
    MissingReferenceError,
    NotFoundError,
    StaleVersionError,
    StateError,
    TakenError,
    TrellisError,
    UnavailableError,
    ValidationError,
    refuse,
)

# -- Company profile: the company's own name, address, tax number and logo, for printed letterheads.
from core.company import CompanyProfile, company_profile

# -- JSON API: blueprints, request bodies, lists, pages and CSV exports under /api/v1/<plugin>.
from core.rest import ApiBlueprint
from core.rest.customers import body as json_body, expected_version
from core.rest.exports import CSV_RESPONSE, csv_export, export_args
from core.rest.lists import ListArgs, SortArgs, ordered, page_schema, paginate, sorted_by
from core.rest.openapi import field_rules

# -- Web pages & forms: HTML forms read through the API's schemas, public pages, phones shown.
from core.forms import list_page, list_sort, local_datetime as form_datetime
from core.forms import payload as form_payload, version as form_version
from core.normalize import format_phone, phone_type_label
from core.pii import Encrypted, disclose, lookup_column, pii_match
from core.pii import mask as mask_pii
from core.states import IllegalTransition, StateMachine
from core.throttle import public
from core.tracking import new_tracking_token, tracked_record, tracking_match

# -- Messages & one-time codes: SMS and e-mail sent after the commit, six digits proving a phone.
from core.messaging import check_code, issue_code, send_message
from core.messaging.mailer import MailError, Mailer
from core.messaging.sms import SmsError, SmsGateway, SmsParts, sms_gateway, sms_number, sms_parts
from core.models import Message

# -- Translations: a plugin's own gettext domain (zh_CN and en).
from core.i18n import current_lang, instance_currency, instance_region, instance_timezone
from core.i18n import translator

# -- Declarations: the small frozen values a plugin returns from its hooks.
from core.facts import CustomerFact, JourneyStep, MoneyEvent
from core.declarations import (
    MENU_ADMIN,
    MENU_CUSTOMERS,
    MENU_REPORTS,
    ActivityKind,
    Approvable,
    CustomerAction,
    CustomerColumn,
    CustomerFilter,
    CustomerTab,
    DashboardWidget,
    DueTask,
    FieldType,
    FollowUpRule,
    Job,
    Manifest,
    MenuGroup,
    MenuItem,
    MessageSender,
    Permission,
    RecycleCondition,
    RoleTemplate,
    RuleParam,
    SearchHit,
    SearchSection,
    Searchable,
)

# -- Hooks & plugin settings: implement hooks, declare a plugin's own events, read its settings.

import pluggy as _pluggy

from core import __version__ as core_version
from core.hookspecs import eventspec, hookspec
from core.registry import call_hook, plugin_settings

hookimpl = _pluggy.HookimplMarker("trellis")


# The names packed, several a line, so that the module stays short enough to read.
# fmt: off
__all__ = [
    "CSV_RESPONSE", "MENU_ADMIN", "MENU_CUSTOMERS", "MENU_REPORTS", "ActionParam", "Activity",
    "ActivityKind", "Amount", "ApiBlueprint", "Approvable", "ApprovalRequest", "Attachment",
    "AttachmentList", "AttachmentOut", "AuditEntry", "AutomationAction", "CompanyProfile",
    "ConflictError", "Contact", "Customer", "CustomerAction", "CustomerColumn", "CustomerFact",
    "CustomerFilter", "CustomerKind", "CustomerTab", "DashboardWidget", "DataScope", "DueTask",
    "Encrypted", "FieldType", "Flag", "FollowUpPlan", "FollowUpRule", "ForbiddenError",
    "Grade", "IllegalTransition", "Importer", "Job", "JourneyStep", "ListArgs", "MailError",
    "Mailer", "Manifest", "MenuGroup", "MenuItem", "Message", "MessageSender",
    "MissingReferenceError", "MoneyEvent", "NotBlank", "NotFoundError", "Permission", "Phone",
    "RecycleCondition", "Role", "RoleTemplate", "RuleParam", "RunContext", "SearchHit",
    "SearchSection", "Searchable", "SmsError", "SmsGateway", "SmsParts", "SoftDeleteMixin",
    "SortArgs", "Stage", "StaleVersionError", "StateError", "StateMachine", "Tag",
    "TakenError", "Team", "TimestampMixin", "TrellisError", "UTCDateTime", "UnavailableError",
    "Upload", "User", "ValidationError", "VersionedMixin", "accepted_file_types", "add_months",
    "add_to_cells", "approve_request", "attach", "attachment_of", "attachments_of", "audit",
    "best_matches", "binned_customer_ids", "call_hook", "check_attachment_kind", "check_code",
    "check_files", "check_number_pattern", "check_transfer", "check_version",
    "checked_import_values", "choose_approval_flow", "chosen_files", "company_profile",
    "complete_task", "conceal", "consents_of", "core_version", "create_contact",
    "create_customer", "create_followup_plan", "create_team", "create_user", "csv_export",
    "csv_rows", "current_lang", "current_user", "custom_field_definitions", "customer_facts",
    "customer_for", "customer_live", "customer_timeline", "db", "delete_customer",
    "delete_record", "delete_rows", "disclose", "emit", "enqueue", "enqueue_after_commit",
    "ensure_unlocked", "eventspec", "expected_version", "export_args", "field_rules",
    "file_named", "find_duplicates", "first_of_next_month", "form_datetime", "form_payload",
    "form_version", "format_phone", "get_customer", "hidden_fields", "hookimpl", "hookspec",
    "instance_currency", "instance_region", "instance_timezone", "is_id", "is_locked",
    "issue_code", "journey_steps", "json_body", "list_page", "list_sort", "load",
    "load_csv_rows", "log_activity", "lookup_column", "mask_pii", "may_contact",
    "missing_attachment_kinds", "money_events", "money_rows", "move_to_bin",
    "new_tracking_token", "next_number", "normalize_national_id", "normalize_phone",
    "normalize_tax_number", "not_to_contact", "open_followup_tasks", "ordered", "page_schema",
    "paginate", "phone_type_label", "pii_match", "plugin_settings", "public", "read_csv",
    "record_attempt", "record_consent", "refuse", "reject_request", "remove_attachment",
    "remove_files", "remove_files_after_commit", "repoint", "require", "row_customer",
    "sample_file", "sample_pdf", "save", "save_approval_flow", "scoped", "search_match",
    "search_rank", "sees_all", "send_message", "send_stored_file", "sms_gateway", "sms_number",
    "sms_parts", "snapshot", "sniff_file", "sorted_by", "submit_for_approval", "team_subtree",
    "text_contains", "tracked_record", "tracking_match", "transaction", "translator",
    "update_customer", "upload_folder", "utcnow", "visible_customer", "visible_customer_ids",
    "visible_record", "visible_records", "whole_days", "write_files",
]
# fmt: on
